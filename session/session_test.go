package session

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/reactor"
)

// fakeTransport collects replies; Post runs work inline, as a loop would later.
type fakeTransport struct {
	out    []byte
	closed bool
	reason reactor.CloseReason // the first one given to Close
	posted chan func()
}

func (f *fakeTransport) Out() *[]byte   { return &f.out }
func (f *fakeTransport) Post(fn func()) { f.posted <- fn }
func (f *fakeTransport) Close(r reactor.CloseReason) {
	if !f.closed {
		f.closed, f.reason = true, r
	}
}

// newTestSession starts a session of user bob/secret on a fresh Env; opts change the Env
// before it starts.
func newTestSession(t testing.TB, opts ...func(*Env)) (*Session, *fakeTransport) {
	t.Helper()
	st := auth.NewStatic()
	perm, _ := auth.ParsePerm(auth.ReadWrite)
	if err := st.AddUser("bob", "secret", t.TempDir(), perm); err != nil {
		t.Fatal(err)
	}
	env := &Env{Auth: st, Banner: "test ready.", FailedLoginDelay: -1, Log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(env)
	}
	env.Start()
	t.Cleanup(env.Stop)
	ft := &fakeTransport{posted: make(chan func(), 16)}
	s := New(env, netip.MustParseAddrPort("127.0.0.1:21"), netip.MustParseAddrPort("127.0.0.1:40000"))
	s.Start(ft)
	return s, ft
}

// feed runs input through the session, running posted completions (as the loop would)
// until all input is consumed or the session stops consuming it.
func feed(s *Session, ft *fakeTransport, in string) string {
	ft.out = ft.out[:0]
	buf := []byte(in)
	for {
		n := s.Feed(buf)
		buf = buf[n:]
		switch {
		case s.conn.closing:
			return string(ft.out)
		case s.current.busy:
			(<-ft.posted)()
		case len(buf) == 0 || n == 0:
			return string(ft.out)
		}
	}
}

func TestGreetingAndLogin(t *testing.T) {
	s, ft := newTestSession(t)
	if got := string(ft.out); got != "220 test ready.\r\n" {
		t.Fatalf("greeting = %q", got)
	}
	got := feed(s, ft, "PWD\r\nUSER bob\r\nPASS wrong\r\nUSER bob\r\nPASS secret\r\nPWD\r\n")
	want := "530 Log in with USER and PASS first.\r\n" +
		"331 Username ok, send password.\r\n" +
		"530 Authentication failed.\r\n" +
		"331 Username ok, send password.\r\n" +
		"230 Login successful.\r\n" +
		"257 \"/\" is the current directory.\r\n"
	if got != want {
		t.Fatalf("replies:\n%s\nwant:\n%s", got, want)
	}
}

func TestPipelinedInOrder(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	got := feed(s, ft, "MKD d\r\nCWD d\r\nPWD\r\nCDUP\r\nRMD d\r\nNOOP\r\n")
	want := []string{"257 \"/d\" directory created.", "250 \"/d\" is the current directory.",
		"257 \"/d\" is the current directory.", "250 \"/\" is the current directory.",
		"250 Directory removed.", "200 NOOP ok."}
	lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d replies %q, want %d", len(lines), lines, len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("reply %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestLineTooLongCloses(t *testing.T) {
	s, ft := newTestSession(t)
	got := feed(s, ft, strings.Repeat("A", 5000))
	if !strings.HasPrefix(got, "500 ") || !ft.closed || ft.reason != reactor.ReasonLineTooLong {
		t.Fatalf("got %q closed=%v reason=%v; want 500 and close for line_too_long", got, ft.closed, ft.reason)
	}
}

func TestBytesString(t *testing.T) {
	b := []byte("name with spaces")
	if s := bytesString(b); s != "name with spaces" {
		t.Fatalf("bytesString = %q", s)
	}
	if s := bytesString(nil); s != "" {
		t.Fatalf("bytesString(nil) = %q", s)
	}
}

func TestPermFact(t *testing.T) {
	for _, tc := range []struct {
		letters  string
		dir      bool
		wantFact string
	}{
		{"elradfmwMT", true, "cdeflmp"},
		{"elradfmwMT", false, "adfrw"},
		{"elr", true, "el"},
		{"elr", false, "r"},
		{"e", false, ""},
	} {
		u := &auth.User{Perm: auth.MustParsePerm(tc.letters)}
		if got := permFact(u, "/x", tc.dir); got != tc.wantFact {
			t.Errorf("permFact(%s, dir=%v) = %q, want %q", tc.letters, tc.dir, got, tc.wantFact)
		}
	}
}

// TestDrainAnswers421: once the Env drains, a session's next command is answered 421 and
// closes it (a client looping transfers reconnects instead of holding a draining server);
// QUIT still says goodbye.
func TestDrainAnswers421(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	s.env.Drain()
	if got := feed(s, ft, "PASV\r\nNOOP\r\n"); got != "421 Server shutting down.\r\n" || !ft.closed {
		t.Fatalf("PASV while draining: %q closed=%v; want only 421 and a close", got, ft.closed)
	}
	s, ft = newTestSession(t, func(e *Env) { e.Drain() })
	if got := feed(s, ft, "QUIT\r\n"); !strings.HasPrefix(got, "221 ") || !ft.closed {
		t.Fatalf("QUIT while draining: %q; want 221", got)
	}
}
