// FTP over TLS (RFC 4217): AUTH PBSZ PROT CCC, and TLS on data connections with the
// control connection's session resumed (vsftpd's require_ssl_reuse, proftpd's default),
// which stops a third party from stealing a data connection.

package session

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/fastftp/fastftp/reactor"
	xfer "github.com/fastftp/fastftp/transfer"
)

func (s *Session) cmdAUTH(arg []byte) {
	switch {
	case s.env.TLS == nil:
		s.reply(502, "TLS is not enabled on this server.")
	case s.conn.tls != nil:
		s.reply(503, "Already using TLS.")
	case !asciiEqualFold(arg, "TLS") && !asciiEqualFold(arg, "SSL") &&
		!asciiEqualFold(arg, "TLS-C") && !asciiEqualFold(arg, "TLS-P"):
		s.reply(504, "AUTH type not supported: use TLS.")
	default:
		st, ok := s.t.(reactor.TLSStarter)
		if !ok {
			s.reply(534, "TLS is not available on this connection.")
			return
		}
		if asciiEqualFold(arg, "TLS-P") {
			s.conn.protP = true // RFC 4217's obsolete TLS-P implies protected data
		}
		s.reply(234, "AUTH TLS successful.")
		// Nothing after this line is read as plaintext: input pipelined behind AUTH goes
		// to the TLS handshake, where anything but a ClientHello fails it (the STARTTLS
		// command-injection class, CVE-2011-0411).
		s.current.busy = true
		st.StartTLS()
	}
}

func (s *Session) cmdPBSZ(arg []byte) {
	if s.conn.tls == nil {
		s.reply(503, "PBSZ not allowed on insecure control connection.")
		return
	}
	s.conn.tls.pbsz = true
	s.reply(200, "PBSZ=0 successful.") // stream mode over TLS: the size is always 0
}

func (s *Session) cmdPROT(arg []byte) {
	switch {
	case s.conn.tls == nil:
		s.reply(503, "PROT not allowed on insecure control connection.")
	case !s.conn.tls.pbsz:
		s.reply(503, "You must issue the PBSZ command prior to PROT.")
	case asciiEqualFold(arg, "P"):
		s.conn.protP = true
		s.reply(200, "Protection set to Private.")
	case asciiEqualFold(arg, "C"):
		if s.env.TLSDataRequired {
			s.reply(534, "PROT C not allowed: this server requires TLS on data connections.")
			return
		}
		s.conn.protP = false
		s.reply(200, "Protection set to Clear.")
	case asciiEqualFold(arg, "S"), asciiEqualFold(arg, "E"):
		s.reply(536, "PROT level not supported: use P or C.")
	default:
		s.reply(504, "Unrecognized PROT level.")
	}
}

func (s *Session) cmdCCC(_ []byte) {
	if s.conn.tls == nil {
		s.reply(533, "Control connection is not protected.")
		return
	}
	// Going back to plaintext would let a middlebox rewrite commands after login; no
	// peer enables it by default and neither do we.
	s.reply(534, "CCC not allowed: the control connection stays encrypted.")
}

// tlsRequiredForLogin answers USER and PASS with 530 while the server requires TLS on the
// control connection and it is still plaintext; it reports whether it did.
func (s *Session) tlsRequiredForLogin() bool {
	if s.env.TLS != nil && s.env.TLSControlRequired && s.conn.tls == nil {
		s.reply(530, "TLS required on the control connection: use AUTH TLS.")
		return true
	}
	return false
}

// dataTLSRequired answers a transfer refused under PROT C.
func (s *Session) dataTLSRequired() bool {
	if s.env.TLS != nil && s.env.TLSDataRequired && !s.conn.protP {
		s.reply(522, "TLS required on the data connection: use PROT P.")
		return true
	}
	return false
}

var tlsFeat = []byte(" AUTH TLS\r\n PBSZ\r\n PROT\r\n")

func (s *Session) appendTLSFeat(b []byte) []byte {
	if s.env.TLS == nil {
		return b
	}
	return append(b, tlsFeat...)
}

// ErrNoReuse refuses a PROT P data connection that did not resume the control session. It
// is transfer.ErrTLSNotResumed, the error the transfer's reply maps, under its old name.
var ErrNoReuse = xfer.ErrTLSNotResumed

// dataTLSConfig accepts tickets issued on this session's control connection, and tickets
// of another control connection on which the same user logged in from the same address
// (tlsowners.go says why); any other ticket falls back to a full handshake, which the reuse
// check then refuses. Tickets a data connection issues (TLS 1.3 sends fresh ones after every
// handshake, and clients cache the newest) carry this session's stamp, so the next data
// connection can resume from them. Called on the owner; the config is used by the transfer.
func (s *Session) dataTLSConfig() *tls.Config {
	var id []byte // no stamp: only a session on a TLS control connection has one
	if c := s.conn.tls; c != nil {
		id = c.stamp
	}
	base := s.env.TLS
	user, ip := s.userString(), s.conn.remote.Addr()
	c := reactor.StampTickets(base, id)
	if get := s.hostCertificate(); get != nil {
		c.Certificates, c.GetCertificate = nil, get // the virtual host's, as on the control connection
	}
	// Runs inside the data connection's handshake, on the transfer's goroutine: it may wait
	// briefly for a sibling's login (tlsowners.go), bounded by the handshake timeout too.
	c.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := base.DecryptTicket(identity, cs)
		if err != nil || ss == nil {
			return nil, nil
		}
		for _, e := range ss.Extra {
			if bytes.Equal(e, id) {
				return ss, nil
			}
		}
		for _, e := range ss.Extra {
			if s.env.owner.vouches(e, user, ip) {
				return ss, nil
			}
		}
		return nil, nil
	}
	return c
}

// wrapData runs the TLS handshake on a PROT P data connection, as the TLS server (RFC 4217
// 7: the FTP server is the TLS server on data connections in both PASV and PORT modes).
func (s *Session) wrapData(ctx context.Context, c net.Conn, cfg *tls.Config) (net.Conn, error) {
	tc := tls.Server(c, cfg)
	hctx, cancel := context.WithTimeout(ctx, s.env.TLSHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Close()
		s.env.Log.Warn("data connection refused: TLS handshake failed", "remote", s.conn.remote, "user", s.userString(),
			"data_remote", c.RemoteAddr().String(), "err", err)
		return nil, err
	}
	if !s.env.TLSNoReuse && !tc.ConnectionState().DidResume {
		tc.Close()
		s.env.Log.Warn("data connection refused: it did not resume a TLS session of this user's control connections",
			"remote", s.conn.remote, "user", s.userString(), "data_remote", c.RemoteAddr().String(),
			"hint", "clients that cannot resume (Python's ftplib) need the server's --tls-no-session-reuse")
		return nil, ErrNoReuse
	}
	_ = c.SetDeadline(time.Time{})
	return tc, nil
}
