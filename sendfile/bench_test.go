// Benchmarks: Send and Recv of 64 MiB over loopback TCP, zero-copy vs buffer, by chunk size.
// Files live in /dev/shm (tmpfs) when it exists, so the disk is not measured; else in
// os.TempDir. The peer moves its side zero-copy too (sendfile from tmpfs, splice into
// /dev/null) so that the CPU metric is mostly Send's or Recv's own.
// The CPU comes from getrusage(2), hence Unix only.

//go:build unix

package sendfile

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const benchSize = 64 << 20

var benchChunks = []struct {
	name string
	n    int
}{{"16K", 16 << 10}, {"64K", 64 << 10}, {"256K", 256 << 10}, {"1M", 1 << 20}, {"4M", 4 << 20}}

// benchFile creates a file of n bytes in tmpfs (or os.TempDir) and returns it open for
// reading and writing.
func benchFile(b *testing.B, n int) *os.File {
	dir := "/dev/shm"
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = os.TempDir()
	}
	d, err := os.MkdirTemp(dir, "sendfile-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(d) })
	p := filepath.Join(d, "data")
	if err := os.WriteFile(p, randomBytes(n, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardZeroCopy reads c to EOF into /dev/null by splice(2).
func discardZeroCopy(c net.Conn) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	defer null.Close()
	_, _ = null.ReadFrom(c)
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(int64(b.N)*benchSize), "cpu-ns/B")
}

func BenchmarkSend(b *testing.B) {
	f := benchFile(b, benchSize)
	for _, mode := range []string{"sendfile", "buffer"} {
		for _, c := range benchChunks {
			b.Run(fmt.Sprintf("mode=%s/chunk=%s/size=64MiB", mode, c.name), func(b *testing.B) {
				server, client := tcpPair(b)
				done := make(chan struct{})
				go func() { discardZeroCopy(client); close(done) }()
				o := &Options{Chunk: c.n, Disable: mode == "buffer"}
				ctx := context.Background()
				b.SetBytes(benchSize)
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for range b.N {
					if _, err := f.Seek(0, io.SeekStart); err != nil {
						b.Fatal(err)
					}
					if n, err := Send(ctx, server, f, o); err != nil || n != benchSize {
						b.Fatalf("Send = %d, %v", n, err)
					}
				}
				_ = server.CloseWrite()
				<-done // the last bytes are read before the clock stops
				b.StopTimer()
				reportCPU(b, cpu)
			})
		}
	}
}

func BenchmarkRecv(b *testing.B) {
	src := benchFile(b, benchSize)
	dst := benchFile(b, benchSize) // overwritten in place: tmpfs pages are reused
	for _, mode := range []string{"splice", "buffer"} {
		for _, c := range benchChunks {
			b.Run(fmt.Sprintf("mode=%s/chunk=%s/size=64MiB", mode, c.name), func(b *testing.B) {
				o := &Options{Chunk: c.n, Disable: mode == "buffer"}
				ctx := context.Background()
				b.SetBytes(benchSize)
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for range b.N {
					b.StopTimer()
					server, client := tcpPair(b)
					if _, err := src.Seek(0, io.SeekStart); err != nil {
						b.Fatal(err)
					}
					if _, err := dst.Seek(0, io.SeekStart); err != nil {
						b.Fatal(err)
					}
					go func() {
						_, _ = client.ReadFrom(io.LimitReader(src, benchSize)) // sendfile
						_ = client.CloseWrite()
					}()
					b.StartTimer()
					if n, err := Recv(ctx, dst, server, o); err != nil || n != benchSize {
						b.Fatalf("Recv = %d, %v", n, err)
					}
					server.Close()
					client.Close()
				}
				b.StopTimer()
				reportCPU(b, cpu)
			})
		}
	}
}
