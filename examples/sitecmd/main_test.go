package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRMTREE(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"pub/a/b", "pub/c"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for i, f := range []string{"pub/x", "pub/a/y", "pub/a/b/z"} {
		os.WriteFile(filepath.Join(dir, f), make([]byte, i), 0o644)
	}
	srv, err := newServer(dir, "alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	step := func(cmd, want string) {
		t.Helper()
		if cmd != "" {
			fmt.Fprintf(c, "%s\r\n", cmd)
		}
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, want) {
			t.Fatalf("%q: got %q (%v), want %s", cmd, line, err, want)
		}
	}
	step("", "220")
	step("USER alice", "331")
	step("PASS pw", "230")
	step("SITE RMTREE pub", "250")
	if _, err := os.Stat(filepath.Join(dir, "pub")); !os.IsNotExist(err) {
		t.Fatalf("pub still exists: %v", err)
	}
	step("SITE RMTREE /", "501")
	step("SITE RMTREE missing", "550")
}
