// Faults: a full disk, clients that vanish at each step of a transfer, a slowloris control
// line, an exhausted passive range, a directory removed under a listing. Each must end in
// the right reply (or a clean close), leave the server serving, and leak no descriptor.

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/internal/testkit"
)

// fdsUnder lists the paths of those descriptors, for failure messages.
func fdsUnder(dir string) []string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(target, dir+"/") {
			out = append(out, target)
		}
	}
	return out
}

// settles waits up to d for cond, polling; it reports whether cond became true.
func settles(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStorDiskFull: STOR onto a 2 MiB tmpfs. A new file gets 552/452 (never 226); an existing
// file keeps its old content; the session and the server go on; no descriptor is left open.
func TestStorDiskFull(t *testing.T) {
	fastftpOnly(t, "mounts a tmpfs under the server's root")
	s := startServer(t)
	small := filepath.Join(s.Root, "small")
	if err := os.Mkdir(small, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", small).Run() })
	old := []byte("the old content must survive a failed overwrite")
	if err := os.WriteFile(filepath.Join(small, "keep.txt"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	big := randomBytes(31, 4<<20)
	for _, name := range []string{"small/new.bin", "small/keep.txt"} {
		dc := c.pasv()
		c.cmd("STOR "+name, 125, 150)
		dc.Write(big) // fails part-way once the server stops reading: that is the point
		dc.Close()
		code, text := c.expectFor("STOR on a full disk", 226, 426, 451, 452, 552)
		if code == 226 {
			t.Fatalf("STOR %s of 4 MiB onto 2 MiB answered %q", name, text)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(small, "keep.txt")); !bytes.Equal(got, old) {
		t.Fatalf("the existing file was changed by a failed upload: %d bytes", len(got))
	}
	c.cmd("NOOP", 200)
	c.cmd("DELE small/new.bin", 250, 550) // room again for the next client
	if got := c.retr("RETR small/keep.txt"); !bytes.Equal(got, old) {
		t.Fatalf("RETR after the full disk: %q", got)
	}
	// The RETR's descriptor may be kept by the open-file cache for its 2 s, and its
	// sweeper runs every second: closed within 3 s, so wait a little longer.
	if !settles(5*time.Second, func() bool { return testkit.OpenUnder(t, small) == 0 }) {
		t.Fatalf("%d descriptors still open under the full tmpfs", testkit.OpenUnder(t, small))
	}
}

// TestClientVanishes: a client that disappears before 150, during the data, and before
// 226 takes its session, transfer and descriptors with it; the server keeps serving.
func TestClientVanishes(t *testing.T) {
	fastftpOnly(t, "counts the server's sessions and descriptors")
	s := startServer(t, withConfig("a download limit, so a transfer is still running when the client goes",
		func(c *fastftp.Config) { c.WriteLimit = 4 << 20 }))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 37, 32<<20)
	if err := os.WriteFile(filepath.Join(s.Root, "f.txt"), []byte("file"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"before 150", "mid-data", "before 226", "mid-upload"} {
		c := s.login(t)
		c.cmd("TYPE I", 200)
		dc := c.pasv()
		switch when {
		case "before 150":
			c.send("RETR big.bin")
		case "mid-data":
			c.cmd("RETR big.bin", 125, 150)
			io.ReadFull(dc, make([]byte, 1<<20))
		case "before 226":
			c.cmd("RETR f.txt", 125, 150)
			io.ReadAll(dc)
		case "mid-upload":
			c.cmd("STOR up.bin", 125, 150)
			dc.Write(randomBytes(5, 1<<20))
		}
		c.c.Close()
		dc.Close()
	}
	if !settles(5*time.Second, func() bool { return s.srv.Sessions() == 0 }) {
		t.Fatalf("%d sessions left after every client vanished", s.srv.Sessions())
	}
	if !settles(5*time.Second, func() bool { return testkit.OpenUnder(t, s.Root) == 0 }) {
		t.Fatalf("%d descriptors still open under the root: %v", testkit.OpenUnder(t, s.Root), fdsUnder(s.Root))
	}
	// A vanished upload keeps what arrived and nothing else (the client can resume it).
	if fi, err := os.Stat(filepath.Join(s.Root, "up.bin")); err == nil && fi.Size() > 1<<20 {
		t.Errorf("vanished upload: %d bytes under up.bin, more than were sent", fi.Size())
	}
	c := s.login(t)
	if got := c.retr("RETR f.txt"); string(got) != "file" {
		t.Fatalf("RETR after the vanishing clients: %q", got)
	}
}

// TestSlowlorisControl: a client dripping one byte of a command line every 200 ms never
// completes a line; the idle timeout must close it all the same.
func TestSlowlorisControl(t *testing.T) {
	fastftpOnly(t, "sets a 1 s idle timeout")
	s := startServer(t, withConfig("a 1 s idle timeout", func(c *fastftp.Config) { c.IdleTimeout = time.Second }))
	c := s.dial(t)
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for i := 0; i < 100 && time.Since(start) < 20*time.Second; i++ {
			if _, err := c.c.Write([]byte{'N'}); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	c.waitClosed(15 * time.Second)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a dripping client held its session for %v with a 1 s idle timeout", d)
	}
	<-closed
}

// TestPassiveRangeExhausted: with two passive ports, a third PASV gets a clear 425 while two
// listeners are held, and works again once one is released.
func TestPassiveRangeExhausted(t *testing.T) {
	fastftpOnly(t, "a two-port passive range")
	s := startServer(t, withConfig("a two-port passive range", func(c *fastftp.Config) {
		c.PassivePortMax = c.PassivePortMin + 1
	}))
	a, b, third := s.login(t), s.login(t), s.login(t)
	a.cmd("PASV", 227)
	b.cmd("PASV", 227)
	third.send("PASV")
	if code, text := third.expectFor("PASV with the range in use", 227, 425); code != 425 {
		t.Fatalf("third PASV with both ports held: %q, want 425", text)
	}
	a.cmd("QUIT", 221)
	if !settles(3*time.Second, func() bool {
		third.send("PASV")
		code, _ := third.expectFor("PASV after a port was released", 227, 425)
		return code == 227
	}) {
		t.Fatal("PASV still refused after a held port was released")
	}
}

// TestListRemovedDirectory: a directory removed between CWD and LIST, or replaced by a file,
// gives a clear reply; the session goes on.
func TestListRemovedDirectory(t *testing.T) {
	s := startServer(t)
	d := filepath.Join(s.Root, "gone")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		os.WriteFile(filepath.Join(d, fmt.Sprintf("f%02d", i)), nil, 0o644)
	}
	c := s.login(t)
	c.cmd("CWD gone", 250)
	if err := os.RemoveAll(d); err != nil {
		t.Fatal(err)
	}
	dc := c.pasv()
	c.send("LIST")
	code, text := c.expectFor("LIST of a removed directory", 125, 150, 226, 450, 550)
	if code == 125 || code == 150 {
		body, _ := io.ReadAll(dc)
		code, text = c.expectFor("LIST of a removed directory (final)", 226, 450, 451, 550)
		if code == 226 && len(body) != 0 {
			t.Fatalf("LIST of a removed directory listed %q", body)
		}
	}
	_ = text
	dc.Close()
	c.cmd("CDUP", 200, 250)
	c.cmd("NOOP", 200)
}

// TestUserEnumeration: USER answers alike for existing and unknown users, and a failed PASS
// takes the configured delay and the same reply whether or not the user exists.
func TestUserEnumeration(t *testing.T) {
	fastftpOnly(t, "sets the failed-login delay")
	const delay = 300 * time.Millisecond
	s := startServer(t, withConfig("a fixed failed-login delay", func(c *fastftp.Config) { c.FailedLoginDelay = delay }))
	replies := map[string]string{}
	for _, user := range []string{testUser, "nosuchuser"} {
		c := s.dial(t)
		u := c.cmd("USER "+user, 331)
		start := time.Now()
		c.send("PASS wrong-password")
		code, p := c.expectFor("PASS with a wrong password", 530)
		if d := time.Since(start); d < delay {
			t.Errorf("%s: failed PASS answered after %v, before the %v delay", user, d, delay)
		}
		_ = code
		replies[user] = u + "|" + p
	}
	if replies[testUser] != replies["nosuchuser"] {
		t.Fatalf("replies differ for an existing and an unknown user:\n%q\n%q", replies[testUser], replies["nosuchuser"])
	}
}

// TestLogInjection: file names carrying a CR and a forged log record (LF cannot be in a
// name: it ends the command, and its RFC 959 stand-in NUL is refused) reach the log quoted:
// no raw CR, and no line that starts with the forgery.
func TestLogInjection(t *testing.T) {
	fastftpOnly(t, "reads the server's log")
	s := startServer(t)
	c := s.login(t)
	evil := "x\rlevel=ERROR msg=forged"
	c.stor("STOR "+evil, []byte("a"))
	c.cmd("DELE "+evil, 250)
	c.send("RNFR y\rlevel=ERROR msg=forged2")
	c.expectFor("RNFR of a missing name with CR", 350, 550)
	c.cmd("NOOP", 200)
	log := s.logs.String()
	if !strings.Contains(log, "forged") {
		t.Fatal("the names never reached the log: the test proved nothing")
	}
	if strings.Contains(log, "\r") {
		t.Fatalf("a raw CR from a file name reached the log:\n%q", log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.HasPrefix(line, "level=ERROR msg=forged") {
			t.Fatalf("a file name forged a log line: %q", line)
		}
	}
}

// TestSymlinkSwapDuringOpen: while RETRs of d/secret run, another goroutine swaps d between
// a real directory and a symlink to a directory outside the root. No RETR may ever return
// the outside file (openat2 RESOLVE_BENEATH resolves the whole path at once).
func TestSymlinkSwapDuringOpen(t *testing.T) {
	fastftpOnly(t, "races the server's own path resolution")
	s := startServer(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("OUTSIDE"), 0o644); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(s.Root, "real")
	os.Mkdir(real, 0o755)
	os.WriteFile(filepath.Join(real, "secret"), []byte("inside"), 0o644)
	link := filepath.Join(s.Root, "d")
	stop := make(chan struct{})
	swapped := make(chan int)
	go func() {
		n := 0
		defer func() { swapped <- n }()
		for i := 0; i < 100000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			target := "real" // relative, so it resolves beneath the root
			if i%2 == 1 {
				target = outside
			}
			tmp := link + ".tmp"
			os.Remove(tmp)
			if os.Symlink(target, tmp) == nil && os.Rename(tmp, link) == nil {
				n++
			}
		}
	}()
	c := s.login(t)
	c.cmd("TYPE I", 200)
	inside := 0
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		dc := c.pasv()
		c.send("RETR d/secret")
		code, text := c.expectFor("RETR through a swapped link", 125, 150, 550)
		if code == 550 {
			dc.Close()
			continue
		}
		got, _ := io.ReadAll(dc)
		dc.Close()
		c.expectFor("RETR through a swapped link (final)", 226, 426, 451)
		if bytes.Contains(got, []byte("OUTSIDE")) {
			t.Fatalf("RETR %d read the file outside the root (%q)", i, text)
		}
		if string(got) == "inside" {
			inside++
		}
	}
	close(stop)
	if n := <-swapped; n == 0 {
		t.Fatal("the link was never swapped: the test proved nothing")
	}
	if inside == 0 {
		t.Fatal("no RETR went through the link while it pointed inside: the test proved nothing")
	}
}

// TestLoginTimeoutLogged: a client that connects and never logs in, idle all the while, is
// closed as a login timeout and logged as one (not as an idle timeout), the login timeout
// being the shorter (as by default: 60 s against 300 s).
func TestLoginTimeoutLogged(t *testing.T) {
	fastftpOnly(t, "sets both timeouts and reads the log")
	s := startServer(t, withConfig("1 s login and 4 s idle timeouts", func(c *fastftp.Config) {
		c.IdleTimeout, c.LoginTimeout = 4*time.Second, time.Second
	}))
	c := s.dial(t)
	rest := c.waitClosed(15 * time.Second)
	if !strings.Contains(rest, "421 Login timed out.") {
		t.Fatalf("closing reply %q, want 421 Login timed out.", rest)
	}
	if log := s.logs.String(); !strings.Contains(log, "login timeout") || strings.Contains(log, "idle timeout") {
		t.Fatalf("log does not say login timeout (only):\n%s", log)
	}
}

// TestRetrFileTruncated: a file truncated while it is being sent ends in 451 (the 150 had
// announced its old size), never 226 with a short copy; a file deleted while it is sent is
// sent whole (the open descriptor keeps it).
func TestRetrFileTruncated(t *testing.T) {
	fastftpOnly(t, "a per-session download limit keeps the transfer running")
	s := startServer(t, withConfig("a 4 MiB/s download limit", func(c *fastftp.Config) { c.WriteLimit = 4 << 20 }))
	for _, how := range []string{"truncate", "delete"} {
		name := filepath.Join(s.Root, how+".bin")
		writeRandomFile(t, name, 43, 8<<20)
		c := s.login(t)
		c.cmd("TYPE I", 200)
		dc := c.pasv()
		c.cmd("RETR "+how+".bin", 125, 150)
		if _, err := io.ReadFull(dc, make([]byte, 1<<20)); err != nil {
			t.Fatal(err)
		}
		if how == "truncate" {
			os.Truncate(name, 2<<20)
		} else {
			os.Remove(name)
		}
		got, _ := io.ReadAll(dc)
		code, text := c.expectFor("RETR of a changed file", 226, 426, 451)
		switch how {
		case "truncate":
			if code != 451 {
				t.Errorf("RETR of a file truncated mid-transfer: %q after %d bytes, want 451", text, 1<<20+len(got))
			}
		case "delete":
			if code != 226 || 1<<20+len(got) != 8<<20 {
				t.Errorf("RETR of a file deleted mid-transfer: %q after %d bytes, want 226 after all 8 MiB", text, 1<<20+len(got))
			}
		}
		c.cmd("NOOP", 200)
	}
}
