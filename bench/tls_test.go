// FTPS (explicit) against pyftpdlib's TLS_FTPHandler with TLS required on control and data.
package bench

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and key (one PEM file) for 127.0.0.1.
func writeCert(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cert.pem")
	out := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExplicitFTPS(t *testing.T) {
	havePyftpdlib(t)
	if err := exec.Command(pythonForPyftpdlib, "-c", "import OpenSSL").Run(); err != nil {
		t.Skipf("pyOpenSSL not installed for %s: %v", pythonForPyftpdlib, err)
	}
	s := startPyftpd(t, "testdata/tls_server.py", writeCert(t))
	cfg := s.config()
	cfg.TLS, cfg.Count, cfg.Verify = TLSExplicit, 8, true
	for _, name := range []string{"login", "retr", "stor"} {
		r := runOne(t, cfg, name)
		if r.Ops != 8 || r.ErrorCount() != 0 {
			t.Fatalf("%s over FTPS: ops=%d errors=%v %v", name, r.Ops, r.Errors, r.ErrorText)
		}
	}
	// Without TLS the server refuses the login (tls_control_required): 5xx, no crash.
	cfg.TLS, cfg.Count = TLSNone, 2
	if r := runOne(t, cfg, "login"); r.Errors["5xx"] != 2 {
		t.Fatalf("plain login to FTPS-only server: errors=%v", r.Errors)
	}
}
