// Static: an in-memory Authorizer for anonymous access and virtual users, reloadable while
// serving.

package auth

import (
	"context"
	"fmt"
	"net/netip"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"weak"

	"github.com/fastftp/fastftp/vfs"
)

// Static holds anonymous access and virtual users in memory. All methods are safe for
// concurrent use; AddUser, RemoveUser and the setters may run while sessions
// authenticate (a reload). A change affects later logins only: sessions keep the *User
// they logged in with.
//
// Users sharing a home share one *vfs.Local (one open root). A Local lives as long as a
// User (in the table or in a session) refers to it; the descriptors of one nobody uses
// any more are closed by the garbage collector.
type Static struct {
	mu    sync.RWMutex
	users map[string]*account
	anon  *User

	homesMu sync.Mutex
	homes   map[string]weak.Pointer[vfs.Local] // absolute host path -> shared Local, if alive
}

type account struct {
	user   *User
	secret secret
}

var (
	_ Authorizer      = (*Static)(nil)
	_ QuickAuthorizer = (*Static)(nil)
)

// Anonymous login names, matched without regard to case.
const (
	anonName    = "anonymous"
	anonNameAlt = "ftp"
)

// NewStatic returns an empty Static: nobody can log in yet. Safe from any goroutine.
func NewStatic() *Static {
	return &Static{users: make(map[string]*account), homes: make(map[string]weak.Pointer[vfs.Local])}
}

// AddAnonymous enables the login names "anonymous" and "ftp" (any case) with any
// password, rooted at the host directory home with permissions perm. Calling it again
// replaces the previous settings (overrides and messages included). The error names home
// when it does not exist or is not a directory.
func (s *Static) AddAnonymous(home string, perm Perm) error {
	if err := checkPerm(perm); err != nil {
		return err
	}
	fsys, err := s.local(home)
	if err != nil {
		return err
	}
	u := &User{Name: anonName, FS: fsys, Perm: perm, Anonymous: true}
	s.mu.Lock()
	s.anon = u
	s.mu.Unlock()
	return nil
}

// AddUser adds or replaces the virtual user name, rooted at the host directory home.
// password is plaintext or a hash: bcrypt ("$2a$", "$2b$", "$2y$") or an argon2id PHC
// string ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"); a string that looks like a hash
// but does not parse is rejected (ErrBadHash), never taken as plaintext. Replacing a user
// drops their overrides and messages. The error names home when it does not exist.
func (s *Static) AddUser(name, password, home string, perm Perm) error {
	if name == "" || strings.ContainsAny(name, "\r\n\x00") {
		return fmt.Errorf("auth: bad user name %q", name)
	}
	if isAnonymousName(name) {
		return fmt.Errorf("%w: %q", ErrReservedName, name)
	}
	if err := checkPerm(perm); err != nil {
		return err
	}
	sec, err := parseSecret(password)
	if err != nil {
		return fmt.Errorf("auth: user %q: %w", name, err)
	}
	fsys, err := s.local(home)
	if err != nil {
		return err
	}
	a := &account{user: &User{Name: name, FS: fsys, Perm: perm}, secret: sec}
	s.mu.Lock()
	s.users[name] = a
	s.mu.Unlock()
	return nil
}

// RemoveUser removes the virtual user name (or, for "anonymous"/"ftp", disables anonymous
// access). Sessions already logged in are not affected. Safe from any goroutine.
func (s *Static) RemoveUser(name string) {
	s.mu.Lock()
	if isAnonymousName(name) {
		s.anon = nil
	} else {
		delete(s.users, name)
	}
	s.mu.Unlock()
}

// OverridePerm gives user name (or "anonymous") the permissions perm in the virtual
// directory dir ("/pub"; cleaned, made absolute), and below it when recursive; see
// User.PermFor for where an override applies. A second call for the same dir replaces the
// first. The error wraps ErrNoUser for an unknown user.
func (s *Static) OverridePerm(name, dir string, perm Perm, recursive bool) error {
	if err := checkPerm(perm); err != nil {
		return err
	}
	dir = path.Clean("/" + dir)
	return s.update(name, func(u *User) {
		o := Override{Dir: dir, Perm: perm, Recursive: recursive}
		i := slices.IndexFunc(u.Override, func(x Override) bool { return x.Dir == dir })
		u.Override = slices.Clone(u.Override) // the old User is shared with sessions
		if i >= 0 {
			u.Override[i] = o
		} else {
			u.Override = append(u.Override, o)
		}
	})
}

