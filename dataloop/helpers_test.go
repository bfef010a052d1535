//go:build linux

// Test helpers: loopback pairs, files with known contents, descriptor counting.

package dataloop

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testTimeout bounds every blocking step of a test.
const testTimeout = 60 * time.Second

// pattern returns n pseudo-random bytes from seed.
func pattern(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := 0; k < 8; k++ {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// memDir is a directory in tmpfs when there is one (no disk in the measurement).
func memDir(tb testing.TB) string {
	dir := "/dev/shm"
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return tb.TempDir()
	}
	d, err := os.MkdirTemp(dir, "dataloop-test-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// writeFile creates dir/name holding data and returns it opened read-only.
func writeFile(tb testing.TB, dir, name string, data []byte) *os.File {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// listener is a loopback TCP listener closed at the end of the test.
func listener(tb testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	return ln
}

// pair returns a connected loopback (server, client) pair.
func pair(tb testing.TB, ln net.Listener) (*net.TCPConn, *net.TCPConn) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() { c, err := ln.Accept(); ch <- res{c, err} }()
	cc, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		cc.Close()
		tb.Fatal(r.err)
	}
	return r.c.(*net.TCPConn), cc.(*net.TCPConn)
}

// readAll reads c to EOF with a deadline and closes it.
func readAll(c net.Conn) ([]byte, error) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	return io.ReadAll(c)
}

// fdCount returns the number of open descriptors of this process.
func fdCount(tb testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// checkNoLeak fails tb if, after fn and a short settle, more descriptors are open than
// before (the runtime may open a few lazily, so it retries briefly before failing).
func checkNoLeak(tb testing.TB, before int) {
	var now int
	for i := 0; i < 50; i++ {
		if now = fdCount(tb); now <= before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Errorf("descriptor leak: %d open before, %d after", before, now)
}

// newEngine starts an engine closed at the end of the test.
func newEngine(tb testing.TB, cfg Config) *Engine {
	e, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// equal reports the first difference between got and want.
func equal(tb testing.TB, what string, got, want []byte) {
	tb.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	tb.Fatalf("%s: %d bytes, want %d; first difference at %d", what, len(got), len(want), i)
}
