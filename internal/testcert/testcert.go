// Package testcert makes self-signed certificates for tests and local tools: an ECDSA P-256
// key, valid from an hour ago to a day from now, for localhost, 127.0.0.1 and ::1. Never
// for production use.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// PEM returns a new certificate and its private key, PEM-encoded; serial tells certificates
// apart (a reload test swaps one for another). Safe from any goroutine.
func PEM(serial int64) (cert, key []byte, err error) { return PEMFor(serial, "localhost") }

// PEMFor is PEM for a certificate whose subject (common name) is names[0] and whose DNS
// names are names, besides the loopback addresses (virtual host tests tell certificates
// apart by name).
func PEMFor(serial int64, names ...string) (cert, key []byte, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("testcert: generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return nil, nil, fmt.Errorf("testcert: create certificate: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, nil, fmt.Errorf("testcert: marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

// Write writes dir/cert.pem, dir/key.pem and dir/both.pem (certificate then key, as some
// servers take them in one file), mode 0600, and returns their paths.
func Write(dir string, serial int64) (cert, key, both string, err error) {
	return WriteFor(dir, serial, "localhost")
}

// WriteFor is Write for a certificate of PEMFor(serial, names...).
func WriteFor(dir string, serial int64, names ...string) (cert, key, both string, err error) {
	c, k, err := PEMFor(serial, names...)
	if err != nil {
		return "", "", "", err
	}
	cert, key, both = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "both.pem")
	for name, data := range map[string][]byte{cert: c, key: k, both: append(append([]byte{}, c...), k...)} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return "", "", "", fmt.Errorf("testcert: %w", err)
		}
	}
	return cert, key, both, nil
}
