// Package throttle holds the pure logic behind bandwidth limits and connection governance:
// token buckets that take the current time as an argument and never sleep, a Limiter that
// composes them into a hierarchy (global ▸ user ▸ session) and paces a transfer goroutine,
// a failed-login ban list and a live-connection counter.
//
// Nothing here runs on an event loop's behalf except the non-blocking calls (Bucket.Reserve,
// Bans, Counter); only Limiter.Wait sleeps, and it is meant for transfer goroutines.
package throttle

import "errors"

// Sentinel errors. Callers compare with errors.Is; returned errors may wrap them with the
// offending text.
var (
	// ErrTooManyConns is returned by Counter.Acquire when the total connection limit is reached.
	ErrTooManyConns = errors.New("throttle: too many connections")
	// ErrTooManyFromIP is returned by Counter.Acquire when the per-address limit is reached.
	ErrTooManyFromIP = errors.New("throttle: too many connections from this address")
	// ErrBadRate is wrapped by ParseRate's errors, which also quote the bad text.
	ErrBadRate = errors.New("throttle: bad rate")
)
