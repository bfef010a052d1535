// A tiny FTP server in Go for failures a real server won't produce: it keeps uploads in
// memory and can serve them corrupted (one flipped byte) or truncated.
package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeFTP struct {
	ln       net.Listener
	mu       sync.Mutex
	files    map[string][]byte
	flip     bool // serve RETR with byte 100 flipped
	truncate bool // serve RETR one byte short
	// refuse, when set, is asked about every PASS by its 1-based arrival number: true
	// answers 421 and closes, as a server at its connection limit does.
	refuse func(n int) bool
	// hang, when set, is asked the same: true never answers that PASS, as a server whose
	// listen backlog is full leaves a client waiting.
	hang   func(n int) bool
	logins int
}

func startFake(t *testing.T) *fakeFTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFTP{ln: ln, files: map[string][]byte{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeFTP) config() Config {
	return Config{Host: "127.0.0.1", Port: f.ln.Addr().(*net.TCPAddr).Port, User: "u", Pass: "p",
		Timeout: 5 * time.Second, Clients: 2, FileSize: 200 << 10, Count: 6}
}

func (f *fakeFTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	var pasv net.Listener
	reply := func(s string) { io.WriteString(c, s+"\r\n") }
	reply("220 fake")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "USER":
			reply("331 pass")
		case "PASS":
			f.mu.Lock()
			f.logins++
			n := f.logins
			f.mu.Unlock()
			if f.refuse != nil && f.refuse(n) {
				reply("421 too many users")
				return
			}
			if f.hang != nil && f.hang(n) {
				io.Copy(io.Discard, r) // until the client gives up and closes
				return
			}
			reply("230 in")
		case "TYPE", "NOOP":
			reply("200 ok")
		case "MKD":
			reply("257 made")
		case "QUIT":
			reply("221 bye")
			return
		case "DELE":
			f.mu.Lock()
			delete(f.files, arg)
			f.mu.Unlock()
			reply("250 gone")
		case "SIZE":
			f.mu.Lock()
			b, ok := f.files[arg]
			f.mu.Unlock()
			if !ok {
				reply("550 no")
				continue
			}
			reply(fmt.Sprintf("213 %d", len(b)))
		case "PASV", "EPSV":
			pasv, _ = net.Listen("tcp", "127.0.0.1:0")
			p := pasv.Addr().(*net.TCPAddr).Port
			if verb == "EPSV" {
				reply(fmt.Sprintf("229 ok (|||%d|)", p))
			} else {
				reply(fmt.Sprintf("227 ok (127,0,0,1,%d,%d)", p>>8, p&255))
			}
		case "STOR", "RETR":
			if pasv == nil {
				reply("425 no data")
				continue
			}
			f.mu.Lock()
			data, ok := f.files[arg]
			f.mu.Unlock()
			if verb == "RETR" && !ok {
				pasv.Close()
				pasv = nil
				reply("550 no such file")
				continue
			}
			reply("150 go")
			dc, err := pasv.Accept()
			pasv.Close()
			pasv = nil
			if err != nil {
				return
			}
			if verb == "STOR" {
				b, _ := io.ReadAll(dc)
				f.mu.Lock()
				f.files[arg] = b
				f.mu.Unlock()
			} else {
				out := bytes.Clone(data)
				if f.flip && len(out) > 100 {
					out[100] ^= 0x40
				}
				if f.truncate && len(out) > 0 {
					out = out[:len(out)-1]
				}
				dc.Write(out)
			}
			dc.Close()
			reply("226 done")
		default:
			reply("502 not here")
		}
	}
}

func TestVerifyCatchesCorruption(t *testing.T) {
	f := startFake(t)
	cfg := f.config()
	cfg.Verify = true
	if r := runOne(t, cfg, "retr"); r.Ops != 6 || r.ErrorCount() != 0 {
		t.Fatalf("clean server: ops=%d errors=%v %v", r.Ops, r.Errors, r.ErrorText)
	}
	f.flip = true
	cfg.Keep = true // the file is uploaded once, then served corrupted
	r := runOne(t, cfg, "retr")
	if r.Ops != 0 || r.Errors["corrupt"] != 6 {
		t.Fatalf("flipped byte: ops=%d errors=%v, want 6 corrupt", r.Ops, r.Errors)
	}
	// Without --verify the flip goes unnoticed: the check is what catches it.
	cfg.Verify = false
	if r := runOne(t, cfg, "retr"); r.Ops != 6 || r.ErrorCount() != 0 {
		t.Fatalf("no verify: ops=%d errors=%v", r.Ops, r.Errors)
	}
	f.flip, f.truncate = false, true
	if r := runOne(t, cfg, "retr"); r.Errors["short"] != 6 {
		t.Fatalf("truncated: errors=%v, want 6 short", r.Errors)
	}
}

