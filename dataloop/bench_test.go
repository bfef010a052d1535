//go:build linux

// Benchmark: 300 concurrent 10 MiB downloads over loopback through the engine versus a
// goroutine per transfer running a blocking sendfile loop (the naive twin below), with the
// scheduling delay a probe goroutine sees. The clients run in a child process (this test
// binary re-executed as a sink) so that only server work competes for this process's Ps.

package dataloop

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	benchStreams = 300
	benchSize    = 10 << 20
	// sinkEnv makes the test binary a download client: "addr,streams".
	sinkEnv = "DATALOOP_BENCH_SINK"
	// sourceEnv makes the test binary an upload client: "addr streams path".
	sourceEnv = "DATALOOP_BENCH_SOURCE"
)

// source dials streams connections to addr at once and sends path on each (sendfile:
// little client CPU), then closes it.
func source(v string) int {
	var addr, path string
	var n int
	if _, err := fmt.Sscanf(v, "%s %d %s", &addr, &n, &path); err != nil {
		fmt.Fprintln(os.Stderr, "source:", err)
		return 2
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				errs <- err
				return
			}
			_ = c.SetWriteDeadline(time.Now().Add(2 * time.Minute))
			if _, err := io.Copy(c, f); err != nil {
				errs <- err
			}
			c.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "source:", err)
		return 1
	}
	return 0
}

