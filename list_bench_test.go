//go:build unix

package fastftp_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
)

// BenchmarkListCache: repeated LIST of an unchanged 100,000-entry directory through a real
// server and a raw client on loopback, the listing cache off and on. proc-cpu-ms/op is the
// process's user+system CPU per LIST (server and this small client together; the client
// only reads the bytes). The directory lives in the test's temporary directory: set TMPDIR
// to a tmpfs so the uncached row measures the server, not the disk.
//
//	go test -run '^$' -bench ListCache -benchtime 20x .
func BenchmarkListCache(b *testing.B) {
	const entries = 100_000
	root := b.TempDir()
	dir := filepath.Join(root, "big")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range entries {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("f%05d", i)))
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	// The cache never stores a directory modified in the last 2 s.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(dir, old, old); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		bytes int64
	}{{"off", -1}, {"on", 0}} {
		b.Run(fmt.Sprintf("entries=%d/cache=%s", entries, c.name), func(b *testing.B) {
			benchList(b, root, c.bytes)
		})
	}
}

func benchList(b *testing.B, root string, cacheBytes int64) {
	st := auth.NewStatic()
	if err := st.AddUser("u", "p", root, auth.MustParsePerm(auth.ReadOnly)); err != nil {
		b.Fatal(err)
	}
	srv, addr := serveBench(b, fastftp.Config{Auth: st, Logger: slog.New(slog.DiscardHandler), ListCacheBytes: cacheBytes})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Minute))
	r := bufio.NewReader(c)
	expect := func(send, want string) string {
		if send != "" {
			if _, err := io.WriteString(c, send+"\r\n"); err != nil {
				b.Fatal(err)
			}
		}
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, want) {
			b.Fatalf("%q: got %q, %v; want %s", send, line, err, want)
		}
		return line
	}
	expect("", "220")
	expect("USER u", "331")
	expect("PASS p", "230")
	list := func() int64 {
		pasv := expect("EPSV", "229")
		i := strings.Index(pasv, "(|||")
		var port int
		fmt.Sscanf(pasv[i+4:], "%d", &port)
		d, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			b.Fatal(err)
		}
		expect("LIST big", "150")
		n, err := io.Copy(io.Discard, d)
		d.Close()
		if err != nil {
			b.Fatal(err)
		}
		expect("", "226")
		return n
	}
	size := list() // the first LIST fills the cache (when on)
	cpu0 := procCPU()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if n := list(); n != size {
			b.Fatalf("LIST sent %d bytes, the first one %d", n, size)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(procCPU()-cpu0)/1e6/float64(b.N), "proc-cpu-ms/op")
	if st := srv.ListCacheStats(); cacheBytes >= 0 && st.Hits < uint64(b.N) {
		b.Fatalf("cache on, but only %d of %d listings came from it: %+v", st.Hits, b.N, st)
	}
}

// procCPU is this process's user+system CPU time in nanoseconds.
func procCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
