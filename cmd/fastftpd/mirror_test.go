package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawReplies logs in as anonymous on addr and returns the text of every reply to lines,
// one string per reply, multi-line replies joined with "|".
func rawReplies(t *testing.T, addr string, lines ...string) []string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	read := func() string {
		var all []string
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("reading a reply: %v (so far %q)", err, all)
			}
			l = strings.TrimRight(l, "\r\n")
			all = append(all, l)
			if len(l) >= 4 && l[3] == ' ' && l[0] >= '1' && l[0] <= '5' {
				return strings.Join(all, "|")
			}
		}
	}
	read() // 220
	var out []string
	for _, l := range append([]string{"USER anonymous", "PASS x"}, lines...) {
		fmt.Fprintf(c, "%s\r\n", l)
		out = append(out, read())
	}
	return out[1:] // from PASS on
}

// TestMirrorSettingsFlagsAndReload: --dir-message, --welcome-file and
// --max-transfers-per-ip reach the server; with a config file, SIGHUP applies new values
// of the three keys (and rereads the welcome file) without a restart.
func TestMirrorSettingsFlagsAndReload(t *testing.T) {
	bin := buildBinary(t)
	dir := publicDir(t)
	home := filepath.Join(dir, "pub")
	os.MkdirAll(filepath.Join(home, "sub"), 0o755)
	os.WriteFile(filepath.Join(home, "sub", ".message"), []byte("sub here\n"), 0o644)
	os.WriteFile(filepath.Join(home, "sub", "README"), []byte("readme here\n"), 0o644)
	welcome := filepath.Join(dir, "welcome.txt")
	os.WriteFile(welcome, []byte("Hello, mirror.\n"), 0o644)

	_, port, _ := startBinary(t, bin, dir, "-d", home, "--dir-message", ".message", "--welcome-file", welcome, "--max-transfers-per-ip", "3")
	got := rawReplies(t, "127.0.0.1:"+port, "CWD sub", "STAT")
	if got[0] != "230-Welcome:| Hello, mirror.|230 Login successful." {
		t.Errorf("login reply with --welcome-file: %q", got[0])
	}
	if got[1] != `250-Directory message:| sub here|250 "/sub" is the current directory.` {
		t.Errorf("CWD reply with --dir-message: %q", got[1])
	}
	if !strings.Contains(got[2], "| File transfers from your address: 0 of at most 3|") {
		t.Errorf("STAT with --max-transfers-per-ip 3: %q", got[2])
	}

	path := filepath.Join(dir, "ftp.toml")
	write := func(msg string, n int) {
		doc := fmt.Sprintf("[server]\nlisten = [\"127.0.0.1:0\"]\ndir_message = %q\nwelcome_file = \"welcome.txt\"\nmax_transfers_per_ip = %d\n[anonymous]\nenabled = true\nhome = %q\n", msg, n, home)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".message", 2)
	cmd, port, log := startBinary(t, bin, dir, "-c", path)
	if got := rawReplies(t, "127.0.0.1:"+port, "CWD sub", "STAT"); got[1] != `250-Directory message:| sub here|250 "/sub" is the current directory.` ||
		!strings.Contains(got[2], "of at most 2|") {
		t.Errorf("from the config file: %q", got)
	}
	write("README", 7)
	os.WriteFile(welcome, []byte("Moved to a new disk.\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "users and limits reloaded") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got = rawReplies(t, "127.0.0.1:"+port, "CWD sub", "STAT")
	if got[0] != "230-Welcome:| Moved to a new disk.|230 Login successful." || got[1] != `250-Directory message:| readme here|250 "/sub" is the current directory.` ||
		!strings.Contains(got[2], "of at most 7|") {
		t.Errorf("after SIGHUP: %q", got)
	}
	if strings.Contains(log.String(), "need a restart") {
		t.Errorf("a reload of the mirror settings asked for a restart:\n%s", log.String())
	}
}
