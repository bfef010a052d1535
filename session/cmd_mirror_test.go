package session

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/reactor"
	"github.com/fastftp/fastftp/vfs"
)

// TestCLNT: CLNT is answered before and after login and logged with the session, its name
// stripped of control characters and cut at maxClientName.
func TestCLNT(t *testing.T) {
	var logs bytes.Buffer
	s, ft := newTestSession(t, func(e *Env) { e.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	long := strings.Repeat("x", 100)
	got := feed(s, ft, "CLNT lftp 4.9\x01\x7f\r\nCLNT\r\nUSER bob\r\nPASS secret\r\nCLNT "+long+"\r\n")
	want := "200 Noted.\r\n501 Syntax error: command needs an argument.\r\n331 Username ok, send password.\r\n230 Login successful.\r\n200 Noted.\r\n"
	if got != want {
		t.Fatalf("replies:\n%q\nwant\n%q", got, want)
	}
	l := logs.String()
	if !strings.Contains(l, `msg=client remote=127.0.0.1:40000 user="" name="lftp 4.9"`) {
		t.Errorf("no client line before login in:\n%s", l)
	}
	if !strings.Contains(l, "user=bob name="+long[:maxClientName]+"\n") {
		t.Errorf("long name not cut to %d bytes in:\n%s", maxClientName, l)
	}
}

// TestSiteIdle: SITE IDLE shows and sets the session's idle timeout between 30 s and the
// server's, REIN forgets it, and SITE HELP lists it.
func TestSiteIdle(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) { e.IdleTimeout = 10 * time.Minute })
	if got := feed(s, ft, "SITE IDLE\r\n"); !strings.HasPrefix(got, "530 ") {
		t.Fatalf("SITE IDLE before login: %q", got)
	}
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	for _, c := range []struct{ in, want string }{
		{"SITE IDLE", "200 Current idle timeout is 600 seconds; the maximum is 600 seconds."},
		{"SITE IDLE 60", "200 Idle timeout set to 60 seconds."},
		{"site idle", "200 Current idle timeout is 60 seconds; the maximum is 600 seconds."},
		{"SITE IDLE 29", "501 Idle timeout must be between 30 and 600 seconds."},
		{"SITE IDLE 601", "501 Idle timeout must be between 30 and 600 seconds."},
		{"SITE IDLE -5", "501 Idle timeout must be between 30 and 600 seconds."},
		{"SITE IDLE 99999999999999999999", "501 Idle timeout must be between 30 and 600 seconds."},
		{"SITE IDLE 60\r\nREIN\r\nUSER bob\r\nPASS secret\r\nSITE IDLE", "200 Current idle timeout is 600 seconds; the maximum is 600 seconds."},
	} {
		got := lines(feed(s, ft, c.in+"\r\n"))
		if got[len(got)-1] != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
	if got := feed(s, ft, "SITE HELP\r\n"); !strings.Contains(got, "\r\n IDLE [<seconds>]") {
		t.Errorf("SITE HELP does not list IDLE: %q", got)
	}

	s2, ft2 := newTestSession(t)
	feed(s2, ft2, "USER bob\r\nPASS secret\r\n")
	if got := feed(s2, ft2, "SITE IDLE\r\nSITE IDLE 60\r\n"); got != "200 No idle timeout on this server.\r\n504 No idle timeout on this server: SITE IDLE cannot set one.\r\n" {
		t.Errorf("without a server idle timeout: %q", got)
	}
}

// TestSiteIdleReaped: the reaper closes a session on its own idle timeout, not the
// server's (set here below SITE IDLE's floor so the test does not wait 30 s).
func TestSiteIdleReaped(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) { e.IdleTimeout = time.Hour })
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	s.conn.setIdle(1)
	deadline := time.After(10 * time.Second)
	for !ft.closed {
		select {
		case fn := <-ft.posted:
			fn()
		case <-deadline:
			t.Fatal("a session idle past its SITE IDLE timeout was not closed within 10 s")
		}
	}
	if ft.reason != reactor.ReasonIdleTimeout || !strings.HasSuffix(string(ft.out), "421 Control connection timed out.\r\n") {
		t.Fatalf("closed for %v with %q", ft.reason, ft.out)
	}
}

// hiddenFdFS serves files that are not *os.File (as a custom storage would): AVBL cannot
// statfs them.
type hiddenFdFS struct{ vfs.FS }

type hiddenFdFile struct{ vfs.File }

func (h hiddenFdFS) Open(name string) (vfs.File, error) {
	f, err := h.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return hiddenFdFile{f}, nil
}

// TestAVBLUnsupportedStorage: storage without a descriptor gets a clear 502.
func TestAVBLUnsupportedStorage(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	u := *s.login.user
	u.FS = hiddenFdFS{u.FS}
	s.login.user = &u
	if got := feed(s, ft, "AVBL\r\n"); got != "502 AVBL not supported by this server's storage.\r\n" {
		t.Errorf("AVBL on storage without descriptors: %q", got)
	}
}
