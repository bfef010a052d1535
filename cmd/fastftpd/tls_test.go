package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/internal/testcert"
)

// keyPair writes a self-signed certificate and its key into dir: cert.pem, key.pem and
// both.pem (certificate and key in one file).
func keyPair(t *testing.T, dir string) (cert, key, both string) {
	t.Helper()
	cert, key, both, err := testcert.Write(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, both
}

// TestTLSConfiguration: cert_file holding certificate and key works in the file as on the
// command line; --check-config loads the key pair, so a swapped pair fails there; and
// --certfile alone enables AUTH TLS (as tls.cert_file does in the file).
func TestTLSConfiguration(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cert, key, both := keyPair(t, dir)
	home := t.TempDir()
	write := func(name, tls string) string {
		p := filepath.Join(dir, name)
		doc := fmt.Sprintf("[server]\nlisten = [\"127.0.0.1:0\"]\n[anonymous]\nenabled = true\nhome = %q\n[tls]\n%s", home, tls)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("both.toml", fmt.Sprintf("cert_file = %q\n", both))
	if code, out := runBinary(t, bin, "-c", good, "--check-config"); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("cert_file holding both: exit %d, %q", code, out)
	}
	swapped := write("swapped.toml", fmt.Sprintf("cert_file = %q\nkey_file = %q\n", key, cert))
	if code, out := runBinary(t, bin, "-c", swapped, "--check-config"); code != 2 || !strings.Contains(out, "swapped.toml:8: tls:") ||
		!strings.Contains(out, "are not a certificate and its private key") {
		t.Fatalf("swapped cert and key: exit %d, %q; want exit 2 naming swapped.toml:8", code, out)
	}
	if code, out := runBinary(t, bin, "-d", home, "--certfile", key, "--keyfile", cert, "-p", "0"); code != 2 || !strings.Contains(out, "--certfile:") {
		t.Fatalf("swapped --certfile/--keyfile: exit %d, %q", code, out)
	}

	// --certfile without --tls: AUTH TLS is on.
	_, port, log := startBinary(t, bin, home, "-i", "127.0.0.1", "-p", "0", "--certfile", both)
	if !strings.Contains(log.String(), "tls=\"AUTH TLS, cert "+both) {
		t.Errorf("effective configuration does not show TLS:\n%s", log.String())
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if err := expect(r, "220"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "AUTH TLS\r\n")
	if err := expect(r, "234"); err != nil {
		t.Fatalf("AUTH TLS with --certfile alone: %v", err)
	}
}

// TestBusyPortNamesItsFlag: a port in use is reported with the flag that asked for it.
func TestBusyPortNamesItsFlag(t *testing.T) {
	dir := t.TempDir()
	_, _, both := keyPair(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	_, port, _ := net.SplitHostPort(busy)
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--metrics", busy}, "--metrics"},
		{[]string{"--certfile", both, "--tls-implicit", busy}, "--tls-implicit"},
		{nil, "-p"},
	} {
		var out bytes.Buffer
		args := append([]string{"-i", "127.0.0.1", "-p", "0", "-d", dir}, c.args...)
		if c.flag == "-p" {
			args = []string{"-i", "127.0.0.1", "-p", port, "-d", dir}
		}
		code := run(args, &out)
		want := "port " + port + " is already in use by another program; choose another with " + c.flag + "\n"
		if code == 0 || !strings.HasSuffix(out.String(), want) {
			t.Errorf("run(%v) = %d, %q; want a line ending %q", args, code, out.String(), want)
		}
	}
}
