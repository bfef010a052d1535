// Package sysauth logs in the machine's own accounts: it reads /etc/passwd and
// /etc/shadow, checks the password against the shadow hash, refuses locked, expired and
// system accounts, and returns a user jailed in the account's home whose new files and
// directories belong to the account.
//
// Hashes: SHA-512 ("$6$", the usual choice of `chpasswd -c SHA512`), SHA-256 ("$5$"),
// MD5 ("$1$") and bcrypt ("$2a$", "$2b$", "$2y$"). yescrypt ("$y$"), Debian's default
// since 11 and Ubuntu's since 22.04, has no maintained pure-Go implementation the
// project can use, so such accounts are refused with ErrUnsupportedHash (logged, while
// the client only sees a failed login). Re-set their password with a supported scheme:
//
//	echo 'alice:NEWPASSWORD' | chpasswd -c SHA512
//
// or set ENCRYPT_METHOD SHA512 in /etc/login.defs (and "sha512" instead of "yescrypt" on
// pam_unix's password line) so passwd(1) writes SHA-512 from then on.
//
// Reading /etc/shadow needs root, and so does giving files to the account; the server
// therefore runs as root when system users are on. Note that it does not change its
// own identity per session: the jail (the home) and the permission letters are what
// limit a system user, not the file modes under the home.
package sysauth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"weak"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// Reasons a known account is refused. The error Authenticate returns matches both the
// reason and auth.ErrBadCredentials (the client is told only that the login failed).
var (
	// ErrLocked: the shadow password is locked ("!" or "*" prefix) or empty.
	ErrLocked = errors.New("account is locked or has no password")
	// ErrExpired: the account's expiry date has passed, the password has expired, or
	// the password must be changed at next login (which FTP cannot do).
	ErrExpired = errors.New("account or password expired")
	// ErrUIDTooLow: the account's uid is below Options.MinUID (root, daemons).
	ErrUIDTooLow = errors.New("uid below the minimum for system users")
	// ErrUnsupportedHash: the password hash uses a scheme this package cannot verify
	// (yescrypt, DES, ...); the error names it.
	ErrUnsupportedHash = errors.New("unsupported password hash scheme")
)

// Default paths and bounds.
const (
	DefaultPasswdPath = "/etc/passwd"
	DefaultShadowPath = "/etc/shadow"
	DefaultMinUID     = 1000
)

// Options configures New. The zero value reads the system files and refuses uids below
// 1000.
type Options struct {
	// Perm is every system user's permissions; zero means auth.ReadWrite
	// ("elradfmwMT"), the letters of a user in their own home.
	Perm auth.Perm
	// MinUID refuses accounts below this uid; 0 means DefaultMinUID. Root (uid 0) is
	// refused whatever the setting.
	MinUID int
	// PasswdPath and ShadowPath default to /etc/passwd and /etc/shadow (tests point
	// them elsewhere).
	PasswdPath string
	ShadowPath string
}

// System is an auth.Authorizer for the machine's accounts. Safe for concurrent use. It
// re-reads the account files at each login, so accounts added, locked or changed take
// effect at once; the files are small and logins rare next to transfers.
type System struct {
	o Options

	homesMu sync.Mutex
	homes   map[homeKey]weak.Pointer[vfs.Local] // one Local per home and owner, if alive
}

type homeKey struct {
	dir      string
	uid, gid int
}

var _ auth.Authorizer = (*System)(nil)

// New checks that the account files can be read (the shadow file needs root) and
// returns a System. The error names the file. Safe from any goroutine.
func New(o Options) (*System, error) {
	if o.Perm == 0 {
		o.Perm = auth.MustParsePerm(auth.ReadWrite)
	}
	if o.MinUID <= 0 {
		o.MinUID = DefaultMinUID
	}
	if o.PasswdPath == "" {
		o.PasswdPath = DefaultPasswdPath
	}
	if o.ShadowPath == "" {
		o.ShadowPath = DefaultShadowPath
	}
	for _, p := range []string{o.PasswdPath, o.ShadowPath} {
		f, err := os.Open(p)
		if err != nil {
			if errors.Is(err, os.ErrPermission) {
				return nil, fmt.Errorf("sysauth: %w (system users need the server to run as root)", err)
			}
			return nil, fmt.Errorf("sysauth: %w", err)
		}
		f.Close()
	}
	return &System{o: o, homes: make(map[homeKey]weak.Pointer[vfs.Local])}, nil
}

// refusal is a known account refused for a reason: it matches the reason and
// auth.ErrBadCredentials.
type refusal struct {
	user   string
	reason error
	detail string
}

func (r *refusal) Error() string {
	s := "sysauth: user " + strconv.Quote(r.user) + ": " + r.reason.Error()
	if r.detail != "" {
		s += " (" + r.detail + ")"
	}
	return s
}

func (r *refusal) Is(target error) bool { return target == auth.ErrBadCredentials }
func (r *refusal) Unwrap() error        { return r.reason }

// Authenticate checks user's password against the account files. An unknown user or a
// wrong password gives auth.ErrBadCredentials (an unknown user still pays for one
// SHA-512 verification, so timing does not tell them apart); a locked, expired or
// low-uid account, or an unsupported hash, an error matching both auth.ErrBadCredentials
// and ErrLocked, ErrExpired, ErrUIDTooLow or ErrUnsupportedHash. Other errors (files
// unreadable, home missing) are failures of the service. The User is jailed in the
// account's home, and what it creates belongs to the account's uid and primary gid.
// Safe from any goroutine; blocks on file reads and a hash (milliseconds).
func (s *System) Authenticate(ctx context.Context, user, pass string, remote netip.Addr) (*auth.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validName(user) {
		dummyVerify(pass)
		return nil, auth.ErrBadCredentials
	}
	pw, err := lookupPasswd(s.o.PasswdPath, user)
	if err != nil {
		return nil, err
	}
	if pw == nil {
		dummyVerify(pass)
		return nil, auth.ErrBadCredentials
	}
	hash := pw.password
	var sh *shadowEntry
	if hash == "x" {
		sh, err = lookupShadow(s.o.ShadowPath, user)
		if err != nil {
			return nil, err
		}
		if sh == nil {
			dummyVerify(pass)
			return nil, &refusal{user, ErrLocked, "no entry in " + s.o.ShadowPath}
		}
		hash = sh.password
	}
	if pw.uid == 0 || pw.uid < s.o.MinUID {
		dummyVerify(pass)
		return nil, &refusal{user, ErrUIDTooLow, "uid " + strconv.Itoa(pw.uid) + " < " + strconv.Itoa(s.o.MinUID)}
	}
	if hash == "" || hash[0] == '!' || hash[0] == '*' {
		dummyVerify(pass)
		return nil, &refusal{user, ErrLocked, ""}
	}
	if sh != nil {
		if detail := sh.expired(time.Now()); detail != "" {
			dummyVerify(pass)
			return nil, &refusal{user, ErrExpired, detail}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ok, scheme := verify(hash, pass)
	if scheme != "" {
		return nil, &refusal{user, ErrUnsupportedHash, scheme + "; re-set the password with `chpasswd -c SHA512`"}
	}
	if !ok {
		return nil, auth.ErrBadCredentials
	}
	fsys, err := s.local(pw.home, pw.uid, pw.gid)
	if err != nil {
		return nil, fmt.Errorf("sysauth: user %q: %w", user, err)
	}
	return &auth.User{Name: user, FS: fsys, Perm: s.o.Perm}, nil
}

// local returns the shared Local for a home and owner, opening it on first use.
func (s *System) local(home string, uid, gid int) (*vfs.Local, error) {
	if !filepath.IsAbs(home) {
		return nil, fmt.Errorf("home %q is not an absolute path", home)
	}
	key := homeKey{filepath.Clean(home), uid, gid}
	s.homesMu.Lock()
	defer s.homesMu.Unlock()
	if l := s.homes[key].Value(); l != nil {
		return l, nil
	}
	l, err := vfs.NewLocalOptions(key.dir, vfs.LocalOptions{Owner: &vfs.Owner{UID: uid, GID: gid}})
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	s.homes[key] = weak.Make(l)
	return l, nil
}

// validName refuses names that cannot be in the account files and would confuse the
// line-based lookup (':' separates fields, newlines lines).
func validName(name string) bool {
	if name == "" || len(name) > 256 || name[0] == '+' || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == ':' || c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
