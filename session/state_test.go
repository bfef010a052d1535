package session

import (
	"strings"
	"testing"
	"unsafe"
)

// TestSessionSize holds the idle session in its allocation size class: Session is what
// every idle connection costs on the heap (state only some sessions need hangs from
// pointers allocated on first use). 208 bytes was the size before the state was grouped by
// lifetime; growing past it moves every session into the next size class.
func TestSessionSize(t *testing.T) {
	if n := unsafe.Sizeof(Session{}); n > 208 {
		t.Fatalf("Session is %d bytes, want at most 208 (one size class per idle session)", n)
	}
}

// lines splits replies into lines without the trailing CRLF.
func lines(out string) []string {
	return strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
}

// TestREINResetsTheLogin: everything a login set (directory, TYPE, EPSV ALL, OPTS MLST and
// HASH, PASV, REST, RNFR, RANG) is back to its default after REIN and a new login, through
// the replies a client sees.
func TestREINResetsTheLogin(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\nMKD d\r\nCWD d\r\n")
	setup := "TYPE A\r\nOPTS MLST type;size;\r\nOPTS HASH MD5\r\nPASV\r\nREST 10\r\nRANG 0 5\r\nRNFR /d\r\nEPSV ALL\r\n"
	got := lines(feed(s, ft, setup))
	if len(got) != 8 || !strings.HasPrefix(got[3], "227 ") || !strings.HasPrefix(got[6], "350 ") || got[7] != "200 EPSV ALL command successful." {
		t.Fatalf("setup replies: %q", got)
	}
	if got := feed(s, ft, "REIN\r\n"); got != "220 Ready for new user.\r\n" {
		t.Fatalf("REIN: %q", got)
	}
	if got := feed(s, ft, "PWD\r\n"); !strings.HasPrefix(got, "530 ") {
		t.Fatalf("PWD after REIN, before login: %q, want 530", got)
	}
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	for _, c := range []struct{ cmd, want string }{
		{"PWD", `257 "/" is the current directory.`},
		{"RNTO /e", "503 Bad sequence of commands: use RNFR first."},
		{"RETR x", "425 Use PORT or PASV first."},
		{"OPTS HASH", "200 SHA-256"},
		{"PASV", "227 "}, // not "501 PASV not allowed after EPSV ALL."
	} {
		if got := feed(s, ft, c.cmd+"\r\n"); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s after REIN: %q, want %q", c.cmd, got, c.want)
		}
	}
	if got := feed(s, ft, "STAT\r\n"); !strings.Contains(got, "TYPE: Binary") {
		t.Errorf("STAT after REIN: %q, want TYPE: Binary", got)
	}
	if got := feed(s, ft, "FEAT\r\n"); !strings.Contains(got, " MLST type*;size*;modify*;perm*;") {
		t.Errorf("FEAT after REIN: %q, want the default MLST facts starred", got)
	}
	feed(s, ft, "ABOR\r\n") // closes the PASV listener
	if s.login.next.rest != 0 || s.login.next.rang {
		t.Errorf("after REIN: REST %d, RANG %v; want neither", s.login.next.rest, s.login.next.rang)
	}
}

// TestREINKeepsFailedLogins: the failed-login count belongs to the connection, so REIN
// cannot buy a password guesser fresh attempts.
func TestREINKeepsFailedLogins(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) { e.MaxLoginAttempts = 2 })
	if got := feed(s, ft, "USER bob\r\nPASS wrong\r\nREIN\r\n"); !strings.Contains(got, "530 Authentication failed.") {
		t.Fatalf("first failure: %q", got)
	}
	got := feed(s, ft, "USER bob\r\nPASS wrong\r\n")
	if !strings.Contains(got, "530 Maximum login attempts. Disconnecting.") || !ft.closed {
		t.Fatalf("second failure after REIN: %q closed=%v; want the connection closed", got, ft.closed)
	}
}

// TestIdleSharesTheWatchWord: SITE IDLE's seconds and the reaper's flags live in one word;
// setting either leaves the other as it was.
func TestIdleSharesTheWatchWord(t *testing.T) {
	var c connection
	c.watch(watchLoggedIn, true)
	c.setIdle(600)
	c.watch(watchTransferring, true)
	if c.idleSecs() != 600 || !c.watching(watchLoggedIn) || !c.watching(watchTransferring) {
		t.Fatalf("idle %d, logged in %v, transferring %v", c.idleSecs(), c.watching(watchLoggedIn), c.watching(watchTransferring))
	}
	c.watch(watchTransferring, false)
	c.setIdle(1 << 31) // clamped, never spilling into the flags
	if c.idleSecs() != maxIdle || !c.watching(watchLoggedIn) || c.watching(watchTransferring) {
		t.Fatalf("after clamp: idle %d, flags %b", c.idleSecs(), c.watched.Load()&watchMask)
	}
	c.setIdle(0)
	if c.idleSecs() != 0 || !c.watching(watchLoggedIn) {
		t.Fatalf("after reset: idle %d, flags %b", c.idleSecs(), c.watched.Load()&watchMask)
	}
}
