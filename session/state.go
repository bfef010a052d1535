// Session state, grouped by how long it lives: the connection, the login, one command
// (and what it leaves for the next), the transfers. REIN replaces the login group whole.

package session

import (
	"net/netip"
	"sync/atomic"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/throttle"
)

// connection is what lives as long as the control connection, whoever logs in on it: the
// addresses, what the reaper reads, the control channel's TLS and the data protection
// negotiated on it (PROT), the virtual host (HOST or SNI; REIN forgets only what HOST
// alone chose), and the failed-login count (REIN must not reset it, or a
// password guesser would get fresh attempts by sending REIN).
type connection struct {
	local  netip.Addr     // the server address the client reached: PASV listens there
	remote netip.AddrPort // the client
	tls    *controlTLS    // nil while the control connection is plaintext

	last    atomic.Int64  // coarse time of the last command (read by the reaper)
	born    uint32        // Env.seconds when the connection arrived (read by the reaper)
	watched atomic.Uint32 // watchLoggedIn | watchTransferring, and SITE IDLE's seconds above watchBits
	host    uint16        // the virtual host (vhost.go): 0 is the default host
	hostBy  uint8         // what selected host: hostByHOST | hostBySNI | hostByConflict
	shard   uint8         // registry shard
	failed  uint8         // failed logins on this connection
	protP   bool          // PROT P: data connections use TLS (set by AUTH TLS-P too)
	closing bool
	// zmode is MODE Z and OPTS MODE Z LEVEL (modez.go: zOn | level+1). It belongs to the
	// login (REIN clears it) but lives here, in padding, to keep Session in its size class.
	zmode uint8
}

// Bits of connection.watched. One word instead of two atomic.Bools keeps Session in its
// size class (see TestSessionSize).
const (
	watchLoggedIn     = 1 << iota // the reaper applies the login timeout until set
	watchTransferring             // a transfer or digest moves bytes: never an idle timeout
)

// watch sets or clears bit. Safe from any goroutine (transfer goroutines clear
// watchTransferring when their bytes stop).
func (c *connection) watch(bit uint32, on bool) {
	if on {
		c.watched.Or(bit)
	} else {
		c.watched.And(^bit)
	}
}

// watching reports bit. Safe from any goroutine.
func (c *connection) watching(bit uint32) bool { return c.watched.Load()&bit != 0 }

// watchBits are the flag bits of watched; the bits above hold the idle timeout in seconds
// that SITE IDLE set (0: the server's), read by the reaper. Sharing the word keeps Session
// in its size class.
const (
	watchBits = 2
	watchMask = 1<<watchBits - 1
	maxIdle   = 1<<(32-watchBits) - 1 // seconds: 34 years
)

// idleSecs is SITE IDLE's timeout in seconds, 0 for the server's. Safe from any goroutine.
func (c *connection) idleSecs() uint32 { return c.watched.Load() >> watchBits }

// setIdle stores SITE IDLE's timeout (0: back to the server's), at most maxIdle, keeping
// the flags. Owner only; the reaper may read it at any time.
func (c *connection) setIdle(secs uint32) {
	secs = min(secs, maxIdle)
	for {
		old := c.watched.Load()
		if c.watched.CompareAndSwap(old, old&watchMask|secs<<watchBits) {
			return
		}
	}
}

// controlTLS is the TLS state of a control connection, from AUTH TLS or an implicit FTPS
// accept on. It is allocated then, so a plaintext session does not carry it.
type controlTLS struct {
	stamp []byte // marks this connection's session tickets; PROT P data connections must resume one (cmd_tls.go)
	pbsz  bool   // PBSZ seen: PROT may follow
}

// login is what belongs to one login, from USER to REIN (which replaces it whole) or the
// end of the connection, with the transfer parameters RFC 959 says REIN resets to their
// defaults (TYPE, EPSV ALL, OPTS MLST, OPTS HASH) and the per-command state.
type login struct {
	user    *auth.User // nil until PASS succeeds
	gov     *userGov   // the user's limits and session count, shared with their other sessions
	cwd     string
	next    *pending // nil until a command leaves state for a later one
	name    [maxUser]byte
	nameLen uint8 // name[:nameLen] is the name sent with USER
	gotUser bool  // USER came: PASS may follow
	ascii   bool  // TYPE A
	epsvAll bool  // EPSV ALL: PASV, PORT and EPRT are refused
	facts   proto.Facts
	hash    hashAlgo // OPTS HASH; the zero value is SHA-256
}

// newLogin is the login state of a connection nobody has logged in on yet.
func newLogin() login { return login{cwd: "/", facts: proto.FactsDefault} }

// pending is the per-command state: what one command leaves for a later one (the data
// connection to use, the REST offset, the RNFR path, the RANG range) and the audited command
// awaiting its final reply. Allocated by the first command that sets any of it; part of the
// login, so REIN drops it.
type pending struct {
	pasv *datapath.Passive // PASV/EPSV listener, until a transfer takes it
	port netip.AddrPort    // PORT/EPRT target, until a transfer takes it
	rest int64             // REST offset for the next RETR, STOR or APPE
	rnfr string            // RNFR's path for the RNTO that must come next

	rang               bool // RANG set a range for the next HASH
	rangStart, rangEnd int64

	// The command being audited (a proto.Modifies verb) until its final reply: audit.go.
	audit                proto.Verb
	auditPath, auditFrom string
}

// pend returns the per-command state for writing, allocating it on first use.
func (s *Session) pend() *pending {
	if s.login.next == nil {
		s.login.next = &pending{}
	}
	return s.login.next
}

// inFlight is the command being executed.
type inFlight struct {
	at       uint32     // Env.micros when it arrived (metrics)
	verb     proto.Verb // reported to the Observer when it ends; Unknown once reported
	busy     bool       // a command or transfer is in flight; pipelined input waits
	quitting bool       // QUIT arrived during a transfer: say goodbye after it ends
}

// transfers is what the session's transfers and digests use: the one running, and the
// session's own rate buckets, kept from one transfer to the next so that back-to-back
// transfers do not each start with a full burst. Allocated by the first transfer or
// digest. REIN keeps it: the per-session rate is the server's, not the user's.
type transfers struct {
	running      *transfer // nil when no transfer runs
	cancelDigest func()    // stops the digest in flight (HASH, XCRC ...) when the session closes
	readBucket   *throttle.Bucket
	writeBucket  *throttle.Bucket
}

// xfers returns the transfer state, allocating it on first use.
func (s *Session) xfers() *transfers {
	if s.data == nil {
		s.data = &transfers{}
	}
	return s.data
}

// running returns the transfer in flight, or nil.
func (s *Session) running() *transfer {
	if s.data == nil {
		return nil
	}
	return s.data.running
}

// restOffset is the REST offset for the transfer about to start (0 without REST).
func (s *Session) restOffset() int64 {
	if s.login.next == nil {
		return 0
	}
	return s.login.next.rest
}
