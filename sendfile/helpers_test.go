// Test helpers: loopback TCP pairs, generated files, reference TYPE A conversions.
package sendfile

import (
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tcpPair returns two ends of a loopback TCP connection; both are closed at cleanup.
func tcpPair(tb testing.TB) (server, client *net.TCPConn) {
	tb.Helper()
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	_ = ln.SetDeadline(time.Now().Add(5 * time.Second))
	type res struct {
		c   *net.TCPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.AcceptTCP()
		ch <- res{c, err}
	}()
	client, err = net.DialTCP("tcp4", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	r := <-ch
	if r.err != nil {
		client.Close()
		tb.Fatalf("accept: %v", r.err)
	}
	tb.Cleanup(func() { client.Close(); r.c.Close() })
	return r.c, client
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// textBytes returns n bytes of text-like data, dense in CR, LF and CRLF, so that chunk
// boundaries fall between CR and LF many times.
func textBytes(n int, seed uint64) []byte {
	const alphabet = "\n\n\rdefghijklmnop" // 2/16 LF, 1/16 CR
	b := randomBytes(n, seed)
	for i, c := range b {
		b[i] = alphabet[c&15]
	}
	return b
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(tb testing.TB, dir string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// drain reads c until EOF (or error) and returns the SHA-256 and length of what arrived.
func drain(c net.Conn) <-chan sum {
	ch := make(chan sum, 1)
	go func() {
		h := sha256.New()
		n, err := io.Copy(h, c)
		var s sum
		copy(s.hash[:], h.Sum(nil))
		s.n, s.err = n, err
		ch <- s
	}()
	return ch
}

type sum struct {
	hash [32]byte
	n    int64
	err  error
}

// refCRLF is the obvious byte-at-a-time LF -> CRLF conversion.
func refCRLF(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(src)/4)
	for i, c := range src {
		if c == '\n' && (i == 0 || src[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// refLF is the obvious byte-at-a-time CRLF -> LF conversion.
func refLF(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i, c := range src {
		if c == '\r' && i+1 < len(src) && src[i+1] == '\n' {
			continue
		}
		out = append(out, c)
	}
	return out
}

// countingPacer grants at most max bytes per Wait and counts what it granted.
type countingPacer struct {
	max     int
	granted int64
	calls   int
}

func (p *countingPacer) Wait(ctx context.Context, want int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := min(want, p.max)
	p.granted += int64(n)
	p.calls++
	return n, nil
}

// blockingPacer never grants: Wait returns only when ctx is done.
type blockingPacer struct{}

func (blockingPacer) Wait(ctx context.Context, want int) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }
