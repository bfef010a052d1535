package testkit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadReply(t *testing.T) {
	long := strings.Repeat("z", 5000) // longer than bufio's 4096-byte buffer
	for _, c := range []struct {
		in, text string
		code     int
		err      string
	}{
		{"220 ready\r\n", "220 ready", 220, ""},
		{"211-Features:\r\n EPSV\r\n211-x\r\n211 End\r\n", "211-Features:\n EPSV\n211-x\n211 End", 211, ""},
		{"214-" + long + "\r\n" + long + "\r\n214 end\r\n", "214-" + long + "\n" + long + "\n214 end", 214, ""},
		{"220 no CR\n", "", 0, "not ended by CRLF"},
		{"211-a\r\n b\n211 c\r\n", "", 0, "not ended by CRLF"},
		{"220\r\n", "", 0, "malformed reply line"},
		{"631 protected\r\n", "", 0, "malformed reply line"},
		{"hello\r\n", "", 0, "malformed"},
		{"211-a\r\n b\r\n", "211-a\n b", 0, "read reply"},
	} {
		code, text, err := ReadReply(bufio.NewReader(strings.NewReader(c.in + "200 next\r\n")))
		if c.err == "" {
			if err != nil || code != c.code || text != c.text {
				t.Errorf("ReadReply(%.40q) = %d %.60q %v, want %d %.60q", c.in, code, text, err, c.code, c.text)
			}
			continue
		}
		if c.text != "" { // truncated: no "200 next" after it
			code, text, err = ReadReply(bufio.NewReader(strings.NewReader(c.in)))
			if text != c.text {
				t.Errorf("ReadReply(%q) text %q, want what was read, %q", c.in, text, c.text)
			}
		}
		if err == nil || code != 0 || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ReadReply(%q) = %d %v, want an error with %q", c.in, code, err, c.err)
		}
	}
}

// fakeServer answers a scripted conversation on 127.0.0.1 and serves one data connection
// on a port of its own, sending payload.
func fakeServer(t *testing.T, payload string) string {
	ln := Listen(t)
	data := Listen(t)
	port := data.Addr().(*net.TCPAddr).Port
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		io.WriteString(c, "220-hello\r\n220 ready\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.TrimSpace(line); {
			case strings.HasPrefix(cmd, "USER"):
				io.WriteString(c, "331 pass?\r\n")
			case strings.HasPrefix(cmd, "PASS"):
				io.WriteString(c, "230 in\r\n")
			case cmd == "PASV":
				fmt.Fprintf(c, "227 Entering Passive Mode (10,9,8,7,%d,%d).\r\n", port>>8, port&255)
			case cmd == "EPSV":
				fmt.Fprintf(c, "229 Entering Extended Passive Mode (|||%d|)\r\n", port)
			case cmd == "RETR f":
				io.WriteString(c, "150 go\r\n")
				if dc, err := data.Accept(); err == nil {
					io.WriteString(dc, payload)
					dc.Close()
				}
				io.WriteString(c, "226 done\r\n")
			default:
				io.WriteString(c, "500 what?\r\n")
			}
		}
	}()
	return ln.Addr().String()
}

func TestCtrl(t *testing.T) {
	for _, passive := range []string{"PASV", "EPSV"} {
		c := Dial(t, fakeServer(t, "payload "+passive))
		if g := c.Expect(220); g != "220-hello\n220 ready" {
			t.Fatalf("greeting %q", g)
		}
		c.Login("u", "p")
		// PASV's address (10.9.8.7) is not dialed: the control peer is.
		dc := c.PASV
		if passive == "EPSV" {
			dc = c.EPSV
		}
		d := dc()
		c.Cmd("RETR f", 150)
		b, err := io.ReadAll(d)
		if err != nil || string(b) != "payload "+passive {
			t.Fatalf("%s data %q %v", passive, b, err)
		}
		c.Expect(226)
		if code, text, err := (func() (int, string, error) { c.Send("NOOP"); return c.Reply() })(); code != 500 || text != "500 what?" || err != nil {
			t.Fatalf("NOOP: %d %q %v", code, text, err)
		}
	}
}

// TestExpectFails: an unexpected code fails the test (checked on a test double).
func TestExpectFails(t *testing.T) {
	ft := &fatalT{TB: t}
	c := Dial(t, fakeServer(t, ""))
	c.T = ft
	func() {
		defer func() { recover() }()
		c.Expect(221) // the greeting is 220
	}()
	if !ft.failed.Load() {
		t.Fatal("Expect(221) on a 220 did not fail the test")
	}
}

type fatalT struct {
	testing.TB
	failed atomic.Bool
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatalf(string, ...any) {
	f.failed.Store(true)
	panic("fatal")
}

type fakeSrv struct{ served, shut atomic.Bool }

func (f *fakeSrv) Serve(ln net.Listener) error {
	f.served.Store(true)
	c, err := ln.Accept()
	if err == nil {
		io.WriteString(c, "220 fake\r\n")
		c.Close()
	}
	return err
}

func (f *fakeSrv) Shutdown(context.Context) error { f.shut.Store(true); return nil }

func TestServe(t *testing.T) {
	f := &fakeSrv{}
	t.Run("serve", func(t *testing.T) {
		addr := Serve(t, f)
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Fatalf("address %s", addr)
		}
		Greeted(t, addr)
	})
	if !f.shut.Load() {
		t.Fatal("Serve's cleanup did not shut the server down")
	}
}
