// Byte-exact Send and Recv tests over loopback TCP: sizes, paths, ASCII, Pacer, Progress.
package sendfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

type copyMode struct {
	name     string
	opts     Options
	zeroCopy bool // the zero-copy path must move every byte
}

func copyModes() []copyMode {
	return []copyMode{
		{name: "zerocopy", zeroCopy: Supported()},
		{name: "buffer", opts: Options{Disable: true}},
		{name: "ascii", opts: Options{ASCII: true}},
		{name: "ascii-chunk3", opts: Options{ASCII: true, Chunk: 3}},
	}
}

func copySizes(t *testing.T) []int {
	sizes := []int{0, 1, 1 << 20}
	if !testing.Short() {
		sizes = append(sizes, 64<<20)
	}
	return sizes
}

// testData returns the input for a mode and size and what the other side must receive.
func testData(m copyMode, size int, send bool) (in, want []byte) {
	if !m.opts.ASCII {
		in = randomBytes(size, uint64(size))
		return in, in
	}
	in = textBytes(size, uint64(size))
	if send {
		return in, refCRLF(in)
	}
	return in, refLF(in)
}

// runSend sends the file holding data over loopback and returns what arrived.
func runSend(t *testing.T, data []byte, o *Options) (int64, sum, error) {
	t.Helper()
	f, err := os.Open(writeFile(t, t.TempDir(), data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	server, client := tcpPair(t)
	_ = client.SetDeadline(time.Now().Add(2 * time.Minute))
	got := drain(client)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n, err := Send(ctx, server, f, o)
	_ = server.CloseWrite()
	return n, <-got, err
}

// runRecv receives data sent by a loopback peer into a new file and returns the file.
func runRecv(t *testing.T, data []byte, o *Options, flag int) (int64, []byte, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "dst.bin")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|flag, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	server, client := tcpPair(t)
	_ = client.SetDeadline(time.Now().Add(2 * time.Minute))
	go func() {
		_, _ = client.Write(data)
		_ = client.CloseWrite()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n, err := Recv(ctx, f, server, o)
	got, rerr := os.ReadFile(p)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return n, got, err
}

// checkPath asserts which copy path moved the n bytes.
func checkPath(t *testing.T, c *pathCounts, n int64, zeroCopy bool) {
	t.Helper()
	zc, buf := c.zeroCopy.Load(), c.buffer.Load()
	if zeroCopy && (zc != n || buf != 0) {
		t.Errorf("zero-copy path expected: zero-copy %d bytes, buffer %d bytes, want %d and 0", zc, buf, n)
	}
	if !zeroCopy && (zc != 0 || buf != n) {
		t.Errorf("buffer path expected: zero-copy %d bytes, buffer %d bytes, want 0 and %d", zc, buf, n)
	}
}

func TestSendExact(t *testing.T) {
	for _, m := range copyModes() {
		for _, size := range copySizes(t) {
			if m.opts.Chunk != 0 && size > 1<<20 {
				continue // 3-byte writes of 64 MiB take minutes
			}
			t.Run(fmt.Sprintf("%s/size=%d", m.name, size), func(t *testing.T) {
				in, want := testData(m, size, true)
				o := m.opts
				o.counts = new(pathCounts)
				o.Progress = new(atomic.Int64)
				n, got, err := runSend(t, in, &o)
				if err != nil || got.err != nil {
					t.Fatalf("Send: %v; reader: %v", err, got.err)
				}
				if n != int64(len(want)) || got.n != n || got.hash != sha256.Sum256(want) {
					t.Fatalf("Send returned %d, peer got %d bytes (hash match %v), want %d",
						n, got.n, got.hash == sha256.Sum256(want), len(want))
				}
				if p := o.Progress.Load(); p != n {
					t.Errorf("Progress = %d, want %d", p, n)
				}
				checkPath(t, o.counts, n, m.zeroCopy)
			})
		}
	}
}

func TestRecvExact(t *testing.T) {
	for _, m := range copyModes() {
		for _, size := range copySizes(t) {
			if m.opts.Chunk != 0 && size > 1<<20 {
				continue
			}
			t.Run(fmt.Sprintf("%s/size=%d", m.name, size), func(t *testing.T) {
				in, want := testData(m, size, false)
				o := m.opts
				o.counts = new(pathCounts)
				o.Progress = new(atomic.Int64)
				n, got, err := runRecv(t, in, &o, 0)
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				if n != int64(len(want)) || sha256.Sum256(got) != sha256.Sum256(want) {
					t.Fatalf("Recv returned %d, file has %d bytes, want %d (content differs: %v)",
						n, len(got), len(want), sha256.Sum256(got) != sha256.Sum256(want))
				}
				if p := o.Progress.Load(); p != n {
					t.Errorf("Progress = %d, want %d", p, n)
				}
				checkPath(t, o.counts, n, m.zeroCopy)
			})
		}
	}
}

// TestRecvAppendUsesBuffer: splice(2) refuses O_APPEND files, so Recv must pick the buffer
// path itself (the standard library's silent fallback allocates per call).
func TestRecvAppendUsesBuffer(t *testing.T) {
	in := randomBytes(256<<10, 7)
	o := &Options{counts: new(pathCounts)}
	n, got, err := runRecv(t, in, o, os.O_APPEND)
	if err != nil || n != int64(len(in)) || sha256.Sum256(got) != sha256.Sum256(in) {
		t.Fatalf("Recv into O_APPEND file: n=%d err=%v, content match %v", n, err, sha256.Sum256(got) == sha256.Sum256(in))
	}
	checkPath(t, o.counts, n, false)
}

// TestSendFromOffset: Send starts at the file's current offset (REST).
func TestSendFromOffset(t *testing.T) {
	for _, m := range copyModes()[:2] {
		t.Run(m.name, func(t *testing.T) {
			data := randomBytes(300<<10, 3)
			f, err := os.Open(writeFile(t, t.TempDir(), data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			const rest = 100_001
			if _, err := f.Seek(rest, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			server, client := tcpPair(t)
			_ = client.SetDeadline(time.Now().Add(time.Minute))
			got := drain(client)
			o := m.opts
			n, err := Send(context.Background(), server, f, &o)
			_ = server.CloseWrite()
			s := <-got
			if err != nil || n != int64(len(data)-rest) || s.hash != sha256.Sum256(data[rest:]) {
				t.Fatalf("Send after Seek(%d): n=%d err=%v, content match %v", rest, n, err, s.hash == sha256.Sum256(data[rest:]))
			}
		})
	}
}

// TestSendNonFile: a reader that is not a file takes the buffer path even when allowed.
func TestSendNonFile(t *testing.T) {
	data := randomBytes(200<<10, 11)
	server, client := tcpPair(t)
	_ = client.SetDeadline(time.Now().Add(time.Minute))
	got := drain(client)
	o := &Options{counts: new(pathCounts)}
	n, err := Send(context.Background(), server, bytes.NewReader(data), o)
	_ = server.CloseWrite()
	s := <-got
	if err != nil || n != int64(len(data)) || s.hash != sha256.Sum256(data) {
		t.Fatalf("Send: n=%d err=%v, content match %v", n, err, s.hash == sha256.Sum256(data))
	}
	checkPath(t, o.counts, n, false)
}
