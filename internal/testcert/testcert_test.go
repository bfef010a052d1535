package testcert

import (
	"crypto/tls"
	"testing"
)

func TestWriteLoads(t *testing.T) {
	cert, key, both, err := Write(t.TempDir(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		t.Fatalf("cert.pem + key.pem: %v", err)
	}
	if _, err := tls.LoadX509KeyPair(both, both); err != nil {
		t.Fatalf("both.pem: %v", err)
	}
}
