// sysauth_test.go: every account state and hash scheme against fake passwd and shadow
// files written by the test, and the Chain's order and error rules.

//go:build unix

package sysauth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/GehirnInc/crypt"
	"golang.org/x/crypto/bcrypt"

	"github.com/fastftp/fastftp/auth"
)

type fakeSystem struct {
	dir, home  string
	uid, gid   int
	passwd     string
	shadowPath string
}

func hashWith(t *testing.T, c crypt.Crypt, salt, pass string) string {
	t.Helper()
	h, err := c.New().Generate([]byte(pass), []byte(salt))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newFake writes passwd and shadow files describing accounts in every state. Each
// account's password is "pw-" + its name. Accounts get the test process's own uid when
// not root (so giving files to them needs no privilege) and 1001 as root.
func newFake(t *testing.T) *fakeSystem {
	t.Helper()
	f := &fakeSystem{dir: t.TempDir(), uid: 1001, gid: 1001}
	if os.Geteuid() != 0 {
		f.uid, f.gid = os.Geteuid(), os.Getegid()
	}
	f.home = filepath.Join(f.dir, "home")
	if err := os.Mkdir(f.home, 0o755); err != nil {
		t.Fatal(err)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte("pw-dave"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	sha512 := hashWith(t, crypt.SHA512, "$6$saltsalt", "pw-alice")
	type acct struct {
		name, pwField string
		uid           int
		home          string
		shadow        string // the shadow line without the name; "" for no line
	}
	today := "19000"
	accts := []acct{
		{"alice", "x", f.uid, f.home, sha512 + ":" + today + ":0:99999:7:::"},
		{"bob", "x", f.uid, f.home, hashWith(t, crypt.SHA256, "$5$pepper", "pw-bob") + ":" + today + ":0:99999:7:::"},
		{"carol", "x", f.uid, f.home, hashWith(t, crypt.MD5, "$1$sodium", "pw-carol") + ":::::::"},
		{"dave", "x", f.uid, f.home, string(bc) + ":" + today + "::::::"},
		{"eve", "x", f.uid, f.home, "!" + hashWith(t, crypt.SHA512, "$6$x", "pw-eve") + ":" + today + ":0:99999:7:::"},
		{"frank", "x", f.uid, f.home, "*:" + today + ":0:99999:7:::"},
		{"gina", "x", f.uid, f.home, ":" + today + ":0:99999:7:::"},
		{"daemon", "x", 999, f.home, hashWith(t, crypt.SHA512, "$6$d", "pw-daemon") + ":" + today + ":0:99999:7:::"},
		{"root", "x", 0, f.home, hashWith(t, crypt.SHA512, "$6$r", "pw-root") + ":" + today + ":0:99999:7:::"},
		{"yes", "x", f.uid, f.home, "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:" + today + ":0:99999:7:::"},
		{"des", "x", f.uid, f.home, "abJnggxhB/yWI:" + today + ":0:99999:7:::"},
		{"expired", "x", f.uid, f.home, sha512 + ":" + today + ":0:99999:7::1:"},
		{"mustchange", "x", f.uid, f.home, sha512 + ":0:0:99999:7:::"},
		{"oldpw", "x", f.uid, f.home, sha512 + ":1:0:30:7:::"},
		{"noshadow", "x", f.uid, f.home, ""},
		{"inpasswd", sha512, f.uid, f.home, ""},
		{"nohome", "x", f.uid, filepath.Join(f.dir, "missing"), sha512 + ":" + today + ":0:99999:7:::"},
		{"relhome", "x", f.uid, "home", sha512 + ":" + today + ":0:99999:7:::"},
	}
	var pw, sh strings.Builder
	pw.WriteString("+nis::0:0:::\nbroken:x:notanumber:1::/:/bin/sh\n")
	for _, a := range accts {
		fmt.Fprintf(&pw, "%s:%s:%d:%d:gecos:%s:/bin/sh\n", a.name, a.pwField, a.uid, f.gid, a.home)
		if a.shadow != "" {
			fmt.Fprintf(&sh, "%s:%s\n", a.name, a.shadow)
		}
	}
	f.passwd = filepath.Join(f.dir, "passwd")
	f.shadowPath = filepath.Join(f.dir, "shadow")
	if err := os.WriteFile(f.passwd, []byte(pw.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.shadowPath, []byte(sh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeSystem) system(t *testing.T, minUID int) *System {
	t.Helper()
	if minUID == 0 {
		minUID = min(f.uid, 1000)
		if minUID == 0 {
			minUID = 1
		}
	}
	s, err := New(Options{PasswdPath: f.passwd, ShadowPath: f.shadowPath, MinUID: minUID, Perm: auth.MustParsePerm("elrw")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var remote = netip.MustParseAddr("127.0.0.1")

func TestAuthenticateStates(t *testing.T) {
	f := newFake(t)
	s := f.system(t, 0)
	ctx := context.Background()
	cases := []struct {
		user, pass string
		want       error // nil: success; auth.ErrBadCredentials: plain refusal
		reason     error // the refusal's reason, if any
		text       string
	}{
		{"alice", "pw-alice", nil, nil, ""},
		{"bob", "pw-bob", nil, nil, ""},
		{"carol", "pw-carol", nil, nil, ""},
		{"dave", "pw-dave", nil, nil, ""},
		{"inpasswd", "pw-alice", nil, nil, ""},
		{"alice", "pw-bob", auth.ErrBadCredentials, nil, ""},
		{"alice", "", auth.ErrBadCredentials, nil, ""},
		{"dave", "pw-alice", auth.ErrBadCredentials, nil, ""},
		{"nosuchuser", "pw-alice", auth.ErrBadCredentials, nil, ""},
		{"broken", "x", auth.ErrBadCredentials, nil, ""},
		{"+nis", "", auth.ErrBadCredentials, nil, ""},
		{"alice:x", "pw-alice", auth.ErrBadCredentials, nil, ""},
		{"eve", "pw-eve", auth.ErrBadCredentials, ErrLocked, `user "eve": account is locked`},
		{"frank", "", auth.ErrBadCredentials, ErrLocked, ""},
		{"gina", "", auth.ErrBadCredentials, ErrLocked, ""},
		{"noshadow", "x", auth.ErrBadCredentials, ErrLocked, "no entry in"},
		{"daemon", "pw-daemon", auth.ErrBadCredentials, ErrUIDTooLow, "uid 999 <"},
		{"root", "pw-root", auth.ErrBadCredentials, ErrUIDTooLow, "uid 0"},
		{"yes", "anything", auth.ErrBadCredentials, ErrUnsupportedHash, "yescrypt ($y$); re-set the password with `chpasswd -c SHA512`"},
		{"des", "anything", auth.ErrBadCredentials, ErrUnsupportedHash, "traditional DES crypt"},
		{"expired", "pw-alice", auth.ErrBadCredentials, ErrExpired, "account expired on day 1"},
		{"mustchange", "pw-alice", auth.ErrBadCredentials, ErrExpired, "must be changed"},
		{"oldpw", "pw-alice", auth.ErrBadCredentials, ErrExpired, "password expired on day 31"},
	}
	if f.uid < 1000 {
		cases[16] = cases[0] // "daemon" is not below a min_uid lowered for a non-root run
	}
	for _, c := range cases {
		t.Run(c.user+"/"+c.pass, func(t *testing.T) {
			u, err := s.Authenticate(ctx, c.user, c.pass, remote)
			if c.want == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if u.Name != c.user || u.Perm.String() != "elrw" || u.FS == nil || u.Anonymous {
					t.Errorf("User %+v", u)
				}
				return
			}
			if u != nil || !errors.Is(err, c.want) {
				t.Fatalf("got %v, %v; want %v", u, err, c.want)
			}
			if c.reason == nil {
				if err != auth.ErrBadCredentials {
					t.Errorf("got %v, want the plain auth.ErrBadCredentials", err)
				}
				return
			}
			if !errors.Is(err, c.reason) || !strings.Contains(err.Error(), c.text) {
				t.Errorf("got %q, want %v containing %q", err, c.reason, c.text)
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	f := newFake(t)
	s := f.system(t, 0)
	for _, user := range []string{"nohome", "relhome"} {
		_, err := s.Authenticate(context.Background(), user, "pw-alice", remote)
		if err == nil || errors.Is(err, auth.ErrBadCredentials) || !strings.Contains(err.Error(), user) {
			t.Errorf("%s: %v, want a service error naming the user", user, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Authenticate(ctx, "alice", "pw-alice", remote); !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: %v", err)
	}
	if err := os.Remove(f.shadowPath); err != nil {
		t.Fatal(err)
	}
	_, err := s.Authenticate(context.Background(), "alice", "pw-alice", remote)
	if err == nil || errors.Is(err, auth.ErrBadCredentials) || !strings.Contains(err.Error(), f.shadowPath) {
		t.Errorf("shadow gone: %v", err)
	}
}

func TestNew(t *testing.T) {
	f := newFake(t)
	missing := filepath.Join(f.dir, "nope")
	if _, err := New(Options{PasswdPath: f.passwd, ShadowPath: missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing shadow: %v", err)
	}
	s, err := New(Options{PasswdPath: f.passwd, ShadowPath: f.shadowPath})
	if err != nil {
		t.Fatal(err)
	}
	if s.o.MinUID != 1000 || s.o.Perm.String() != "elradfmwMT" {
		t.Errorf("defaults: %+v", s.o)
	}
	if os.Geteuid() != 0 {
		if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "root") {
			t.Errorf("reading /etc/shadow as non-root: %v, want an error saying root is needed", err)
		}
	}
}

// TestHomeFS checks that the User is jailed in the home, that logins share one Local,
// and that what the user creates belongs to the account.
func TestHomeFS(t *testing.T) {
	f := newFake(t)
	s := f.system(t, 0)
	u1, err := s.Authenticate(context.Background(), "alice", "pw-alice", remote)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := s.Authenticate(context.Background(), "bob", "pw-bob", remote)
	if err != nil {
		t.Fatal(err)
	}
	if u1.FS != u2.FS {
		t.Error("two accounts with the same home and owner do not share one Local")
	}
	file, err := u1.FS.OpenFile("/made-by-alice", os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	file.Close()
	if err := u1.FS.Mkdir("/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"made-by-alice", "dir"} {
		fi, err := os.Stat(filepath.Join(f.home, name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != f.uid || int(st.Gid) != f.gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", name, st.Uid, st.Gid, f.uid, f.gid)
		}
	}
	if _, err := u1.FS.Stat("/../passwd"); err == nil {
		t.Error("the FS reaches outside the home")
	}
	if _, err := u1.FS.Stat("/made-by-alice"); err != nil {
		t.Error(err)
	}
}

// stubAuth answers with a fixed result and counts calls.
type stubAuth struct {
	u     *auth.User
	err   error
	calls int
}

func (s *stubAuth) Authenticate(context.Context, string, string, netip.Addr) (*auth.User, error) {
	s.calls++
	return s.u, s.err
}

func TestChain(t *testing.T) {
	ua, ub := &auth.User{Name: "a"}, &auth.User{Name: "b"}
	outage := errors.New("database down")
	reason := &refusal{"x", ErrLocked, ""}
	cases := []struct {
		name   string
		links  []*stubAuth
		want   *auth.User
		err    error
		called []int
	}{
		{"first wins", []*stubAuth{{u: ua}, {u: ub}}, ua, nil, []int{1, 0}},
		{"falls through", []*stubAuth{{err: auth.ErrBadCredentials}, {u: ub}}, ub, nil, []int{1, 1}},
		{"outage stops", []*stubAuth{{err: outage}, {u: ub}}, nil, outage, []int{1, 0}},
		{"last refusal", []*stubAuth{{err: auth.ErrBadCredentials}, {err: reason}}, nil, ErrLocked, []int{1, 1}},
		{"empty", nil, nil, auth.ErrBadCredentials, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ch Chain
			for _, l := range c.links {
				ch = append(ch, l)
			}
			u, err := ch.Authenticate(context.Background(), "x", "y", remote)
			if u != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Errorf("got %v %v, want %v %v", u, err, c.want, c.err)
			}
			for i, l := range c.links {
				if l.calls != c.called[i] {
					t.Errorf("link %d called %d times, want %d", i, l.calls, c.called[i])
				}
			}
		})
	}
}

// TestRefusalMatchesOnlyItsReason: a refusal matches its reason and
// auth.ErrBadCredentials, nothing else.
func TestRefusalMatchesOnlyItsReason(t *testing.T) {
	r := &refusal{"u", ErrExpired, "d"}
	if errors.Is(r, ErrLocked) || errors.Is(r, fs.ErrPermission) || !errors.Is(r, ErrExpired) || !errors.Is(r, auth.ErrBadCredentials) {
		t.Error("refusal matches the wrong sentinels")
	}
}
