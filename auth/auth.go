// Package auth decides who may log in and what each user may do: the Authorizer
// interface, User with pyftpdlib's permission letters and per-directory overrides, and
// Static, an in-memory authorizer for anonymous access and virtual users.
package auth

import (
	"context"
	"errors"
	"net/netip"
)

// Sentinel errors, compared with errors.Is.
var (
	// ErrBadCredentials reports a wrong user name or password. The server must answer
	// both the same way, so the two are one error.
	ErrBadCredentials = errors.New("auth: bad user name or password")
	// ErrBadPerm reports an unknown permission letter; the wrapping error names it.
	ErrBadPerm = errors.New("auth: unknown permission letter")
	// ErrBadHash reports a password that looks like a hash ("$2a$", "$2b$", "$2y$",
	// "$argon2id$") but does not parse as one.
	ErrBadHash = errors.New("auth: malformed password hash")
	// ErrReservedName reports AddUser with "anonymous" or "ftp" (any case): those names
	// belong to AddAnonymous.
	ErrReservedName = errors.New("auth: user name reserved for anonymous access")
	// ErrNoUser reports a per-user setting for a user that does not exist.
	ErrNoUser = errors.New("auth: no such user")
)

// Authorizer decides who may log in. Authenticate is called off the event loop and may
// block (PAM, a database); implementations must be safe for concurrent use. It returns
// ErrBadCredentials for a wrong name or password, other errors for failures of the
// authorizer itself (including ctx's error when ctx is done). The returned *User is
// immutable and may be shared by many sessions.
type Authorizer interface {
	Authenticate(ctx context.Context, user, pass string, remote netip.Addr) (*User, error)
}

// QuickAuthorizer is an optional extension of Authorizer for checks that cost microseconds
// (anonymous access, plaintext secrets): the server runs TryAuthenticate on the event loop
// and skips the hop to its worker pool. When a check could block or burn CPU (a password
// hash, a network service), TryAuthenticate returns done=false and the server calls
// Authenticate on a worker as usual. It must never block.
type QuickAuthorizer interface {
	TryAuthenticate(user, pass string, remote netip.Addr) (u *User, err error, done bool)
}
