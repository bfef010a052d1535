// Tests of Static: anonymous and virtual users, hashes, shared homes, reloads under -race.
package auth

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func login(s *Static, user, pass string) (*User, error) {
	return s.Authenticate(context.Background(), user, pass, loopback)
}

func homeWith(t *testing.T, file string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAnonymous(t *testing.T) {
	s := NewStatic()
	if _, err := login(s, "anonymous", "x"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("anonymous before AddAnonymous: %v", err)
	}
	home := homeWith(t, "pub.txt")
	if err := s.AddAnonymous(home, MustParsePerm(ReadOnly)); err != nil {
		t.Fatal(err)
	}
	var first *User
	for _, name := range []string{"anonymous", "ftp", "Anonymous", "FTP"} {
		for _, pass := range []string{"", "guest@example.com", "anything"} {
			u, err := login(s, name, pass)
			if err != nil {
				t.Fatalf("%s/%q: %v", name, pass, err)
			}
			if !u.Anonymous || u.Perm.String() != "elr" || u.Name != "anonymous" {
				t.Errorf("%s: got %+v", name, u)
			}
			if first == nil {
				first = u
			} else if u.FS != first.FS {
				t.Error("anonymous logins do not share one FS")
			}
		}
	}
	if _, err := first.FS.Stat("/pub.txt"); err != nil {
		t.Errorf("anonymous FS does not serve home: %v", err)
	}
	if _, err := login(s, "anonymousx", ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("near-anonymous name: %v", err)
	}
	s.RemoveUser("ftp")
	if _, err := login(s, "anonymous", ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("anonymous after RemoveUser: %v", err)
	}
}

func TestVirtualUsers(t *testing.T) {
	s := NewStatic()
	home := homeWith(t, "mine.txt")
	bh, err := bcrypt.GenerateFromPassword([]byte("bpass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	ah, err := HashPassword("apass")
	if err != nil {
		t.Fatal(err)
	}
	rw := MustParsePerm(ReadWrite)
	for name, pw := range map[string]string{"plain": "ppass", "bob": string(bh), "alice": ah} {
		if err := s.AddUser(name, pw, home, rw); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{
		{"plain", "ppass", true}, {"plain", "ppas", false}, {"plain", "PPASS", false}, {"plain", "", false},
		{"bob", "bpass", true}, {"bob", "bpasS", false}, {"bob", string(bh), false},
		{"alice", "apass", true}, {"alice", "", false}, {"alice", ah, false},
		{"nobody", "ppass", false}, {"Plain", "ppass", false}, {"", "", false},
	} {
		u, err := login(s, tc.user, tc.pass)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s/%s: %v", tc.user, tc.pass, err)
		case tc.ok && (u.Name != tc.user || u.Anonymous || u.Perm != rw):
			t.Errorf("%s: got %+v", tc.user, u)
		case !tc.ok && (u != nil || err != ErrBadCredentials):
			t.Errorf("%s/%s: got %v, %v; want ErrBadCredentials", tc.user, tc.pass, u, err)
		}
	}
	u1, _ := login(s, "plain", "ppass")
	u2, _ := login(s, "bob", "bpass")
	if u1.FS != u2.FS {
		t.Error("users sharing a home do not share one *vfs.Local")
	}
	other := homeWith(t, "other.txt")
	if err := s.AddUser("carol", "c", other, rw); err != nil {
		t.Fatal(err)
	}
	if u3, _ := login(s, "carol", "c"); u3.FS == u1.FS {
		t.Error("different homes share an FS")
	}

	s.RemoveUser("plain")
	if _, err := login(s, "plain", "ppass"); err != ErrBadCredentials {
		t.Errorf("removed user: %v", err)
	}
	if _, err := u1.FS.Stat("/mine.txt"); err != nil {
		t.Errorf("a logged-in session lost its FS after RemoveUser: %v", err)
	}
}

func TestAddUserErrors(t *testing.T) {
	s := NewStatic()
	home := t.TempDir()
	missing := filepath.Join(home, "does-not-exist")
	err := s.AddUser("u", "p", missing, 0)
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing home: %v", err)
	}
	if err := s.AddAnonymous(missing, 0); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing anonymous home: %v", err)
	}
	for _, name := range []string{"anonymous", "FTP"} {
		if err := s.AddUser(name, "p", home, 0); !errors.Is(err, ErrReservedName) {
			t.Errorf("AddUser(%q) = %v, want ErrReservedName", name, err)
		}
	}
	for _, pw := range []string{"$2a$10$short", "$argon2id$v=19$m=1,t=1,p=1$x$y", "$argon2id$"} {
		if err := s.AddUser("u", pw, home, 0); !errors.Is(err, ErrBadHash) {
			t.Errorf("AddUser with password %q = %v, want ErrBadHash", pw, err)
		}
	}
	if err := s.AddUser("", "p", home, 0); err == nil {
		t.Error("empty user name accepted")
	}
	if err := s.AddUser("u\r\n", "p", home, 0); err == nil {
		t.Error("user name with CRLF accepted")
	}
	if err := s.AddUser("u", "p", home, 1<<12); !errors.Is(err, ErrBadPerm) {
		t.Errorf("undefined perm bits: %v", err)
	}
	if _, err := login(s, "u", "p"); err != ErrBadCredentials {
		t.Errorf("a rejected user can log in: %v", err)
	}
}

func TestOverridesAndMessages(t *testing.T) {
	s := NewStatic()
	home := t.TempDir()
	if err := s.AddUser("u", "p", home, MustParsePerm(ReadOnly)); err != nil {
		t.Fatal(err)
	}
	before, _ := login(s, "u", "p")
	if err := s.OverridePerm("u", "upload/", MustParsePerm("elw"), true); err != nil {
		t.Fatal(err)
	}
	if err := s.OverridePerm("u", "/upload", MustParsePerm("elwm"), true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMessages("u", "hi", "bye"); err != nil {
		t.Fatal(err)
	}
	after, _ := login(s, "u", "p")
	if len(after.Override) != 1 || after.PermFor("/upload/a/b").String() != "elmw" || after.LoginMsg != "hi" || after.QuitMsg != "bye" {
		t.Errorf("after: %+v", after)
	}
	if len(before.Override) != 0 || before.LoginMsg != "" {
		t.Errorf("a User already handed out changed: %+v", before)
	}
	if err := s.OverridePerm("ghost", "/", 0, false); !errors.Is(err, ErrNoUser) {
		t.Errorf("override for unknown user: %v", err)
	}
	if err := s.OverridePerm("anonymous", "/", 0, false); !errors.Is(err, ErrNoUser) {
		t.Errorf("override for disabled anonymous: %v", err)
	}
	if err := s.AddAnonymous(home, MustParsePerm(ReadOnly)); err != nil {
		t.Fatal(err)
	}
	if err := s.OverridePerm("anonymous", "/incoming", MustParsePerm("elw"), false); err != nil {
		t.Fatal(err)
	}
	if a, _ := login(s, "ftp", ""); a.PermFor("/incoming/f").String() != "elw" {
		t.Errorf("anonymous override: %v", a.PermFor("/incoming/f"))
	}
}

func TestAuthenticateContext(t *testing.T) {
	s := NewStatic()
	if err := s.AddUser("u", "p", t.TempDir(), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Authenticate(ctx, "u", "p", loopback); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestConcurrentAuthenticate reloads users while logins run; run under -race.
func TestConcurrentAuthenticate(t *testing.T) {
	s := NewStatic()
	homes := []string{t.TempDir(), t.TempDir()}
	if err := s.AddAnonymous(homes[0], MustParsePerm(ReadOnly)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := s.AddUser("u"+strconv.Itoa(i), "p"+strconv.Itoa(i), homes[i%2], MustParsePerm(ReadWrite)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				n := strconv.Itoa(i % 10)
				u, err := login(s, "u"+n, "p"+n)
				// u0..u4 are stable; u5..u9 are being reloaded and may be absent.
				if i%10 < 5 && (err != nil || u.Name != "u"+n) {
					t.Errorf("u%s: %v, %v", n, u, err)
					return
				}
				if err != nil && err != ErrBadCredentials {
					t.Errorf("u%s: %v", n, err)
					return
				}
				if u != nil {
					_ = u.PermFor("/x/y")
					_ = u.FS
				}
				if _, err := login(s, "u"+n, "wrong"); err != ErrBadCredentials {
					t.Errorf("wrong password: %v", err)
					return
				}
				if a, err := login(s, "anonymous", ""); err != nil || !a.Anonymous {
					t.Errorf("anonymous: %v", err)
					return
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 300; i++ {
			n := strconv.Itoa(5 + i%5)
			s.RemoveUser("u" + n)
			if err := s.AddUser("u"+n, "p"+n, homes[i%2], MustParsePerm(ReadWrite)); err != nil {
				t.Error(err)
				return
			}
			if err := s.OverridePerm("u"+n, "/d"+n, MustParsePerm("e"), i%2 == 0); err != nil && !errors.Is(err, ErrNoUser) {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	// One unknown-user login at the end: it pays for a full argon2id verification.
	if _, err := login(s, "nobody", "x"); err != ErrBadCredentials {
		t.Errorf("unknown user: %v", err)
	}
}

func TestTryAuthenticate(t *testing.T) {
	s := NewStatic()
	home := t.TempDir()
	s.AddAnonymous(home, MustParsePerm(ReadOnly))
	s.AddUser("plain", "pw", home, MustParsePerm(ReadOnly))
	h, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	s.AddUser("hashed", h, home, MustParsePerm(ReadOnly))
	for _, tc := range []struct {
		user, pass string
		done, ok   bool
	}{
		{"anonymous", "x", true, true},
		{"FTP", "", true, true},
		{"plain", "pw", true, true},
		{"plain", "no", true, false},
		{"hashed", "pw", false, false}, // a hash: left to Authenticate on a worker
		{"nobody", "pw", false, false}, // unknown users pay a hash there too
	} {
		u, err, done := s.TryAuthenticate(tc.user, tc.pass, netip.Addr{})
		if done != tc.done || (done && (err == nil) != tc.ok) || (tc.ok && u == nil) {
			t.Errorf("TryAuthenticate(%q, %q) = %v, %v, done=%v", tc.user, tc.pass, u, err, done)
		}
	}
}
