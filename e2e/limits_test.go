// Server limits and lifecycle: 421 at MaxConns and MaxConnsPerIP (and recovery when a slot
// frees), the idle timeout, and Shutdown letting a running transfer finish.
package e2e

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// expect421 dials and fails unless the server answers 421 and closes the connection.
func expect421(t *testing.T, s *testServer, local net.Addr, what string) {
	t.Helper()
	nc, err := (&net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("%s: dial: %v", what, err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(replyTimeout))
	all, err := io.ReadAll(nc)
	if err != nil && !isReset(err) {
		t.Fatalf("%s: want 421 and a close, got %q, %v", what, all, err)
	}
	if !strings.HasPrefix(string(all), "421") || !strings.HasSuffix(string(all), "\r\n") {
		t.Fatalf("%s: want a 421 line then close, got %q", what, all)
	}
}

// dialFrom opens a greeted control connection from a given local address.
func (s *testServer) dialFrom(t *testing.T, local net.Addr) *ctrl {
	t.Helper()
	nc, err := (&net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("dial from %v: %v", local, err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &ctrl{t: t, c: nc, r: bufio.NewReader(nc), pasvLo: s.PasvMin, pasvHi: s.PasvMax}
	c.expectFor("greeting", 220)
	return c
}

// eventuallyGreeted polls until a new connection gets 220 (a freed slot is noticed
// asynchronously) or the deadline passes.
func eventuallyGreeted(t *testing.T, s *testServer, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		nc, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			_ = nc.SetDeadline(time.Now().Add(2 * time.Second))
			code, text, err := readReply(bufio.NewReader(nc))
			nc.Close()
			if err == nil && code == 220 {
				return
			}
			last = text
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by within
	}
	t.Fatalf("no 220 within %v after a slot was freed (last %q)", within, last)
}

func TestMaxConns(t *testing.T) {
	t.Parallel()
	// pyftpdlib counts its listening socket against max_cons.
	s := startServer(t, withLimit("max_cons=4", func(c *fastftp.Config) { c.MaxConns = 3 }))
	var open []*ctrl
	for range 3 {
		open = append(open, s.login(t))
	}
	expect421(t, s, nil, "4th connection at MaxConns=3")
	expect421(t, s, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, "4th connection from another IP")
	for _, c := range open {
		c.cmd("NOOP", 200) // the admitted sessions are unaffected
	}
	open[0].cmd("QUIT", 221)
	open[0].waitClosed(replyTimeout)
	eventuallyGreeted(t, s, 5*time.Second)
}

func TestMaxConnsPerIP(t *testing.T) {
	t.Parallel()
	s := startServer(t, withLimit("max_cons_per_ip=2", func(c *fastftp.Config) { c.MaxConnsPerIP = 2 }))
	a := s.login(t)
	s.login(t)
	expect421(t, s, nil, "3rd connection from 127.0.0.1 at MaxConnsPerIP=2")
	other := s.dialFrom(t, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)})
	other.loginAs(s.User, s.Pass)
	other.cmd("NOOP", 200)
	a.cmd("QUIT", 221)
	a.waitClosed(replyTimeout)
	eventuallyGreeted(t, s, 5*time.Second)
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, withLimit("timeout=1", func(c *fastftp.Config) { c.IdleTimeout = time.Second }))
	for _, loggedIn := range []bool{false, true} {
		if loggedIn && onPeer() {
			// pyftpdlib 1.5.7 does not fire an idle timer that a command has reset
			// until some other event wakes its loop.
			continue
		}
		c := s.dial(t)
		if loggedIn {
			c.loginAs(s.User, s.Pass)
		}
		start := time.Now()
		code, text, err := c.reply()
		if err != nil || code != 421 {
			t.Fatalf("idle session (logged in %v): want 421, got %q, %v", loggedIn, text, err)
		}
		c.waitClosed(replyTimeout)
		if el := time.Since(start); el < 900*time.Millisecond || el > 5*time.Second {
			t.Fatalf("idle 421 after %v, want about 1 s", el)
		}
	}
}

