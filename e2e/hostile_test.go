// Hostile input over raw connections with deadlines: path traversal, symlinks out of the
// root, bounce PORT/EPRT, overlong lines, NUL and invalid UTF-8, password guessing, data
// connection theft, and clients that never read. After each, the server must still serve a
// new client promptly.
package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// checkAlive fails unless a new client can log in and get a reply within a few seconds.
func checkAlive(t *testing.T, s *testServer) {
	t.Helper()
	start := time.Now()
	nc, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("new client cannot connect: %v", err)
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	steps := []struct {
		line string
		code int
	}{{"", 220}, {"USER " + s.User, 331}, {"PASS " + s.Pass, 230}, {"PWD", 257}}
	for _, st := range steps {
		if st.line != "" {
			if _, err := io.WriteString(nc, st.line+"\r\n"); err != nil {
				t.Fatalf("new client: send %s: %v", st.line, err)
			}
		}
		code, text, err := readReply(r)
		if err != nil || code != st.code {
			t.Fatalf("new client after %v: want %d, got %q, %v", time.Since(start), st.code, text, err)
		}
	}
}

// refused sends line (after opening a passive data connection, as a real client would) and
// fails unless it is refused with a 5xx code and no data flows.
func refused(t *testing.T, c *ctrl, line string) {
	t.Helper()
	dc := c.pasv()
	code, text := sendLine(t, c, line)
	if code < 500 {
		// Drain so the failure message says what leaked.
		_ = dc.SetReadDeadline(time.Now().Add(2 * time.Second))
		leaked, _ := io.ReadAll(io.LimitReader(dc, 200))
		t.Fatalf("%q: want a 5xx refusal, got %q; data: %q", line, text, leaked)
	}
	dc.Close()
}

func sendLine(t *testing.T, c *ctrl, line string) (int, string) {
	t.Helper()
	c.send(line)
	code, text, err := c.reply()
	if err != nil {
		t.Fatalf("%q: %v (server crashed or hung?)", clip(line), err)
	}
	return code, text
}