// SetMessages sets the login (230) and quit (221) texts of user name (or "anonymous");
// "" keeps the server's default. The error wraps ErrNoUser for an unknown user.
func (s *Static) SetMessages(name, login, quit string) error {
	return s.update(name, func(u *User) { u.LoginMsg, u.QuitMsg = login, quit })
}

// SetLimits sets the bandwidth and session limits of user name (or "anonymous"). Sessions
// that log in afterwards get them; running transfers keep theirs until the server is told
// (Server.SetUserLimits). The error wraps ErrNoUser for an unknown user.
func (s *Static) SetLimits(name string, l Limits) error {
	return s.update(name, func(u *User) { u.Limits = l })
}

// update replaces name's User by a modified copy: Users are immutable once handed out.
func (s *Static) update(name string, change func(*User)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isAnonymousName(name) {
		if s.anon == nil {
			return fmt.Errorf("%w: %q (anonymous access is off)", ErrNoUser, name)
		}
		u := *s.anon
		change(&u)
		s.anon = &u
		return nil
	}
	a := s.users[name]
	if a == nil {
		return fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	u := *a.user
	change(&u)
	s.users[name] = &account{user: &u, secret: a.secret}
	return nil
}

// Authenticate checks user and pass. Anonymous names accept any password when anonymous
// access is on. A wrong password and an unknown user both give ErrBadCredentials; an
// unknown user still pays for one argon2id verification, the cost of a hashed account,
// so timing does not tell them apart (bcrypt and plaintext accounts differ anyway; the
// server's failed-login delay covers that). Returns ctx.Err() if ctx is already done.
// Safe from any goroutine; may block for tens of milliseconds on a hash.
func (s *Static) Authenticate(ctx context.Context, user, pass string, remote netip.Addr) (*User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	anon := s.anon
	a := s.users[user]
	s.mu.RUnlock()
	if isAnonymousName(user) {
		if anon == nil {
			return nil, ErrBadCredentials
		}
		return anon, nil
	}
	if a == nil {
		dummy := dummySecret()
		dummy.verify(pass)
		return nil, ErrBadCredentials
	}
	if !a.secret.verify(pass) {
		return nil, ErrBadCredentials
	}
	return a.user, nil
}

// dummySecret is what an unknown user's password is checked against.
var dummySecret = sync.OnceValue(func() *secret {
	h, err := HashPassword("no such user")
	if err != nil {
		return &secret{kind: kindPlain}
	}
	sec, err := parseSecret(h)
	if err != nil {
		return &secret{kind: kindPlain}
	}
	return &sec
})

// local returns the shared Local for home, opening it on first use.
func (s *Static) local(home string) (*vfs.Local, error) {
	key, err := filepath.Abs(home)
	if err != nil {
		return nil, fmt.Errorf("auth: home %q: %w", home, err)
	}
	s.homesMu.Lock()
	defer s.homesMu.Unlock()
	if l := s.homes[key].Value(); l != nil {
		return l, nil
	}
	l, err := vfs.NewLocal(key)
	if err != nil {
		return nil, fmt.Errorf("auth: home: %w", err)
	}
	s.homes[key] = weak.Make(l)
	return l, nil
}

func checkPerm(p Perm) error {
	if p&^permAll != 0 {
		return fmt.Errorf("%w: bits %#x", ErrBadPerm, uint16(p&^permAll))
	}
	return nil
}

func isAnonymousName(name string) bool {
	return strings.EqualFold(name, anonName) || strings.EqualFold(name, anonNameAlt)
}

// TryAuthenticate answers anonymous logins and plaintext accounts at once; hashed accounts
// and unknown users (which pay for one hash verification, see Authenticate) are left to
// Authenticate. Safe from any goroutine; never blocks on more than the table's read lock.
func (s *Static) TryAuthenticate(user, pass string, remote netip.Addr) (*User, error, bool) {
	s.mu.RLock()
	anon := s.anon
	a := s.users[user]
	s.mu.RUnlock()
	switch {
	case isAnonymousName(user):
		if anon == nil {
			return nil, ErrBadCredentials, true
		}
		return anon, nil, true
	case a == nil || a.secret.kind != kindPlain:
		return nil, nil, false
	case !a.secret.verify(pass):
		return nil, ErrBadCredentials, true
	}
	return a.user, nil, true
}
