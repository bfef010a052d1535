package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rssKiB reads a process's resident set from /proc (RssAnon: private memory, what a session
// costs; shared library pages are excluded, as pyftpdlib's ftpbench excludes shared memory).
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "RssAnon:") {
			f := strings.Fields(line)
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no RssAnon in /proc/%d/status", pid)
}

// expect reads one reply line and checks its code.
func expect(r *bufio.Reader, code string) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, code) {
		return fmt.Errorf("got %q, want %s", strings.TrimSpace(line), code)
	}
	return nil
}

// BenchmarkIdleSessions holds N logged-in idle sessions on a fastftpd child process and
// reports the server's private memory per session and NOOP round-trip latency while they
// sit. Bounded by this machine's 20,000 open files per process: the client here holds one
// descriptor per session, so N stays at or below 10,000 (FASTFTP_IDLE_SESSIONS to change).
// Run: go test -run '^$' -bench IdleSessions -benchtime 1x ./cmd/fastftpd/
func BenchmarkIdleSessions(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("FASTFTP_IDLE_SESSIONS")); err == nil && v > 0 {
		n = v
	}
	bin := buildBinary(&testing.T{})
	if bin == "" {
		b.Skip("cannot build fastftpd")
	}
	for range b.N {
		runIdle(b, bin, n)
	}
}

func runIdle(b *testing.B, bin string, n int) {
	dir := b.TempDir()
	t := &testing.T{}
	cmd, port, _ := startBinary(t, bin, dir, "-i", "127.0.0.1", "-p", "0", "--timeout", "0")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr := "127.0.0.1:" + port
	time.Sleep(200 * time.Millisecond) // let the runtime settle before the baseline
	before, err := rssKiB(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}

	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				// Spread source addresses so ephemeral ports never run short.
				src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%8))}
				d := net.Dialer{LocalAddr: src, Timeout: 10 * time.Second}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					failed.Add(1)
					continue
				}
				c.SetDeadline(time.Now().Add(30 * time.Second))
				r := bufio.NewReaderSize(c, 256)
				if expect(r, "220") != nil {
					failed.Add(1)
					c.Close()
					continue
				}
				c.Write([]byte("USER anonymous\r\nPASS x\r\n"))
				if expect(r, "331") != nil || expect(r, "230") != nil {
					failed.Add(1)
					c.Close()
					continue
				}
				c.SetDeadline(time.Time{})
				conns[i], readers[i] = c, r
			}
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d sessions failed to log in", f, n)
	}
	runtime.GC()
	time.Sleep(500 * time.Millisecond)
	after, err := rssKiB(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}

	// NOOP latency on a sample of the idle sessions, one at a time.
	var lat []time.Duration
	for i := 0; i < n; i += max(1, n/1000) {
		c, r := conns[i], readers[i]
		c.SetDeadline(time.Now().Add(5 * time.Second))
		t0 := time.Now()
		c.Write([]byte("NOOP\r\n"))
		if err := expect(r, "200"); err != nil {
			b.Fatalf("NOOP on session %d: %v", i, err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	perSession := float64(after-before) * 1024 / float64(n)
	b.ReportMetric(perSession, "B/session")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "noop-p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "noop-p99-µs")
	b.ReportMetric(float64(n), "sessions")
	b.Logf("%d sessions: server RssAnon %d KiB -> %d KiB (%.0f B/session); NOOP p50 %v p99 %v",
		n, before, after, perSession, lat[len(lat)/2], lat[len(lat)*99/100])
	_ = bytes.MinRead
}
