// FTPS configuration of the Server: the TLS base configuration (the upgrade itself, AUTH
// TLS and implicit, is the reactor's: reactor/tls.go) and certificates that SIGHUP can
// reload.

package fastftp

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
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
