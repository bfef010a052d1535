// Benchmarks of MODE Z's CPU cost per GiB (BENCHMARKS.md "MODE Z"): the real send and
// receive paths over a loopback TCP pair, on log-like text and on incompressible bytes.

package transfer

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/fastftp/fastftp/sendfile"
)

const benchZSize = 8 << 20

// benchZData returns size bytes of log-like text or of random bytes.
func benchZData(kind string, size int) []byte {
	if kind == "random" {
		b := make([]byte, size)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%06d 2026-12-06T14:%02d:%02dZ GET /pub/dist/pkg-%d.tar.xz 200 %d\n", i, i%60, i%59, i%977, i*7919%100000)
	}
	return b.Bytes()[:size]
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(b testing.TB) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	return s, c
}

// reportPerGiB adds the CPU seconds per GiB of file data (one core busy for the whole
// op: the transfer is a single goroutine) and the wire/file ratio.
func reportPerGiB(b *testing.B, wire int64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchZSize*(1<<30)/1e9, "s/GiB")
	b.ReportMetric(float64(wire)/benchZSize, "wire/file")
}

func BenchmarkModeZSend(b *testing.B) {
	for _, kind := range []string{"text", "random"} {
		data := benchZData(kind, benchZSize)
		for _, level := range []int{1, 6, 9} {
			b.Run(fmt.Sprintf("data=%s/level=%d", kind, level), func(b *testing.B) {
				srv, cli := tcpPair(b)
				defer srv.Close()
				defer cli.Close()
				go io.Copy(io.Discard, cli)
				b.SetBytes(benchZSize)
				b.ReportAllocs()
				var wire int64
				for b.Loop() {
					file, w, err := sendDeflate(context.Background(), srv, bytes.NewReader(data), &sendfile.Options{}, level)
					if err != nil || file != benchZSize {
						b.Fatalf("sendDeflate: %d bytes, %v", file, err)
					}
					wire = w
				}
				reportPerGiB(b, wire)
			})
		}
	}
}

func BenchmarkModeZRecv(b *testing.B) {
	for _, kind := range []string{"text", "random"} {
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, 6)
		zw.Write(benchZData(kind, benchZSize))
		zw.Close()
		b.Run("data="+kind, func(b *testing.B) {
			b.SetBytes(benchZSize)
			b.ReportAllocs()
			for b.Loop() {
				srv, cli := tcpPair(b)
				go func() { cli.Write(z.Bytes()); cli.Close() }()
				file, _, err := recvInflate(context.Background(), srv, io.Discard, &sendfile.Options{})
				srv.Close()
				if err != nil || file != benchZSize {
					b.Fatalf("recvInflate: %d bytes, %v", file, err)
				}
			}
			reportPerGiB(b, int64(z.Len()))
		})
	}
}
