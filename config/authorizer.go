// authorizer.go: the auth.Authorizer a File describes: virtual and anonymous users,
// then system accounts when enabled.

package config

import (
	"fmt"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/sysauth"
)

// Authorizer builds what the file's users describe: an *auth.Static holding anonymous
// access and the [[user]] entries (with overrides, messages and limits), and, when
// [system_users] is enabled, a sysauth.Chain that tries the Static first and the machine's
// accounts second. It opens each home once (users sharing a home share it) and, for
// system users, reads nothing yet: accounts are looked up at login. Errors name the user.
// Safe from any goroutine; each call builds a new Authorizer (for a reload, build one and
// swap it in).
func (f *File) Authorizer() (auth.Authorizer, error) {
	s, err := f.Static()
	if err != nil {
		return nil, err
	}
	if !f.SystemUsers.Enabled {
		return s, nil
	}
	sys, err := sysauth.New(sysauth.Options{Perm: f.SystemUsers.Perm, MinUID: f.SystemUsers.MinUID})
	if err != nil {
		return nil, fmt.Errorf("config: %s: system_users: %w", f.Name, err)
	}
	return sysauth.Chain{s, sys}, nil
}

// Static builds the *auth.Static for anonymous access and the [[user]] entries alone.
// Safe from any goroutine.
func (f *File) Static() (*auth.Static, error) {
	s := auth.NewStatic()
	if f.Anonymous.Enabled {
		if err := s.AddAnonymous(f.Anonymous.Home, f.Anonymous.Perm); err != nil {
			return nil, fmt.Errorf("config: %s: anonymous: %w", f.Name, err)
		}
	}
	for i := range f.Users {
		u := &f.Users[i]
		if err := f.addUser(s, u); err != nil {
			return nil, fmt.Errorf("config: %s:%d: user %q: %w", f.Name, u.Line, u.Name, err)
		}
	}
	return s, nil
}

// HostAuthorizer builds the *auth.Static of one [[host]]: anonymous access to its root
// when anonymous = true (read-only), and its [[host.user]] entries. Errors name the host
// and the user. Safe from any goroutine.
func (f *File) HostAuthorizer(h *Host) (*auth.Static, error) {
	s := auth.NewStatic()
	if h.Anonymous {
		if err := s.AddAnonymous(h.Root, auth.MustParsePerm(auth.ReadOnly)); err != nil {
			return nil, fmt.Errorf("config: %s:%d: host %q: anonymous: %w", f.Name, h.Line, h.Names[0], err)
		}
	}
	for i := range h.Users {
		u := &h.Users[i]
		if err := f.addUser(s, u); err != nil {
			return nil, fmt.Errorf("config: %s:%d: host %q: user %q: %w", f.Name, u.Line, h.Names[0], u.Name, err)
		}
	}
	return s, nil
}

func (f *File) addUser(s *auth.Static, u *User) error {
	if err := s.AddUser(u.Name, u.Password, u.Home, u.Perm); err != nil {
		return err
	}
	for _, o := range u.Override {
		if err := s.OverridePerm(u.Name, o.Dir, o.Perm, o.Recursive); err != nil {
			return err
		}
	}
	if u.LoginMsg != "" || u.QuitMsg != "" {
		if err := s.SetMessages(u.Name, u.LoginMsg, u.QuitMsg); err != nil {
			return err
		}
	}
	if u.Limits != (auth.Limits{}) {
		if err := s.SetLimits(u.Name, u.Limits); err != nil {
			return err
		}
	}
	return nil
}