func TestPathTraversal(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	outside := filepath.Dir(s.Root)
	secret := []byte("secret outside the root")
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Root, "inside.txt"), []byte("in"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	for _, p := range []string{"../secret.txt", "../../etc/passwd", "/../secret.txt",
		"/etc/passwd", "..//secret.txt", "./../secret.txt", "sub/../../secret.txt"} {
		refused(t, c, "RETR "+p)
		if code, text := sendLine(t, c, "SIZE "+p); code != 550 {
			t.Fatalf("SIZE %s: want 550, got %q", p, text)
		}
	}
	for _, p := range []string{"/../..", "..", "../..", "/.."} {
		code, text := sendLine(t, c, "CWD "+p)
		if code != 250 && code != 550 {
			t.Fatalf("CWD %s: want 250 (clamped to /) or 550, got %q", p, text)
		}
		if got := c.cmd("PWD", 257); !strings.HasPrefix(got, `257 "/"`) {
			t.Fatalf("PWD after CWD %s: got %q, want /", p, got)
		}
	}
	var names []string
	for _, l := range crlfLines(t, "NLST", c.retr("NLST")) {
		names = append(names, filepath.Base(l))
	}
	checkNames(t, "NLST after CWD /../..", names, []string{"inside.txt"})

	// ".." at the root clamps to the root: storing "../evil.txt" as "/evil.txt" is fine,
	// writing next to the root is not.
	dc := c.pasv()
	if code, text := sendLine(t, c, "STOR ../evil.txt"); code < 200 {
		dc.Close()
		c.expectFor("STOR ../evil.txt (end)", 226)
	} else if code < 500 {
		t.Fatalf("STOR ../evil.txt: %q", text)
	}
	dc.Close()
	c.cmd("MKD ../evildir", 257, 550)
	c.cmd("RNFR ../secret.txt", 550)
	c.cmd("DELE ../secret.txt", 550)
	for _, n := range []string{"evil.txt", "evildir"} {
		if _, err := os.Lstat(filepath.Join(outside, n)); !os.IsNotExist(err) {
			t.Fatalf("%s was created outside the root: %v", n, err)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); !bytes.Equal(got, secret) {
		t.Fatal("the file outside the root was changed")
	}
	checkAlive(t, s)
}

func TestSymlinkOutOfRoot(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	outside := filepath.Dir(s.Root)
	secret := []byte("secret outside the root")
	secretPath := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secretPath, secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(outside, "outdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "outdir", "x.txt"), secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Root, "real.txt"), []byte("real"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"rel-file": "../secret.txt", "abs-file": secretPath,
		"rel-dir": "../outdir", "abs-dir": filepath.Join(outside, "outdir"),
		"in-link": "real.txt",
	} {
		if err := os.Symlink(target, filepath.Join(s.Root, link)); err != nil {
			t.Fatal(err)
		}
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	for _, p := range []string{"rel-file", "abs-file", "rel-dir/x.txt", "abs-dir/x.txt"} {
		refused(t, c, "RETR "+p)
		c.cmd("SIZE "+p, 550)
	}
	for _, p := range []string{"rel-dir", "abs-dir"} {
		c.cmd("CWD "+p, 550)
		if got := c.cmd("PWD", 257); !strings.HasPrefix(got, `257 "/"`) {
			t.Fatalf("PWD after CWD %s: %q", p, got)
		}
		refused(t, c, "STOR "+p+"/new.txt")
		c.cmd("MKD "+p+"/newdir", 550)
	}
	refused(t, c, "STOR rel-file") // must not write through the link
	refused(t, c, "APPE abs-file")
	if got, _ := os.ReadFile(secretPath); !bytes.Equal(got, secret) {
		t.Fatal("the file outside the root was changed through a symlink")
	}
	for _, n := range []string{"outdir/new.txt", "outdir/newdir"} {
		if _, err := os.Lstat(filepath.Join(outside, n)); !os.IsNotExist(err) {
			t.Fatalf("%s was created outside the root through a symlink: %v", n, err)
		}
	}
	if got := c.retr("RETR in-link"); string(got) != "real" {
		t.Fatalf("RETR of a symlink inside the root: got %q, want %q", got, "real")
	}
	checkAlive(t, s)
}

// listenCounting listens on addr and counts accepted connections until the test ends.
func listenCounting(t *testing.T, addr string) (port int, accepted *atomic.Int32, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, nil, err
	}
	t.Cleanup(func() { ln.Close() })
	accepted = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, accepted, nil
}

func TestBouncePort(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if err := os.WriteFile(filepath.Join(s.Root, "f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreignPort, foreignHits, err := listenCounting(t, "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.2: %v", err)
	}
	// Port 80 needs privileges to listen on; without them only the replies are checked.
	_, lowHits, lowErr := listenCounting(t, "127.0.0.1:80")
	if lowErr != nil {
		t.Logf("cannot listen on 127.0.0.1:80 (%v): checking replies only", lowErr)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	for _, line := range []string{
		fmt.Sprintf("PORT 127,0,0,2,%d,%d", foreignPort>>8, foreignPort&0xff),
		fmt.Sprintf("EPRT |1|127.0.0.2|%d|", foreignPort),
		"PORT 127,0,0,1,0,80",
		"EPRT |1|127.0.0.1|80|",
	} {
		code, text := sendLine(t, c, line)
		if code != 501 && code != 504 && code != 500 {
			t.Fatalf("%s: want 501/504, got %q", line, text)
		}
		if onPeer() {
			continue // pyftpdlib connects at PORT time, and answers RETR with 150 and waits
		}
		// A server that wrongly accepted the address would connect now.
		code, text = sendLine(t, c, "RETR f")
		if code < 200 {
			code, text = c.expectFor("RETR f (after 1xx)", 425, 426, 503)
		}
		if code < 400 {
			t.Fatalf("RETR after refused %s: want 4xx/5xx, got %q", line, text)
		}
	}
	for _, line := range []string{"PORT 1,2,3", "PORT 127,0,0,1,300,1", "EPRT |9|x|1|", "EPRT garbage", "PORT"} {
		if code, text := sendLine(t, c, line); code < 500 {
			t.Fatalf("%s: want 5xx, got %q", line, text)
		}
	}
	c.cmd("NOOP", 200)
	// Connections, had any been attempted, were made before the RETR replies above; give the
	// accept loops a moment to count them.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) && foreignHits.Load() == 0 && (lowHits == nil || lowHits.Load() == 0) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := foreignHits.Load(); n != 0 {
		t.Fatalf("the server connected %d times to 127.0.0.2:%d after a refused PORT/EPRT", n, foreignPort)
	}
	if lowHits != nil && lowHits.Load() != 0 {
		t.Fatalf("the server connected %d times to 127.0.0.1:80 after a refused PORT/EPRT", lowHits.Load())
	}
	checkAlive(t, s)
}

func TestDataConnectionTheft(t *testing.T) {
	t.Parallel()
	// pyftpdlib answers a foreign data connection with an unsolicited 425 on the control
	// connection, which desynchronises replies; fastftp must just drop the intruder.
	fastftpOnly(t, "foreign data connections dropped silently")
	s := startServer(t)
	payload := randomBytes(31, 100_000)
	if err := os.WriteFile(filepath.Join(s.Root, "f"), payload, 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	port := epsvPort(c.cmd("EPSV", 229))
	if port <= 0 {
		t.Fatal("EPSV: no port")
	}
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	thief, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}).Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from 127.0.0.2: %v", err)
	}
	defer thief.Close()
	dc := c.dialData(addr)
	c.cmd("RETR f", 125, 150)
	got, err := io.ReadAll(dc)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("legitimate data connection got %d bytes (err %v), want %d", len(got), err, len(payload))
	}
	c.expectFor("RETR f (end)", 226)
	_ = thief.SetReadDeadline(time.Now().Add(2 * time.Second))
	if stolen, _ := io.ReadAll(thief); len(stolen) > 0 {
		t.Fatalf("a connection from 127.0.0.2 received %d bytes of the transfer", len(stolen))
	}
	if log := s.logs.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "from=127.0.0.2:") {
		t.Errorf("the refused data connection from 127.0.0.2 was not logged at WARN:\n%s", log)
	}
}

