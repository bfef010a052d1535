package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// TestUploadJob: two uploads return at once although each job sleeps 1 s, and both
// checksum files appear afterwards with the right content.
func TestUploadJob(t *testing.T) {
	dir := t.TempDir()
	srv, err := newServer(dir, time.Second)
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
	if err := c.Login("anonymous", "x"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, name := range []string{"a.txt", "b.txt"} {
		if err := c.Stor(name, strings.NewReader("content of "+name)); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 700*time.Millisecond {
		t.Fatalf("two uploads took %v: the slow job held them up", d)
	}
	for _, name := range []string{"a.txt", "b.txt"} {
		want := sha256.Sum256([]byte("content of " + name))
		var got []byte
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if got, err = os.ReadFile(filepath.Join(dir, name+".sha256")); err == nil && len(got) > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.HasPrefix(string(got), hex.EncodeToString(want[:])) {
			t.Fatalf("%s.sha256 = %q", name, got)
		}
	}
}
