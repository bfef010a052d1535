// The login engines against a scripted server that splits replies byte by byte, sends a
// multi-line greeting longer than the raw engine's buffer, or misbehaves.
package bench

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// scriptedFTP answers USER/PASS/QUIT; greeting is sent first, every reply byte by byte.
type scriptedFTP struct {
	ln       net.Listener
	greeting string
	pass     string // reply to PASS
	silent   bool   // never send anything
}

func startScripted(t *testing.T, s *scriptedFTP) Config {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: "u", Pass: "p",
		Timeout: 5 * time.Second, Clients: 3, Count: 9}
}

func (s *scriptedFTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if s.silent {
		c.Read(make([]byte, 1))
		return
	}
	send := func(r string) {
		for i := 0; i < len(r); i++ {
			c.Write([]byte{r[i]})
		}
	}
	send(s.greeting)
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		switch {
		case strings.HasPrefix(line, "USER"):
			send("331 password please\r\n")
		case strings.HasPrefix(line, "PASS"):
			send(s.pass)
		case strings.HasPrefix(line, "QUIT"):
			send("221 bye\r\n")
			return
		default:
			send("502 no\r\n")
		}
	}
}

func TestLoginEnginesSplitAndLongReplies(t *testing.T) {
	// Lines longer than the raw engine's 1 KiB buffer: first, inner and last.
	long := "220-" + strings.Repeat("x", 3000) + "\r\n220-second line\r\n" + strings.Repeat("z", 1500) +
		"\r\n220 ready " + strings.Repeat("r", 2000) + "\r\n"
	for _, net := range []bool{false, true} {
		for _, pipeline := range []bool{false, true} {
			cfg := startScripted(t, &scriptedFTP{greeting: long, pass: "230-welcome\r\n230 in\r\n"})
			cfg.NetLogin, cfg.Pipeline = net, pipeline
			if r := runOne(t, cfg, "login"); r.Ops != 9 || r.ErrorCount() != 0 {
				t.Fatalf("net=%v pipeline=%v: ops=%d errors=%v %v", net, pipeline, r.Ops, r.Errors, r.ErrorText)
			}
		}
	}
}

func TestLoginEnginesErrors(t *testing.T) {
	cases := []struct {
		name  string
		s     scriptedFTP
		class string
		text  string
	}{
		{"530", scriptedFTP{greeting: "220 hi\r\n", pass: "530 no\r\n"}, "5xx", "530"},
		{"421-greeting", scriptedFTP{greeting: "421 busy\r\n"}, "4xx", "421"},
		{"malformed", scriptedFTP{greeting: "hello there\r\n"}, "other", "malformed"},
		{"long-530", scriptedFTP{greeting: "220 " + strings.Repeat("y", 2500) + "\r\n", pass: "530 " + strings.Repeat("n", 2100) + "\r\n"}, "5xx", "530"},
		{"silent", scriptedFTP{silent: true}, "timeout", ""},
	}
	for _, tc := range cases {
		for _, net := range []bool{false, true} {
			s := tc.s
			cfg := startScripted(t, &s)
			cfg.NetLogin, cfg.Count = net, 3
			if tc.name == "silent" {
				cfg.Timeout = 300 * time.Millisecond
			}
			r := runOne(t, cfg, "login")
			if r.Ops != 0 || r.Errors[tc.class] != 3 || !strings.Contains(r.ErrorText[tc.class], tc.text) {
				t.Fatalf("%s net=%v: ops=%d errors=%v %v, want 3 %s", tc.name, net, r.Ops, r.Errors, r.ErrorText, tc.class)
			}
		}
	}
}