func TestOverlongLine(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.login(t)
	line := "NOOP " + strings.Repeat("A", 100<<10) + "\r\n"
	written := make(chan error, 1)
	go func() { // the server may stop reading: write on the side, read the reply here
		_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
		_, err := io.WriteString(c.c, line)
		written <- err
	}()
	code, text, err := c.reply()
	if err != nil || code != 500 {
		t.Fatalf("100 KiB line: want 500, got %q, %v", clip(text), err)
	}
	if !onPeer() { // pyftpdlib answers 500 per 2 KiB and keeps the session
		c.waitClosed(replyTimeout)
	}
	<-written
	checkAlive(t, s)
}

func TestNulAndInvalidUTF8(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if err := os.WriteFile(filepath.Join(s.Root, "a"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	// No 0xFF bytes here: that is Telnet IAC, which the server strips before parsing.
	lines := []string{"CWD \xc3\x28", "SIZE \xed\xa0\x80"}
	dataLines := []string{"RETR \xfe\xfd"}
	if !onPeer() {
		// pyftpdlib drops the session on a NUL (an unhandled ValueError), and decodes
		// invalid UTF-8 with errors="replace", creating U+FFFD names.
		lines = append(lines, "MKD a\x00b", "CWD a\x00b", "SIZE a\x00", "DELE \x00",
			"MKD \xfe\xfd", "MKD bad\xc0\xafname", "MKD \x80", "RNFR a", "RNTO \xc3\x28")
		dataLines = append(dataLines, "RETR a\x00b", "STOR bad\x00name", "STOR \xfe\xfd.txt", "APPE \xc3\x28")
	}
	for _, line := range lines {
		code, text := sendLine(t, c, line)
		if line == "RNFR a" {
			if code != 350 {
				t.Errorf("%q: want 350, got %q", line, text)
			}
			continue
		}
		if code < 500 {
			t.Errorf("%q: want a 5xx, got %q", line, text)
		}
	}
	for _, line := range dataLines { // with a data connection, as a client would
		dc := c.pasv()
		code, text := sendLine(t, c, line)
		if code < 200 {
			dc.Close()
			c.expectFor(line+" (end)", 226, 426, 451)
		}
		if code < 500 {
			t.Errorf("%q: want a 5xx, got %q", line, text)
		}
		dc.Close()
	}
	c.cmd("NOOP", 200)
	entries, err := os.ReadDir(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("hostile names created entries in the root: %q", names)
	}
	checkAlive(t, s)
}

func TestBadPasswords(t *testing.T) {
	t.Parallel()
	const attempts = 3
	s := startServer(t, withLimit(fmt.Sprintf("max_login_attempts=%d", attempts), func(c *fastftp.Config) {
		c.MaxLoginAttempts = attempts
	}))
	sent := 0
	for sent < 50 {
		c := s.dial(t)
		for i := 1; i <= attempts && sent < 50; i++ {
			c.cmd("USER "+testUser, 331)
			c.cmd(fmt.Sprintf("PASS wrong-%d", sent), 530)
			sent++
			if i == attempts {
				rest := c.waitClosed(replyTimeout)
				if rest != "" && !strings.HasPrefix(rest, "421") {
					t.Fatalf("after %d failed logins: want close (optionally with 421), got %q", attempts, rest)
				}
			}
		}
		c.c.Close()
	}
	checkAlive(t, s) // the right password still works: no global lockout
}

// TestClientsThatNeverRead: one client asks for a big LIST and a big STAT and never reads;
// another floods commands without reading replies. Neither may stall other sessions.
func TestClientsThatNeverRead(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	makeBigDir(t, s.Root, "big", strings.Repeat("n", 200)+"-", bigDirFiles) // ~2.6 MB listing

	t.Run("LIST", func(t *testing.T) {
		c := s.login(t)
		_ = c.pasv() // connected, never read
		c.send("LIST big")
		checkAlive(t, s)
	})
	t.Run("STAT", func(t *testing.T) {
		c := s.login(t)
		c.send("STAT big") // ~2.5 MB over the control connection, never read
		checkAlive(t, s)
	})
	t.Run("flood", func(t *testing.T) {
		c := s.login(t)
		chunk := bytes.Repeat([]byte("NOOP\r\n"), 10_000)
		var sent atomic.Int64
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				_ = c.c.SetWriteDeadline(time.Now().Add(time.Second))
				n, err := c.c.Write(chunk)
				sent.Add(int64(n))
				if err != nil {
					done <- err
					return
				}
			}
		}()
		// Wait until the flood is under way: 4 MiB sent, or the server stopped reading.
		deadline := time.Now().Add(10 * time.Second)
		for sent.Load() < 4<<20 && time.Now().Before(deadline) {
			select {
			case err := <-done:
				done <- err
				deadline = time.Time{}
			case <-time.After(10 * time.Millisecond):
			}
		}
		checkAlive(t, s)
		close(stop)
		err := <-done
		var ne net.Error
		t.Logf("flooder sent %d MiB; writer ended with %v", sent.Load()>>20, err)
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) && !isReset(err) && !errors.Is(err, net.ErrClosed) &&
			!strings.Contains(err.Error(), "broken pipe") {
			t.Fatalf("flood writer: unexpected error %v", err)
		}
	})
}