func TestVerifyStorReadBack(t *testing.T) {
	f := startFake(t)
	cfg := f.config()
	cfg.Verify, cfg.Keep = true, true
	if r := runOne(t, cfg, "stor"); r.Ops != 6 || r.ErrorCount() != 0 {
		t.Fatalf("clean: ops=%d errors=%v %v", r.Ops, r.Errors, r.ErrorText)
	}
	f.flip = true
	r := runOne(t, cfg, "stor")
	if r.Errors["corrupt"] != 2 { // one read-back per stream
		t.Fatalf("flipped read-back: errors=%v, want 2 corrupt", r.Errors)
	}
}

// TestIncompleteWhenLoginsRefused: the classic concurrent phases against a server that
// refuses, or never answers, half of the N simultaneous logins. The missing sessions are errors in every
// later phase, not 0-byte successes, and each row says it is incomplete; the same run
// against a server that admits everyone has no incomplete row.
func TestIncompleteWhenLoginsRefused(t *testing.T) {
	const n = 6
	run := func(refuse, hang func(int) bool) (*Report, string) {
		f := startFake(t)
		f.refuse, f.hang = refuse, hang
		cfg := f.config()
		cfg.Clients, cfg.Count, cfg.FileSize = n, 2, 64<<10
		cfg.Timeout = time.Second // how long a hung login waits
		rep, err := Run(testCtx(t), cfg, "concurrence")
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		var b strings.Builder
		rep.PrintTable(&b, true)
		return rep, b.String()
	}
	// The connect phase is the run's first n logins: refuse the even ones, or never answer
	// them.
	even := func(i int) bool { return i <= n && i%2 == 0 }
	for _, c := range []struct {
		name         string
		refuse, hang func(int) bool
		class        string
	}{{"refused", even, nil, "4xx"}, {"hung", nil, even, "timeout"}} {
		t.Run(c.name, func(t *testing.T) {
			rep, table := run(c.refuse, c.hang)
			checkHalfMissing(t, rep, table, c.class)
		})
	}

	rep, table := run(nil, nil)
	for _, r := range rep.Results {
		if r.Incomplete || r.ErrorCount() != 0 || r.SessionsMissing != 0 {
			t.Fatalf("clean run: %s incomplete=%v %q errors=%v", r.Scenario, r.Incomplete, r.IncompleteReason, r.Errors)
		}
		if r.Loop == "once" && r.Scenario != "classic.connect" && r.Scenario != "classic.quit" && r.Bytes != r.BytesExpected {
			t.Fatalf("clean run: %s moved %d of %d", r.Scenario, r.Bytes, r.BytesExpected)
		}
	}
	if strings.Contains(table, "INCOMPLETE") {
		t.Fatalf("clean run marked incomplete:\n%s", table)
	}
}

// checkHalfMissing checks a classic concurrent run where 3 of its 6 clients never logged
// in (their logins failed with class): errors in every later phase, incomplete rows.
func checkHalfMissing(t *testing.T, rep *Report, table, class string) {
	t.Helper()
	const n = 6
	byKey := map[string]*Result{}
	for _, r := range rep.Results {
		byKey[r.Scenario] = r
	}
	conn := byKey["classic.connect"]
	if conn == nil || conn.Ops != n/2 || conn.Errors[class] != n/2 || !conn.Incomplete ||
		conn.IncompleteReason != "3 of 6 sessions never logged in" {
		t.Fatalf("connect row: %+v", conn)
	}
	for _, key := range []string{"classic.retr_all", "classic.stor_all"} {
		r := byKey[key]
		if r == nil || r.Ops != n/2 || r.Errors["no_session"] != n/2 || r.Bytes != n/2*64<<10 ||
			r.BytesExpected != n*64<<10 || !r.Incomplete {
			t.Fatalf("%s: %+v", key, r)
		}
		if r.IncompleteReason != "3 of 6 sessions never logged in; moved 192.0K of 384.0K" {
			t.Fatalf("%s reason %q", key, r.IncompleteReason)
		}
	}
	if q := byKey["classic.quit"]; q.Ops != n/2 || q.Errors["no_session"] != n/2 || !q.Incomplete {
		t.Fatalf("quit row: %+v", q)
	}
	if r := byKey["classic.retr_idle"]; !r.Incomplete || r.IncompleteReason != "3 of 7 sessions never logged in" {
		t.Fatalf("retr with idle clients: incomplete=%v %q", r.Incomplete, r.IncompleteReason)
	}
	if !strings.Contains(table, "INCOMPLETE: 3 of 6 sessions never logged in; moved 192.0K of 384.0K") ||
		!strings.Contains(table, "bytes moved 192.0K of 384.0K expected") {
		t.Fatalf("table does not mark the incomplete rows:\n%s", table)
	}
	b, err := json.Marshal(byKey["classic.retr_all"])
	if err != nil || !strings.Contains(string(b), `"incomplete":true`) || !strings.Contains(string(b), `"incomplete_reason":"3 of 6`) {
		t.Fatalf("json: %s %v", b, err)
	}
}
