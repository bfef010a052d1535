package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/auth"
)

// TestNoticeLinesSanitized: each line of a notice is one continuation line starting with a
// space, whatever the file holds: CR, LF, NUL, ESC, DEL and IAC cannot end the reply early
// or forge another one, and the bounds hold.
func TestNoticeLinesSanitized(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"\n\n  \n", ""},
		{"hello\n", " hello\r\n"},
		{"a\r\n226 Transfer complete.\r\n250 forged\rmore\n", " a\r\n 226 Transfer complete.\r\n 250 forgedmore\r\n"},
		{"tab\there\x00\x1b[31m\x7f\xffend", " tab here[31mend\r\n"},
		{"x\n\ny\n\n", " x\r\n \r\n y\r\n"},
		{"ünïcode ✓", " ünïcode ✓\r\n"},
	} {
		if got := string(appendNoticeLines(nil, []byte(c.in))); got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
	many := strings.Repeat("line\n", 200)
	if got := strings.Count(string(appendNoticeLines(nil, []byte(many))), "\r\n"); got != noticeMaxLines {
		t.Errorf("%d lines kept, want %d", got, noticeMaxLines)
	}
	big := strings.Repeat("y", 10000)
	if got := len(appendNoticeLines(nil, []byte(big))); got != noticeMaxBytes+3 {
		t.Errorf("a 10000-byte line became %d bytes, want %d", got, noticeMaxBytes+3)
	}
}

// checkReply asserts that out is one well-formed reply of code: every line but the last is
// "code-" (the first) or starts with a space, and only the last is "code ".
func checkReply(t *testing.T, out string, code string) []string {
	t.Helper()
	ls := lines(out)
	for i, l := range ls {
		switch {
		case i == len(ls)-1 && strings.HasPrefix(l, code+" "):
		case i == 0 && len(ls) > 1 && strings.HasPrefix(l, code+"-"):
		case i > 0 && i < len(ls)-1 && strings.HasPrefix(l, " "):
		default:
			t.Fatalf("line %d %q breaks the %s reply %q", i, l, code, out)
		}
	}
	return ls
}

// TestDirMessage: CWD and CDUP show the directory's message file when it is on, sanitized;
// without the file, with it off, or when it is not a regular file, the reply is the plain one.
// A message that is a symbolic link out of the root is not followed.
func TestDirMessage(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("TOP SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	s, ft := newTestSession(t, func(e *Env) {
		e.DirMessage = ".message"
		rw, _ := auth.ParsePerm(auth.ReadWrite)
		if err := e.Auth.(*auth.Static).AddUser("carol", "pw", home, rw); err != nil {
			t.Fatal(err)
		}
	})
	feed(s, ft, "USER carol\r\nPASS pw\r\nMKD pub\r\nMKD pub/empty\r\nMKD pub/link\r\nMKD pub/dir\r\nMKD pub/dir/.message\r\n")
	if err := os.Symlink(outside, filepath.Join(home, "pub", "link", ".message")); err != nil {
		t.Fatal(err)
	}
	write := func(p, text string) {
		f, err := s.login.user.FS.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(text))
		f.Close()
	}
	write("/pub/.message", "Welcome to pub.\r\n250 forged end\r\n\x1b[2Jcleared\n")
	write("/.message", "root message\n")
	got := checkReply(t, feed(s, ft, "CWD pub\r\n"), "250")
	want := []string{"250-Directory message:", " Welcome to pub.", " 250 forged end", " [2Jcleared", `250 "/pub" is the current directory.`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("CWD pub: %q, want %q", got, want)
	}
	if got := checkReply(t, feed(s, ft, "CDUP\r\n"), "250"); len(got) != 3 || got[1] != " root message" {
		t.Errorf("CDUP: %q", got)
	}
	for _, dir := range []string{"/pub/empty", "/pub/dir", "/pub/link"} {
		if got := feed(s, ft, "CWD "+dir+"\r\n"); got != `250 "`+dir+`" is the current directory.`+"\r\n" {
			t.Errorf("CWD %s (no regular message file): %q", dir, got)
		}
	}
	if err := s.env.SetNotices("", ""); err != nil {
		t.Fatal(err)
	}
	if got := feed(s, ft, "CWD /pub\r\n"); got != `250 "/pub" is the current directory.`+"\r\n" {
		t.Errorf("CWD with messages off: %q", got)
	}
	if err := s.env.SetNotices("../x", ""); err == nil {
		t.Error("SetNotices accepted ../x as a message name")
	}
}

// TestWelcome: the welcome text opens the 230 reply, sanitized; SetNotices replaces it for
// later logins.
func TestWelcome(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) { e.Welcome = "Mirror of everything.\n230 fake end\r\nbye\x00" })
	feed(s, ft, "USER bob\r\n")
	checkReply(t, feed(s, ft, "PASS secret\r\n"), "230")
	out := lines(feed(s, ft, "REIN\r\nUSER bob\r\nPASS secret\r\n"))
	want := []string{"220 Ready for new user.", "331 Username ok, send password.", "230-Welcome:", " Mirror of everything.", " 230 fake end", " bye", "230 Login successful."}
	if strings.Join(out, "|") != strings.Join(want, "|") {
		t.Errorf("login: %q, want %q", out, want)
	}
	if err := s.env.SetNotices("", ""); err != nil {
		t.Fatal(err)
	}
	if got := lines(feed(s, ft, "REIN\r\nUSER bob\r\nPASS secret\r\n")); got[len(got)-1] != "230 Login successful." || len(got) != 3 {
		t.Errorf("login without welcome: %q", got)
	}
}

// FuzzNoticeLines: whatever a message file holds, the notice is whole continuation lines
// (" ...\r\n"), no CR, LF, other control character or IAC inside one, within the bounds.
func FuzzNoticeLines(f *testing.F) {
	for _, s := range []string{"", "hello\n", "a\r\n226 x\r\n", "\x00\x1b\xff\x7f\t", strings.Repeat("z\n", 60)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := appendNoticeLines(nil, in)
		if len(out) == 0 {
			return
		}
		if !strings.HasSuffix(string(out), "\r\n") {
			t.Fatalf("%q: output %q does not end in CRLF", in, out)
		}
		ls := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
		if len(ls) > noticeMaxLines {
			t.Fatalf("%q: %d lines", in, len(ls))
		}
		for _, l := range ls {
			if len(l) == 0 || l[0] != ' ' || len(l) > noticeMaxBytes+1 {
				t.Fatalf("%q: bad line %q", in, l)
			}
			for _, c := range []byte(l) {
				if c < 0x20 || c == 0x7f || c == 0xff {
					t.Fatalf("%q: control byte %#x in line %q", in, c, l)
				}
			}
		}
	})
}

// BenchmarkNoticeLines: encoding a full-size message (done once per CWD with messages on).
func BenchmarkNoticeLines(b *testing.B) {
	msg := []byte(strings.Repeat("Welcome to the mirror of everything.\r\n", 100))
	buf := make([]byte, 0, 2*noticeMaxBytes)
	b.ReportAllocs()
	b.SetBytes(noticeMaxBytes)
	for b.Loop() {
		buf = appendNoticeLines(buf[:0], msg)
	}
}