// TestNamesCannotForgeReplies: file names holding CR, LF and reply-like text, listed over
// the control connection (STAT) or echoed (PWD, 257), must not end a reply early or inject
// one; quotes in 257 paths are doubled (RFC 959 appendix II).
func TestNamesCannotForgeReplies(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "pyftpdlib 1.5.7 writes a bare LF from a file name into STAT replies")
	s := startServer(t)
	for _, n := range []string{"a\r\n213 End of status", "b\n200 forged", "c\r211 x"} {
		if err := os.WriteFile(filepath.Join(s.Root, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := s.login(t)
	code, text := sendLine(t, c, "STAT /")
	if code != 211 && code != 212 && code != 213 {
		t.Fatalf("STAT /: %q", text)
	}
	if strings.Contains(text, "\n200 forged") || strings.Contains(text, "\n213 End of status\n") {
		t.Fatalf("STAT / let a file name start a reply line: %q", text)
	}
	if text := c.cmd("NOOP", 200); !strings.HasPrefix(text, "200 ") || strings.Contains(text, "forged") {
		t.Fatalf("reply stream out of step after STAT: NOOP got %q", text)
	}
	text = c.cmd(`MKD q"uote`, 257)
	if !strings.HasPrefix(text, `257 "/q""uote"`) {
		t.Fatalf(`MKD q"uote: want 257 "/q""uote", got %q`, text)
	}
	c.cmd(`CWD q"uote`, 250)
	if text := c.cmd("PWD", 257); !strings.HasPrefix(text, `257 "/q""uote"`) {
		t.Fatalf(`PWD in q"uote: want 257 "/q""uote", got %q`, text)
	}
}
