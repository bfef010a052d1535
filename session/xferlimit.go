// xferlimit.go: the limit on file transfers running at once from one client address
// (proftpd's MaxTransfersPerHost), apart from the connection limit: one download
// accelerator opening 16 segments must not starve everyone else.

package session

import (
	"net/netip"
	"strconv"

	"github.com/fastftp/fastftp/proto"
)

// SetMaxTransfersPerIP changes the limit on file transfers at once per client address
// (0: unlimited). Transfers already running stay counted, even above a lowered limit.
// Safe from any goroutine, after Start.
func (e *Env) SetMaxTransfersPerIP(n int) {
	e.xfersIP.SetLimits(0, n)
	e.xfersMax.Store(int64(max(n, 0)))
}

// TransfersFrom returns the file transfers running from ip's source address (see
// throttle.Source). Safe from any goroutine, after Start.
func (e *Env) TransfersFrom(ip netip.Addr) int { return e.xfersIP.CountFrom(ip) }

// limitedVerb reports whether v counts against MaxTransfersPerIP: file transfers do;
// listings, short and needed to find anything, do not.
func limitedVerb(v proto.Verb) bool {
	return v == proto.RETR || v == proto.STOR || v == proto.APPE || v == proto.STOU
}

// claimTransferSlot counts a transfer of v against the client's address. When the address
// is at its limit it answers 425 and drops the pending PASV listener or PORT target, before
// any byte moves: a client that connected to the passive port already is reset, and must
// send PASV again for its next try. Otherwise it returns the function that uncounts the
// transfer, to be called once when it ends, however it ends. Owner only.
func (s *Session) claimTransferSlot(v proto.Verb, next *pending) (release func(), ok bool) {
	if !limitedVerb(v) {
		return func() {}, true
	}
	ip := s.conn.remote.Addr()
	if err := s.env.xfersIP.Acquire(ip); err != nil {
		if next.pasv != nil {
			next.pasv.Close()
		}
		next.pasv, next.port = nil, netipZero
		lim := s.env.xfersMax.Load()
		s.env.Log.Warn("transfer refused: too many from this address", "remote", s.conn.remote,
			"user", s.userString(), "verb", v.String(), "max", lim)
		s.reply(425, "Too many transfers from your address (at most "+strconv.FormatInt(lim, 10)+
			" at once); try again when one ends.")
		return nil, false
	}
	return func() { s.env.xfersIP.Release(ip) }, true
}

// appendTransfersFrom adds STAT's line on the client address's transfers when they are
// limited.
func (s *Session) appendTransfersFrom(b []byte) []byte {
	lim := s.env.xfersMax.Load()
	if lim <= 0 {
		return b
	}
	b = append(b, " File transfers from your address: "...)
	b = strconv.AppendInt(b, int64(s.env.TransfersFrom(s.conn.remote.Addr())), 10)
	b = append(b, " of at most "...)
	b = strconv.AppendInt(b, lim, 10)
	return append(b, "\r\n"...)
}
