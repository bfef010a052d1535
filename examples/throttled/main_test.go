package main

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// TestGuestIsThrottled downloads 256 KiB as "guest" (128 KiB/s): it must take about 2 s,
// and at least 1.5 s.
func TestGuestIsThrottled(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 256<<10)
	rand.Read(data)
	os.WriteFile(filepath.Join(dir, "f.bin"), data, 0o644)
	srv, err := newServer(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	c, err := ftp.Dial(ln.Addr().String(), ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("guest", "guest"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r, err := c.Retr("f.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	d := time.Since(start)
	if len(got) != len(data) {
		t.Fatalf("got %d bytes, want %d", len(got), len(data))
	}
	if d < 1500*time.Millisecond || d > 6*time.Second {
		t.Fatalf("256 KiB at 128 KiB/s took %v, want about 2 s", d)
	}
}
