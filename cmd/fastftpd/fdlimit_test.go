package main

import (
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// TestPASVAtFDLimit runs fastftpd with 48 descriptors: sessions that each hold a passive
// listener run it out of descriptors at PASV. Those PASVs get 425, the server keeps
// serving, and once sessions leave PASV works again.
func TestPASVAtFDLimit(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd, port, log := startBinary(t, "sh", dir, "-c", `ulimit -n 48 && exec "$0" "$@"`, bin,
		"-i", "127.0.0.1", "-p", "0", "-d", dir, "-r", "23000-23999")
	_ = cmd
	addr := net.JoinHostPort("127.0.0.1", port)
	type session struct {
		c  net.Conn
		tp *textproto.Conn
	}
	login := func() (*session, error) {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return nil, err
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		tp := textproto.NewConn(c)
		if _, _, err := tp.ReadResponse(220); err != nil {
			c.Close()
			return nil, err
		}
		for _, l := range []struct {
			cmd  string
			code int
		}{{"USER anonymous", 331}, {"PASS x", 230}} {
			id, _ := tp.Cmd("%s", l.cmd)
			tp.StartResponse(id)
			_, _, err := tp.ReadResponse(l.code)
			tp.EndResponse(id)
			if err != nil {
				c.Close()
				return nil, err
			}
		}
		return &session{c, tp}, nil
	}
	pasv := func(s *session) (int, string) {
		id, _ := s.tp.Cmd("PASV")
		s.tp.StartResponse(id)
		defer s.tp.EndResponse(id)
		code, msg, _ := s.tp.ReadResponse(0)
		return code, msg
	}
	// Log in until accepting fails for want of descriptors, free two sessions' worth, then
	// PASV on every session left: the listeners run out of descriptors at PASV.
	var held []*session
	for i := 0; i < 40; i++ {
		s, err := login()
		if err != nil {
			break
		}
		held = append(held, s)
	}
	if len(held) < 4 {
		t.Fatalf("only %d sessions logged in:\n%s", len(held), log.String())
	}
	held[0].c.Close()
	held[1].c.Close()
	held = held[2:]
	time.Sleep(300 * time.Millisecond) // the server notices they left
	refused := ""
	for _, s := range held {
		code, msg := pasv(s)
		if code == 227 {
			continue
		}
		if code != 425 {
			t.Fatalf("PASV at the descriptor limit: %d %s, want 425", code, msg)
		}
		refused = msg
		break
	}
	if refused == "" {
		t.Fatalf("%d sessions each holding a passive listener never reached the 48-descriptor limit:\n%s", len(held), log.String())
	}
	for _, s := range held {
		s.c.Close()
	}
	// Serving again: a new session's PASV gets 227 once the old ones are gone.
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, err := login()
		if err == nil {
			code, msg := pasv(s)
			s.c.Close()
			if code == 227 {
				break
			}
			err = fmt.Errorf("PASV %d %s", code, msg)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no PASV after the sessions left: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(strings.ToLower(refused), "passive") && !strings.Contains(refused, "open") { // says what failed
		t.Errorf("the 425 does not say what failed: %q", refused)
	}
}
