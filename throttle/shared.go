// shared.go: the interfaces through which a server's connection, ban and per-user state can
// live outside the process (several fastftpd workers on one host share it through
// internal/shm). The in-process types here implement them.

package throttle

import (
	"net/netip"
	"time"
)

// ConnCounter admits live connections against a total and a per-source limit. *Counter is
// the in-process implementation. Implementations are safe from any goroutine and do not
// block for long: Acquire runs on the accept path.
type ConnCounter interface {
	// Acquire counts a connection from ip, or returns an error wrapping ErrTooManyConns or
	// ErrTooManyFromIP without counting it.
	Acquire(ip netip.Addr) error
	// Release uncounts a connection Acquire admitted.
	Release(ip netip.Addr)
	// SetLimits changes the limits (<= 0: unlimited).
	SetLimits(maxTotal, maxPerIP int)
}

// BanList counts failed logins per source and bans sources. *Bans is the in-process
// implementation; see it for the meaning of each method. Safe from any goroutine.
type BanList interface {
	Fail(ip netip.Addr, now time.Time) (banned bool)
	Banned(ip netip.Addr, now time.Time) (until time.Time, banned bool)
	Succeed(ip netip.Addr)
}

// UserTable counts each user's logged-in sessions where several servers must agree on the
// count, and keeps each user's bandwidth buckets there. A server without one counts in
// its own memory. Safe from any goroutine.
type UserTable interface {
	// Join counts a login of name, or reports false when max > 0 sessions of name are
	// counted already (or the table has no room for another user).
	Join(name string, max int) bool
	// Leave uncounts a login Join counted.
	Leave(name string)
	// Buckets returns name's read and write buckets, shared by every server using the
	// table, at the given rates (bytes/s, <= 0 unlimited). name must be joined.
	Buckets(name string, read, write float64) (r, w *Bucket)
}

var (
	_ ConnCounter = (*Counter)(nil)
	_ BanList     = (*Bans)(nil)
)
