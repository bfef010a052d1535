//go:build !race

// Allocation gates: the converters, the buffer pool and the per-chunk loops allocate nothing.
package sendfile

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

func TestAllocsConvert(t *testing.T) {
	in := textBytes(4096, 3)
	dst := make([]byte, 0, 2*len(in))
	if a := testing.AllocsPerRun(100, func() { dst, _ = appendCRLF(dst[:0], in, false) }); a != 0 {
		t.Errorf("appendCRLF: %v allocs/op, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { dst, _ = appendLF(dst[:0], in, true) }); a != 0 {
		t.Errorf("appendLF: %v allocs/op, want 0", a)
	}
}

func TestAllocsBufPool(t *testing.T) {
	putBuf(getBuf(DefaultChunk))
	if a := testing.AllocsPerRun(100, func() { putBuf(getBuf(DefaultChunk)) }); a != 0 {
		t.Errorf("getBuf/putBuf: %v allocs/op, want 0", a)
	}
}

// TestAllocsPerChunkSend: Send of 256 chunks allocates exactly as much as Send of 4 chunks,
// on every path: nothing is allocated per chunk.
func TestAllocsPerChunkSend(t *testing.T) {
	const chunk = 16 << 10
	small, large := bigFile(t, 4*chunk), bigFile(t, 256*chunk)
	server, client := tcpPair(t)
	_ = client.SetDeadline(time.Now().Add(time.Minute))
	go func() {
		buf := make([]byte, 1<<20)
		for {
			if _, err := client.Read(buf); err != nil {
				return
			}
		}
	}()
	for _, p := range sendPaths {
		o := p.opts
		o.Chunk = chunk
		o.Stall = time.Minute // the per-chunk deadline must not allocate either
		send := func(f *os.File) float64 {
			return testing.AllocsPerRun(20, func() {
				_, _ = f.Seek(0, io.SeekStart)
				if _, err := Send(context.Background(), server, f, &o); err != nil {
					t.Fatal(err)
				}
			})
		}
		s, l := send(small), send(large)
		if s != l {
			t.Errorf("%s: Send allocates %v times for 4 chunks, %v for 256", p.name, s, l)
		}
		t.Logf("%s: %v allocs per Send", p.name, l)
	}
}

// TestAllocsPerChunkRecv: the same for the buffer and ASCII Recv paths (over net.Pipe; the
// splice path allocates one small object per chunk inside the standard library).
func TestAllocsPerChunkRecv(t *testing.T) {
	const chunk = 16 << 10
	data := textBytes(256*chunk, 4)
	for _, p := range recvPaths[1:] {
		o := p.opts
		o.Chunk = chunk
		recv := func(n int) float64 {
			return testing.AllocsPerRun(20, func() {
				server, client := net.Pipe()
				go func() {
					_, _ = client.Write(data[:n])
					client.Close()
				}()
				if _, err := Recv(context.Background(), io.Discard, server, &o); err != nil {
					t.Fatal(err)
				}
				server.Close()
			})
		}
		if s, l := recv(4*chunk), recv(256*chunk); s != l {
			t.Errorf("%s: Recv allocates %v times for 4 chunks, %v for 256", p.name, s, l)
		}
	}
}
