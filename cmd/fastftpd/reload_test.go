package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// publicDir makes a directory that any account can enter (t.TempDir's parent is private),
// for servers that switch to an unprivileged account after start.
func publicDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "fastftpd-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestReloadNamesSettingsThatNeedRestart: SIGHUP after changing the listen port, the idle
// timeout and run_as logs which changed settings only a restart applies (run_as does not
// make the reload fail although the server, as root, switched to nobody); the server goes
// on listening where it was.
func TestReloadNamesSettingsThatNeedRestart(t *testing.T) {
	bin := buildBinary(t)
	dir := publicDir(t)
	home := filepath.Join(dir, "pub")
	os.Mkdir(home, 0o755)
	path := filepath.Join(dir, "ftp.toml")
	write := func(port int, timeout, runAs string) {
		doc := fmt.Sprintf("[server]\nlisten = [\"127.0.0.1:%d\"]\nidle_timeout = %q\nrun_as = %q\nmax_cons = 5\n[anonymous]\nenabled = true\nhome = %q\n", port, timeout, runAs, home)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(0, "5m", "")
	cmd, port, log := startBinary(t, bin, dir, "-c", path)
	write(21021, "1m", "root")
	cmd.Process.Signal(syscall.SIGHUP)
	want := `msg="SIGHUP: changed settings need a restart; the running values stay" keys="server.listen, server.idle_timeout, server.run_as"`
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(log.String(), want) {
		t.Fatalf("no line %q after SIGHUP:\n%s", want, log.String())
	}
	if !strings.Contains(log.String(), "users and limits reloaded") {
		t.Errorf("the live settings were not reloaded:\n%s", log.String())
	}
	// Unchanged settings are not named; the server still answers on its port.
	write(21021, "1m", "root")
	cmd.Process.Signal(syscall.SIGHUP)
	deadline = time.Now().Add(10 * time.Second)
	for strings.Count(log.String(), "need a restart") < 2 && time.Now().Before(deadline) { // logged after "reloaded"
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(log.String(), "need a restart"); n != 2 {
		t.Errorf("%d restart warnings after two SIGHUPs with the same pending change, want 2:\n%s", n, log.String())
	}
	c, err := dialLogin("127.0.0.1:"+port, "anonymous", "x")
	if err != nil {
		t.Fatalf("after reload: %v", err)
	}
	c.Quit()
}

// dialLogin connects and logs in; the caller quits.
func dialLogin(addr, user, pass string) (*ftp.ServerConn, error) {
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	if err := c.Login(user, pass); err != nil {
		c.Quit()
		return nil, err
	}
	return c, nil
}
