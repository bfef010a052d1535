// The raw reference server must speak enough FTP for a real client: log in, RETR a file
// byte for byte, STOR one, and refuse what it does not implement.
package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

func TestRetrStor(t *testing.T) {
	dir := t.TempDir()
	want := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16+7) // > several sendfile chunks
	if err := os.WriteFile(filepath.Join(dir, "f.dat"), want, 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &server{dir: dir}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c.(*net.TCPConn))
		}
	}()
	c, err := ftp.Dial(ln.Addr().String(), ftp.DialWithTimeout(5*time.Second), ftp.DialWithDisabledEPSV(true))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("u", "p"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.FileSize("f.dat"); err != nil || n != int64(len(want)) {
		t.Fatalf("SIZE = %d, %v; want %d", n, err, len(want))
	}
	r, err := c.Retr("f.dat")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("RETR: %d bytes, err %v; want %d identical bytes", len(got), err, len(want))
	}
	if err := c.Stor("up.dat", bytes.NewReader(want[:12345])); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "up.dat")); err != nil || !bytes.Equal(b, want[:12345]) {
		t.Fatalf("STOR stored %d bytes, err %v; want 12345", len(b), err)
	}
	if _, err := c.Retr("missing.dat"); err == nil {
		t.Fatal("RETR of a missing file succeeded")
	}
	if err := c.MakeDir("x"); err != nil { // MKD is answered (ignored) so ftpbench's setup passes
		t.Fatal(err)
	}
	if _, err := c.List("."); err == nil {
		t.Fatal("LIST succeeded on a server that has no LIST")
	}
}