// TestShutdownFinishesTransfer: Shutdown stops accepting at once, lets a running download
// complete byte-exact within its context, then closes the sessions and Serve returns.
func TestShutdownFinishesTransfer(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "Server.Shutdown")
	s := startServer(t)
	want := writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 41, 16<<20)
	idle := s.login(t)
	c := s.login(t)
	c.cmd("TYPE I", 200)
	dc := c.pasv()
	c.cmd("RETR big.bin", 125, 150)
	h := newHashWriter()
	if _, err := io.CopyN(h, dc, 64<<10); err != nil {
		t.Fatalf("first 64 KiB: %v", err)
	}
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		shut <- s.srv.Shutdown(ctx)
	}()
	// Accepting stops: poll until a dial is refused (or gets no greeting).
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s.probe() != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server still greets new clients 5 s after Shutdown began")
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by deadline
	}
	if _, err := io.Copy(h, dc); err != nil {
		t.Fatalf("rest of the download during Shutdown: %v", err)
	}
	if h.sum() != want {
		t.Fatalf("download during Shutdown: %d bytes, sha mismatch", h.n)
	}
	if code, text, err := c.reply(); err == nil && code != 226 && code != 421 {
		t.Fatalf("after the transfer during Shutdown: want 226 (or 421), got %q", text)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	rest := idle.waitClosed(replyTimeout)
	if rest != "" && !strings.HasPrefix(rest, "421") {
		t.Fatalf("idle session at Shutdown: want close (optionally 421), got %q", rest)
	}
}

// TestDataTimeout: with DataTimeout 1 s, a passive connection never made and a download the
// client stops reading both end with an error reply in a few seconds instead of hanging
// the session (pyftpdlib answers 421 and closes; 425/426 keep the session).
func TestDataTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, withConfig("DataTimeout 1s", func(c *fastftp.Config) { c.DataTimeout = time.Second }))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 71, 32<<20)
	check := func(c *ctrl, what string) {
		t.Helper()
		start := time.Now()
		code, _ := c.expectFor(what, 421, 425, 426)
		if el := time.Since(start); el > 8*time.Second {
			t.Fatalf("%s: error reply after %v, want about 1 s", what, el)
		}
		if code == 421 {
			c.waitClosed(replyTimeout)
			return
		}
		c.cmd("NOOP", 200) // the session outlives its failed transfer
	}

	c := s.login(t)
	c.cmd("TYPE I", 200)
	c.cmd("PASV", 227) // never connected
	c.send("RETR big.bin")
	code, text, err := c.reply()
	if err != nil {
		t.Fatalf("RETR without connecting: %v", err)
	}
	if code == 125 || code == 150 {
		check(c, "RETR without a data connection")
	} else if code != 421 && code != 425 {
		t.Fatalf("RETR without connecting: want 150 then 425, or 425, got %q", text)
	}

	c2 := s.login(t)
	c2.cmd("TYPE I", 200)
	dc := c2.pasv()
	c2.cmd("RETR big.bin", 125, 150)
	if _, err := io.ReadFull(dc, make([]byte, 64<<10)); err != nil {
		t.Fatalf("first 64 KiB: %v", err)
	}
	check(c2, "RETR whose client stopped reading") // dc is never read again

	// A half-open upload: the client sends 1 KiB and then nothing, never closing.
	c3 := s.login(t)
	c3.cmd("TYPE I", 200)
	up := c3.pasv()
	c3.cmd("STOR half.bin", 125, 150)
	if _, err := up.Write(randomBytes(9, 1<<10)); err != nil {
		t.Fatal(err)
	}
	check(c3, "STOR whose client went silent")
	if fi, err := os.Stat(filepath.Join(s.Root, "half.bin")); err == nil && fi.Size() > 1<<10 {
		t.Errorf("half-open upload left %d bytes, more than were sent", fi.Size())
	}
}
