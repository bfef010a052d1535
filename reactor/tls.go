// The FTPS upgrade, all of it: AUTH TLS hands a duplicate of the socket here from the
// event loop (conn.handOverTLS), implicit FTPS arrives through ServeTLS; both get the
// bounded handshake and continue on the goroutine transport.

package reactor

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"net"
	"os"
)

// ServeTLS runs h over c, an accepted connection that speaks TLS from its first byte
// (implicit FTPS, traditionally port 990), on a goroutine of its own: the handshake, then
// h.Resume with implicitFTPS set. Config.Closed runs when it ends. Config.TLS must be set.
func (r *Reactor) ServeTLS(c net.Conn, h Handler) {
	go r.h.handshake(c, nil, h, true)
}

// upgrade continues a connection whose handler asked for TLS on an event loop: fd is a
// duplicate of its socket, pending the input that arrived behind the request (a pipelined
// ClientHello, or plaintext that the handshake will reject). Runs on its own goroutine.
func (h *handler) upgrade(fd int, pending []byte, hd Handler) {
	f := os.NewFile(uintptr(fd), "ftp-control")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		h.cfg.Log.Warn("AUTH TLS: cannot adopt the duplicated socket", "remote", hd.Remote(), "err", err)
		hd.Closed(ReasonIOError)
		h.cfg.Closed(hd)
		return
	}
	h.handshake(c, pending, hd, false)
}

// handshake runs the server side of the TLS handshake on raw, after replaying pending,
// bounded by Config.TLSHandshakeTimeout, then serves the handler on this goroutine.
func (h *handler) handshake(raw net.Conn, pending []byte, hd Handler, implicitFTPS bool) {
	if h.cfg.TLS == nil {
		h.cfg.Log.Error("TLS requested but the reactor has no Config.TLS", "remote", hd.Remote())
		h.fail(raw, hd, implicitFTPS)
		return
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	cfg := StampTickets(h.cfg.TLS, id)
	if ch, ok := hd.(CertChooser); ok {
		chooseWith(cfg, ch)
	}
	tc := tls.Server(&prefixConn{Conn: raw, pending: pending}, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.TLSHandshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		h.cfg.Log.Info("TLS handshake failed", "remote", hd.Remote(), "implicit_ftps", implicitFTPS, "err", err)
		h.fail(raw, hd, implicitFTPS)
		return
	}
	serveGo(tc, hd, func(t Transport) { hd.Resume(t, id, implicitFTPS) }, &h.cfg)
}

// fail ends a connection whose TLS never started. An implicit FTPS handler was never
// started, so only Config.Closed hears of it; an AUTH TLS one was live on a loop until now.
func (h *handler) fail(raw net.Conn, hd Handler, implicitFTPS bool) {
	raw.Close()
	if !implicitFTPS {
		hd.Closed(ReasonTLSHandshake)
	}
	h.cfg.Closed(hd)
}

// StampTickets returns a clone of base whose session tickets carry id, so that a data
// connection resuming one of them proves it belongs to this control connection (the
// UnwrapSession side is the session's: its data TLS configuration). Safe from any
// goroutine.
func StampTickets(base *tls.Config, id []byte) *tls.Config {
	c := base.Clone()
	c.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		ss.Extra = append(ss.Extra, id)
		return base.EncryptTicket(cs, ss)
	}
	return c
}

// CertChooser is implemented by handlers that pick the certificate of their own handshake
// (virtual hosts: HOST before AUTH TLS, or the ClientHello's server name). The reactor
// calls ChooseCertificate on the handshake goroutine, which owns the handler until Resume;
// nil, nil means the configuration's own certificate.
type CertChooser interface {
	ChooseCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error)
}

// chooseWith makes c (a per-connection clone) ask ch first. crypto/tls skips
// GetCertificate when Certificates is set and the client sent no server name, so the
// configured certificates move behind the chooser, first one that the client supports.
func chooseWith(c *tls.Config, ch CertChooser) {
	get, certs := c.GetCertificate, c.Certificates
	c.Certificates = nil
	c.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if cert, err := ch.ChooseCertificate(hello); cert != nil || err != nil {
			return cert, err
		}
		if get != nil {
			if cert, err := get(hello); cert != nil || err != nil {
				return cert, err
			}
		}
		for i := range certs {
			if hello.SupportsCertificate(&certs[i]) == nil {
				return &certs[i], nil
			}
		}
		if len(certs) > 0 {
			return &certs[0], nil
		}
		return nil, errors.New("no certificate configured")
	}
}

// prefixConn replays bytes that arrived before the hand-off ahead of the socket.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}
