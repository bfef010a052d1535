// TLS ticket owners: which address and login stand behind each control connection's stamp,
// so a PROT P data connection may resume a ticket of a sibling control connection.

package session

import (
	"net/netip"
	"sync"
	"time"
)

// Why: clients such as rclone keep one TLS session cache per host and open several control
// connections, so a data connection often resumes a ticket that another of their control
// connections got. vsftpd's require_ssl_reuse exists so that a third party cannot open the
// data connection; a ticket stamped by a control connection on which the same user logged
// in from the same address proves no less: its holder reached this server from that address
// and knew the user's password there. So such a ticket is accepted too.
//
// The sibling may not have logged in yet when its ticket is resumed (the server sends
// tickets right after AUTH TLS, and rclone opens its connections in parallel), so the check
// waits, briefly, for that connection to be logged in (ownerWait) before it decides. Nothing
// moves on the data connection until it has.

// ownerRetention is how long a closed control connection's stamp still vouches for its
// tickets: a client pool may close one connection and reuse its ticket on another.
const ownerRetention = time.Hour

// ownerWait bounds the wait for a sibling's login; logins take milliseconds.
const ownerWait = 3 * time.Second

// maxOwners bounds the table; live stamps are bounded by the sessions anyway, so only
// closed ones are dropped early when it fills.
const maxOwners = 1 << 16

type tlsOwner struct {
	ip    netip.Addr
	user  string // "" until a login
	until int64  // unix nanoseconds after which the entry is void; 0 while the connection lives
}

// tlsOwners maps a control connection's stamp to its address and login. Safe from any
// goroutine.
type tlsOwners struct {
	mu sync.Mutex
	m  map[string]tlsOwner
}

// connect records the control connection stamped id, from ip, after its handshake.
func (o *tlsOwners) connect(id []byte, ip netip.Addr, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = make(map[string]tlsOwner)
	}
	if len(o.m) >= maxOwners {
		o.pruneLocked(now.UnixNano())
	}
	o.m[string(id)] = tlsOwner{ip: ip}
}

// login records the user now logged in on id ("" after REIN).
func (o *tlsOwners) login(id []byte, user string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.m[string(id)]; ok && e.until == 0 {
		e.user = user
		o.m[string(id)] = e
	}
}

// closed starts the retention of id's entry; one that never logged in vouches for nobody
// and goes at once.
func (o *tlsOwners) closed(id []byte, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.m[string(id)]
	switch {
	case !ok:
	case e.user == "":
		delete(o.m, string(id))
	default:
		e.until = now.Add(ownerRetention).UnixNano()
		o.m[string(id)] = e
	}
}

// vouches tells whether the stamp id belongs to a control connection from ip logged in as
// user, waiting up to ownerWait for a login still under way. Called on a transfer's
// goroutine, never on an event loop.
func (o *tlsOwners) vouches(id []byte, user string, ip netip.Addr) bool {
	deadline := time.Now().Add(ownerWait)
	for {
		o.mu.Lock()
		e, ok := o.m[string(id)]
		o.mu.Unlock()
		now := time.Now()
		switch {
		case ok && (e.ip != ip || (e.until != 0 && now.UnixNano() >= e.until)):
			return false
		case ok && e.user == user:
			return true
		case ok && e.user != "", now.After(deadline):
			return false // another user's connection, or one that never logged in
		}
		// Not logged in yet, or not even recorded yet: the sibling's handshake has just
		// ended and its session is being resumed on its transport.
		time.Sleep(5 * time.Millisecond)
	}
}

// pruneLocked drops expired entries, then closed ones until the table has room.
func (o *tlsOwners) pruneLocked(t int64) {
	for k, e := range o.m {
		if e.until != 0 && t >= e.until {
			delete(o.m, k)
		}
	}
	for k, e := range o.m {
		if len(o.m) < maxOwners {
			return
		}
		if e.until != 0 {
			delete(o.m, k)
		}
	}
}
