// FTPS (explicit) against pyftpdlib's TLS_FTPHandler with TLS required on control and data.
package bench

import (
	"os/exec"
	"testing"

	"github.com/fastftp/fastftp/ftpclient"
	"github.com/fastftp/fastftp/internal/testcert"
)

// writeCert writes a self-signed certificate and key (one PEM file) for 127.0.0.1.
func writeCert(t *testing.T) string {
	_, _, both, err := testcert.Write(t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return both
}

func TestExplicitFTPS(t *testing.T) {
	havePyftpdlib(t)
	if err := exec.Command(pythonForPyftpdlib, "-c", "import OpenSSL").Run(); err != nil {
		t.Skipf("pyOpenSSL not installed for %s: %v", pythonForPyftpdlib, err)
	}
	s := startPyftpd(t, "testdata/tls_server.py", writeCert(t))
	cfg := s.config()
	cfg.TLS, cfg.Count, cfg.Verify = ftpclient.TLSExplicit, 8, true
	for _, name := range []string{"login", "retr", "stor"} {
		r := runOne(t, cfg, name)
		if r.Ops != 8 || r.ErrorCount() != 0 {
			t.Fatalf("%s over FTPS: ops=%d errors=%v %v", name, r.Ops, r.Errors, r.ErrorText)
		}
	}
	// Without TLS the server refuses the login (tls_control_required): 5xx, no crash.
	cfg.TLS, cfg.Count = ftpclient.TLSNone, 2
	if r := runOne(t, cfg, "login"); r.Errors["5xx"] != 2 {
		t.Fatalf("plain login to FTPS-only server: errors=%v", r.Errors)
	}
}
