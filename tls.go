// FTPS plumbing of the Server: the TLS base configuration, the hand-off of AUTH TLS
// sessions from the event loops, and certificates that SIGHUP can reload.

package fastftp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"github.com/fastftp/fastftp/reactor"
	"github.com/fastftp/fastftp/session"
)

// tlsBase prepares the server's TLS configuration: TLS 1.2 at least, and one explicit
// ticket key, so the per-connection clones (control and data) encrypt and decrypt each
// other's session tickets; auto-generated keys would differ per clone.
func tlsBase(in *tls.Config) (*tls.Config, error) {
	c := in.Clone()
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	if c.SessionTicketsDisabled {
		return nil, errors.New("fastftp: Config.TLS disables session tickets; PROT P data connections need them to resume the control session")
	}
	if len(c.Certificates) == 0 && c.GetCertificate == nil && c.GetConfigForClient == nil {
		return nil, errors.New("fastftp: Config.TLS has no certificate")
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, fmt.Errorf("fastftp: session ticket key: %w", err)
	}
	c.SetSessionTicketKeys([][32]byte{key})
	return c, nil
}

// detached receives a session that accepted AUTH TLS on an event loop.
func (s *Server) detached(sess *session.Session, fd int, pending []byte) {
	f := os.NewFile(uintptr(fd), "ftp-control")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		s.log.Warn("AUTH TLS: cannot adopt the socket", "remote", sess.Remote(), "err", err)
		sess.Closed()
		s.released(sess)
		return
	}
	go s.runTLS(sess, c, pending, false)
}

// runTLS performs the server handshake, bounded by the handshake timeout (a stalled client
// holds a parked goroutine and no CPU), then runs the session on this goroutine.
func (s *Server) runTLS(sess *session.Session, raw net.Conn, pending []byte, implicit bool) {
	id := make([]byte, 16)
	rand.Read(id)
	tc := tls.Server(&prefixConn{Conn: raw, pending: pending}, session.ControlTLSConfig(s.env.TLS, id))
	ctx, cancel := context.WithTimeout(context.Background(), s.env.TLSHandshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		s.log.Info("TLS handshake failed", "remote", sess.Remote(), "implicit", implicit, "err", err)
		raw.Close()
		if !implicit {
			sess.Closed() // an AUTH TLS session was live on a loop until now
		}
		s.released(sess)
		return
	}
	reactor.ServeConn(tc, sess, func(t session.Transport) { sess.Resume(t, id, implicit) }, nil, s.rcfg)
}

// prefixConn replays bytes that arrived before the hand-off (a pipelined ClientHello, or
// plaintext that the handshake will reject) ahead of the socket.
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

// CertReloader serves a certificate loaded from PEM files and reloads it on demand (SIGHUP
// in fastftpd) without dropping sessions: new handshakes get the new certificate. Safe
// from any goroutine.
type CertReloader struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

// LoadCert loads a certificate and its key (keyFile may be "" when certFile holds both).
func LoadCert(certFile, keyFile string) (*CertReloader, error) {
	if keyFile == "" {
		keyFile = certFile
	}
	r := &CertReloader{certFile: certFile, keyFile: keyFile}
	return r, r.Reload()
}

// Reload reads the files again; on error the previous certificate stays in use.
func (r *CertReloader) Reload() error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s (key %s): %w", r.certFile, r.keyFile, err)
	}
	r.cert.Store(&c)
	return nil
}

// GetCertificate implements tls.Config.GetCertificate.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cert.Load(), nil
}

// TLSConfig returns a server configuration using this certificate: TLS 1.2 minimum, 1.3
// preferred (Go negotiates the highest both sides support).
func (r *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}
}
