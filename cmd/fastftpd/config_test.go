package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/fastftp/fastftp/auth"
)

// hashWithBinary runs `fastftpd passwd` with the password on standard input.
func hashWithBinary(t *testing.T, bin, pass string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"passwd"}, args...)...)
	cmd.Stdin = strings.NewReader(pass + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fastftpd passwd: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestPasswdSubcommand(t *testing.T) {
	bin := buildBinary(t)
	for _, args := range [][]string{nil, {"--bcrypt"}} {
		h := hashWithBinary(t, bin, "correct horse", args...)
		if !strings.HasPrefix(h, "$") || !auth.VerifyPassword(h, "correct horse") || auth.VerifyPassword(h, "wrong") {
			t.Fatalf("passwd %v made %q, which does not verify", args, h)
		}
	}
}

func TestCheckConfigReportsLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.toml")
	os.WriteFile(path, []byte("[server]\nlisten = [\":2121\"]\nmax_cons = 10\n\n[[user]]\nname = \"alice\"\npassword = \"x\"\nhome = \""+dir+"\"\nperm = \"elrQ\"\n"), 0o644)
	var out bytes.Buffer
	if code := run([]string{"--config", path, "--check-config"}, &out); code != 2 {
		t.Fatalf("exit %d for a bad file, want 2: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "bad.toml:9:") || !strings.Contains(out.String(), "'Q'") {
		t.Fatalf("error does not name line 9 and the bad letter: %q", out.String())
	}
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[[user]]\nname = \"alice\"\npassword = \"x\"\nhome = \""+dir+"\"\n"), 0o644)
	out.Reset()
	if code := run([]string{"--config", good, "--check-config"}, &out); code != 0 || !strings.Contains(out.String(), "OK") {
		t.Fatalf("good file: exit %d, %q", code, out.String())
	}
}

// TestConfigFileReloadAndObservability runs the binary from a config file (with the port
// overridden by -p), reloads users with SIGHUP while a session stays connected, and checks
// the transfer log and the metrics endpoint.
func TestConfigFileReloadAndObservability(t *testing.T) {
	bin := buildBinary(t)
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "f.txt"), []byte("hello"), 0o644)
	cfgDir := t.TempDir()
	path := filepath.Join(cfgDir, "fastftpd.toml")
	xlog := filepath.Join(cfgDir, "xferlog")
	write := func(users ...string) {
		var b strings.Builder
		fmt.Fprintf(&b, "[server]\nlisten = [\"127.0.0.1:1\"]\n[log]\nxferlog = %q\n", xlog)
		for _, u := range users {
			name, pass, _ := strings.Cut(u, ":")
			fmt.Fprintf(&b, "[[user]]\nname = %q\npassword = %q\nhome = %q\nperm = \"elr\"\n", name, hashWithBinary(t, bin, pass), home)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("alice:first")
	cmd, port, log := startBinary(t, bin, cfgDir, "--config", path, "-p", "0", "-i", "127.0.0.1", "--metrics", "127.0.0.1:0")
	addr := "127.0.0.1:" + port

	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("alice", "first"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Retr("f.txt")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(r)
	r.Close()

	// Load while reloading: four sessions download in a loop across three SIGHUPs; no
	// transfer may fail and no session may be dropped.
	os.WriteFile(filepath.Join(home, "big.bin"), bytes.Repeat([]byte("0123456789abcdef"), 1<<16), 0o644)
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var loads sync.WaitGroup
	for range 4 {
		lc, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := lc.Login("alice", "first"); err != nil {
			t.Fatal(err)
		}
		loads.Add(1)
		go func() {
			defer loads.Done()
			defer lc.Quit()
			for n := 0; ; n++ {
				select {
				case <-stop:
					if n == 0 {
						errs <- fmt.Errorf("no download finished during the reloads")
					}
					return
				default:
				}
				r, err := lc.Retr("big.bin")
				if err == nil {
					var got []byte
					got, err = io.ReadAll(r)
					r.Close()
					if err == nil && len(got) != 1<<20 {
						err = fmt.Errorf("short download: %d bytes", len(got))
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	write("alice:second", "bob:third")
	for i := range 3 {
		cmd.Process.Signal(syscall.SIGHUP)
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(log.String(), "users and limits reloaded") <= i && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	close(stop)
	loads.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("transfer during reload: %v", err)
	}
	if err := c.NoOp(); err != nil {
		t.Fatalf("the session was dropped by the reload: %v", err)
	}
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{{"bob", "third", true}, {"alice", "second", true}, {"alice", "first", false}} {
		d, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		err = d.Login(tc.user, tc.pass)
		d.Quit()
		if (err == nil) != tc.ok {
			t.Errorf("after reload, login %s/%s: %v, want ok=%v", tc.user, tc.pass, err, tc.ok)
		}
	}

	b, _ := os.ReadFile(xlog)
	first, _, _ := strings.Cut(string(b), "\n")
	if f := strings.Fields(first); len(f) != 18 || f[8] != "/f.txt" || f[13] != "alice" || f[17] != "c" {
		t.Errorf("xferlog line %q", b)
	}
	var murl string
	for _, line := range strings.Split(log.String(), "\n") {
		if i := strings.Index(line, "metrics=http://"); i >= 0 {
			murl = strings.Fields(line[i+8:])[0]
		}
	}
	resp, err := http.Get(murl)
	if err != nil {
		t.Fatalf("metrics at %q: %v", murl, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `fastftp_transfers_total{direction="download",result="success"}`) ||
		strings.Contains(string(body), `fastftp_transfers_total{direction="download",result="failure"} 1`) {
		t.Errorf("metrics lack the download:\n%.2000s", body)
	}
}