// naiveRecv is the upload twin: the blocking loop sendfile.Recv runs (f.ReadFrom of a
// 1 MiB LimitReader of the conn is a splice through the runtime's pipe pool).
func naiveRecv(f *os.File, c *net.TCPConn) (int64, error) {
	lr := &io.LimitedReader{R: c}
	var total int64
	for {
		lr.N = DefaultUploadChunk
		n, err := f.ReadFrom(lr)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func TestMain(m *testing.M) {
	if v := os.Getenv(sinkEnv); v != "" {
		os.Exit(sink(v))
	}
	if v := os.Getenv(sourceEnv); v != "" {
		os.Exit(source(v))
	}
	os.Exit(m.Run())
}

// sink dials streams connections to addr at once, reads each to EOF into /dev/null
// (splice: little client CPU) and prints the bytes received.
func sink(v string) int {
	var addr string
	var n int
	if _, err := fmt.Sscanf(v, "%s %d", &addr, &n); err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		return 2
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 2
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	var firstErr error
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err == nil {
				_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
				var k int64
				k, err = null.ReadFrom(c)
				c.Close()
				mu.Lock()
				total += k
				mu.Unlock()
			}
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		fmt.Fprintln(os.Stderr, "sink:", firstErr)
		return 1
	}
	fmt.Println(total)
	return 0
}

// naiveSend is the goroutine-per-transfer twin: the blocking loop sendfile.Send runs
// (tcp.ReadFrom of a 64 KiB LimitReader is one sendfile(2) call, waiting in the netpoller
// when the socket is full).
func naiveSend(c *net.TCPConn, f *os.File, chunk int64) error {
	lr := &io.LimitedReader{R: f}
	for {
		lr.N = chunk
		n, err := c.ReadFrom(lr)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

// probe wakes every millisecond and records how late it woke; after each wake-up it sends
// "NOOP\r\n" over a loopback TCP connection to an echo goroutine and records the round
// trip: two network-woken goroutines, as a control session's reply needs. Until stop.
type probe struct {
	late, rtt []time.Duration
	stop      chan struct{}
	done      chan struct{}
}

func startProbe(b *testing.B) *probe {
	p := &probe{stop: make(chan struct{}), done: make(chan struct{}),
		late: make([]time.Duration, 0, 1<<16), rtt: make([]time.Duration, 0, 1<<16)}
	ln := listener(b)
	srv, cli := pair(b, ln)
	go func() { // echo
		defer srv.Close()
		var buf [6]byte
		for {
			if _, err := io.ReadFull(srv, buf[:]); err != nil {
				return
			}
			if _, err := srv.Write(buf[:]); err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(p.done)
		defer cli.Close()
		_ = cli.SetDeadline(time.Now().Add(5 * time.Minute))
		noop, buf := []byte("NOOP\r\n"), make([]byte, 6)
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			t := time.Now()
			time.Sleep(time.Millisecond)
			p.late = append(p.late, time.Since(t)-time.Millisecond)
			t = time.Now()
			if _, err := cli.Write(noop); err != nil {
				return
			}
			if _, err := io.ReadFull(cli, buf); err != nil {
				return
			}
			p.rtt = append(p.rtt, time.Since(t))
		}
	}()
	return p
}

func (p *probe) finish() ([]time.Duration, []time.Duration) {
	close(p.stop)
	<-p.done
	return p.late, p.rtt
}

func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

// schedHist reads the runtime's goroutine scheduling-latency histogram.
func schedHist() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64Histogram()
}

// schedP99 is the p99 of the scheduling latencies recorded between a and b.
func schedP99(a, b *metrics.Float64Histogram) time.Duration {
	var total uint64
	d := make([]uint64, len(b.Counts))
	for i := range b.Counts {
		d[i] = b.Counts[i] - a.Counts[i]
		total += d[i]
	}
	if total == 0 {
		return 0
	}
	want := uint64(float64(total) * 0.99)
	var acc uint64
	for i, c := range d {
		if acc += c; acc >= want {
			return time.Duration(b.Buckets[i+1] * 1e9) // upper bound of the bucket
		}
	}
	return 0
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkDownloads300(b *testing.B) {
	benchDownloads(b, benchStreams, benchSize, []string{"engine", "engine-lowat128k", "goroutine"})
}

// BenchmarkDownloadSingle: one 256 MiB stream, to check that what suits 300 streams does
// not hurt a single fast one.
func BenchmarkDownloadSingle(b *testing.B) {
	benchDownloads(b, 1, 256<<20, []string{"engine", "goroutine"})
}

func benchDownloads(b *testing.B, streams, size int, modes []string) {
	dir := memDir(b)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, pattern(size, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	if v := os.Getenv("DATALOOP_BENCH_MODES"); v != "" {
		modes = strings.Split(v, ",")
	}
	for _, mode := range modes {
		b.Run("mode="+mode, func(b *testing.B) {
			var e *Engine
			if !strings.HasPrefix(mode, "goroutine") {
				cfg := Config{}
				switch mode {
				case "engine-lowat128k":
					cfg.NotSentLowat = 128 << 10
				case "engine-loops1":
					cfg.Loops = 1
				case "engine-iter4m":
					cfg.IterBytes = 4 << 20
				case "engine-chunk64k":
					cfg.Chunk = 64 << 10
				case "engine-chunk256k":
					cfg.Chunk = 256 << 10
				case "engine-chunk1m":
					cfg.Chunk = 1 << 20
				case "engine-locked":
					cfg.LockOSThread = true
				case "engine-gosched":
					cfg.gosched = true
				}
				e = newEngine(b, cfg)
			}
			ln := listener(b)
			b.SetBytes(int64(streams * size))
			b.ReportAllocs()
			var late, rtt []time.Duration
			h0, cpu0 := schedHist(), cpuNow()
			clientCPU = 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := startProbe(b)
				runRound(b, exe, ln, e, path, mode, streams, size)
				l, r := p.finish()
				late, rtt = append(late, l...), append(rtt, r...)
			}
			b.StopTimer()
			b.ReportMetric(float64(pct(late, 0.99))/1e6, "probe-p99-ms")
			b.ReportMetric(float64(pct(late, 0.50))/1e6, "probe-p50-ms")
			b.ReportMetric(float64(pct(rtt, 0.99))/1e6, "noop-rtt-p99-ms")
			b.ReportMetric(float64(pct(rtt, 0.50))/1e6, "noop-rtt-p50-ms")
			b.ReportMetric(float64(schedP99(h0, schedHist()))/1e6, "sched-p99-ms")
			b.ReportMetric(float64(cpuNow()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(clientCPU)/1e6/float64(b.N), "client-cpu-ms/op")
			if e != nil {
				b.Logf("N=%d %+v", b.N, e.Stats())
			}
		})
	}
}

// clientCPU sums the sinks' CPU time (user+system) of the current sub-benchmark.
var clientCPU time.Duration

// runRound serves one child sink of streams downloads of path (size bytes each).
func runRound(b *testing.B, exe string, ln net.Listener, e *Engine, path, mode string, streams, size int) {
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), sinkEnv+"="+ln.Addr().String()+" "+strconv.Itoa(streams))
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for i := 0; i < streams; i++ {
		c, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		if e == nil {
			go func() {
				defer wg.Done()
				chunk := int64(64 << 10) // sendfile.DefaultChunk, today's path
				if mode == "goroutine-chunk256k" {
					chunk = 256 << 10
				}
				if err := naiveSend(c.(*net.TCPConn), f, chunk); err != nil {
					errs <- err
				}
				c.Close()
				f.Close()
			}()
			continue
		}
		_, err = e.Submit(Job{Name: path, Conn: c, File: f, Done: func(r Result) {
			if r.Err != nil {
				errs <- r.Err
			}
			wg.Done()
		}})
		f.Close() // the engine has its own descriptor
		if err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if err := cmd.Wait(); err != nil {
		b.Fatalf("sink: %v", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		clientCPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if got, _ := strconv.ParseInt(line[:max(len(line)-1, 0)], 10, 64); got != int64(streams*size) {
		b.Fatalf("sink received %d bytes, want %d", got, streams*size)
	}
}

// BenchmarkUploads300: 300 concurrent 10 MiB uploads over loopback into tmpfs files that
// already hold 10 MiB (overwritten in place: fresh tmpfs pages are slow on these VMs, see
// DESIGN.md, so the first round warms them and is not timed).
func BenchmarkUploads300(b *testing.B) {
	dir := memDir(b)
	src := filepath.Join(dir, "src")
	data := pattern(benchSize, 2)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		b.Fatal(err)
	}
	dst := make([]string, benchStreams)
	for i := range dst {
		dst[i] = filepath.Join(dir, fmt.Sprint("dst", i))
		if err := os.WriteFile(dst[i], data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	modes := []string{"engine", "goroutine"}
	if v := os.Getenv("DATALOOP_BENCH_MODES"); v != "" {
		modes = strings.Split(v, ",")
	}
	for _, mode := range modes {
		b.Run("mode="+mode, func(b *testing.B) {
			var e *Engine
			if mode != "goroutine" {
				cfg := Config{}
				switch mode {
				case "engine-up256k":
					cfg.UploadChunk = 256 << 10
				case "engine-loops1":
					cfg.Loops = 1
				case "engine-gosched":
					cfg.gosched = true
				case "engine-iter4m":
					cfg.IterBytes = 4 << 20
				case "engine-writers1", "engine-writers2", "engine-writers4", "engine-writers8":
					cfg.Writers = int(mode[len(mode)-1] - '0') // the write pool (write.go)
				}
				e = newEngine(b, cfg)
			}
			ln := listener(b)
			b.SetBytes(benchStreams * benchSize)
			b.ReportAllocs()
			var late, rtt []time.Duration
			h0, cpu0 := schedHist(), cpuNow()
			clientCPU = 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := startProbe(b)
				uploadRound(b, exe, ln, e, src, dst)
				l, r := p.finish()
				late, rtt = append(late, l...), append(rtt, r...)
			}
			b.StopTimer()
			b.ReportMetric(float64(pct(late, 0.99))/1e6, "probe-p99-ms")
			b.ReportMetric(float64(pct(late, 0.50))/1e6, "probe-p50-ms")
			b.ReportMetric(float64(pct(rtt, 0.99))/1e6, "noop-rtt-p99-ms")
			b.ReportMetric(float64(pct(rtt, 0.50))/1e6, "noop-rtt-p50-ms")
			b.ReportMetric(float64(schedP99(h0, schedHist()))/1e6, "sched-p99-ms")
			b.ReportMetric(float64(cpuNow()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(clientCPU)/1e6/float64(b.N), "client-cpu-ms/op")
			if e != nil {
				b.Logf("N=%d %+v", b.N, e.Stats())
			}
		})
	}
}

// uploadRound receives benchStreams uploads of src from a child source into dst files.
func uploadRound(b *testing.B, exe string, ln net.Listener, e *Engine, src string, dst []string) {
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", sourceEnv, ln.Addr(), benchStreams, src))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	var total atomic.Int64
	errs := make(chan error, benchStreams)
	for i := 0; i < benchStreams; i++ {
		c, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.OpenFile(dst[i], os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		if e == nil {
			go func() {
				defer wg.Done()
				n, err := naiveRecv(f, c.(*net.TCPConn))
				total.Add(n)
				if err != nil {
					errs <- err
				}
				c.Close()
				f.Close()
			}()
			continue
		}
		_, err = e.Submit(Job{Name: dst[i], Conn: c, File: f, Upload: true, Done: func(r Result) {
			total.Add(r.Bytes)
			if r.Err != nil {
				errs <- r.Err
			}
			wg.Done()
		}})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		b.Fatalf("source: %v", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		clientCPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if got := total.Load(); got != benchStreams*benchSize {
		b.Fatalf("received %d bytes, want %d", got, benchStreams*benchSize)
	}
}
