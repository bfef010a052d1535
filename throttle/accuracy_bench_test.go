// accuracy_bench_test.go: real-time accuracy and fairness of Limiter, and a throttled
// sendfile loop over a loopback TCP pair. These run for a fixed span of wall time, so they
// are benchmarks (go test -bench), never unit tests:
//
//	go test -run XXX -bench 'Accuracy|Fairness|Sendfile' -benchtime 1x ./throttle/
//
// The span is 2 s by default; the 10 s figures in BENCHMARKS.md come from
//
//	THROTTLE_SPAN=10s go test -run XXX -bench Accuracy -benchtime 1x ./throttle/
//
// %err is signed: (measured rate - configured rate) / configured rate * 100, positive when
// the limiter let data through too fast.

package throttle

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// benchSpan is the wall time each accuracy run lasts: THROTTLE_SPAN or 2 s.
func benchSpan(b *testing.B) time.Duration {
	s := os.Getenv("THROTTLE_SPAN")
	if s == "" {
		return 2 * time.Second
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		b.Fatalf("THROTTLE_SPAN=%q: want a positive duration such as 10s", s)
	}
	return d
}

var benchRates = []struct {
	name string
	rate float64
}{{"64K", 64 << 10}, {"1M", 1 << 20}, {"100M", 100 << 20}}

// drained returns a bucket at rate with its default burst already spent, so a run measures
// the steady rate rather than the initial burst (which a token bucket grants by design).
func drained(rate float64) *Bucket {
	bk := NewBucket(rate, 0)
	bk.Reserve(time.Now(), bk.Burst())
	return bk
}

func errPercent(moved int64, elapsed time.Duration, rate float64) float64 {
	return (float64(moved)/elapsed.Seconds() - rate) / rate * 100
}

// BenchmarkAccuracy: one stream moves data through Wait in 256 KiB requests for the span
// (the grants are the Limiter's chunks: 100 ms of data, at least 4 KiB).
func BenchmarkAccuracy(b *testing.B) {
	span := benchSpan(b)
	for _, r := range benchRates {
		b.Run("rate="+r.name, func(b *testing.B) {
			var sum float64
			for range b.N {
				l := NewLimiter(drained(r.rate), NewBucket(0, 0))
				ctx := context.Background()
				var moved int64
				start := time.Now()
				for time.Since(start) < span {
					n, err := l.Wait(ctx, 256<<10)
					if err != nil {
						b.Fatal(err)
					}
					moved += int64(n)
				}
				sum += errPercent(moved, time.Since(start), r.rate)
			}
			b.ReportMetric(sum/float64(b.N), "%err")
		})
	}
}

// BenchmarkFairness: 1,000 streams, each with its own Limiter (global ▸ unlimited session
// bucket), share one global bucket for the span. Grants still sleeping when the span ends
// are cancelled and not counted. Reports the aggregate %err and Jain's fairness index over
// the bytes each stream got ((Σx)² / (n·Σx²), 1 = perfectly equal).
func BenchmarkFairness(b *testing.B) {
	const streams = 1000
	span := benchSpan(b)
	for _, r := range []struct {
		name string
		rate float64
	}{{"10M", 10 << 20}, {"100M", 100 << 20}} {
		b.Run("rate="+r.name, func(b *testing.B) {
			var errSum, jainSum float64
			for range b.N {
				global := drained(r.rate)
				got := make([]int64, streams)
				ready := make(chan struct{})
				var wg sync.WaitGroup
				ctx, cancel := context.WithCancel(context.Background())
				for i := range streams {
					wg.Add(1)
					go func() {
						defer wg.Done()
						l := NewLimiter(global, NewBucket(0, 0))
						<-ready
						for {
							n, err := l.Wait(ctx, 256<<10)
							if err != nil {
								return
							}
							got[i] += int64(n)
						}
					}()
				}
				start := time.Now()
				close(ready)
				time.Sleep(span)
				cancel()
				elapsed := time.Since(start)
				wg.Wait()
				var sum, sumSq float64
				for _, x := range got {
					sum += float64(x)
					sumSq += float64(x) * float64(x)
				}
				errSum += errPercent(int64(sum), elapsed, r.rate)
				jainSum += sum * sum / (streams * sumSq)
			}
			b.ReportMetric(errSum/float64(b.N), "%err")
			b.ReportMetric(jainSum/float64(b.N), "jain")
		})
	}
}

// BenchmarkSendfile: a file sent over a loopback TCP pair with
// tcp.ReadFrom(io.LimitReader(f, granted)) (sendfile(2) in the Go runtime) in a loop driven
// by Wait at 1 MiB/s; the peer counts what it receives. Proves throttled sendfile keeps the
// rate.
func BenchmarkSendfile(b *testing.B) {
	const rate = 1 << 20
	span := benchSpan(b)
	path := filepath.Join(b.TempDir(), "payload")
	size := int64(rate*span.Seconds()) + 8<<20
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("rate=1M", func(b *testing.B) {
		var sum float64
		for range b.N {
			sum += sendfileRun(b, path, rate, span)
		}
		b.ReportMetric(sum/float64(b.N), "%err")
	})
}

func sendfileRun(b *testing.B, path string, rate float64, span time.Duration) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	deadline := time.Now().Add(span + 30*time.Second)
	received := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			received <- -1
			return
		}
		defer c.Close()
		c.SetDeadline(deadline)
		n, _ := io.Copy(io.Discard, c)
		received <- n
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	tcp := conn.(*net.TCPConn)
	defer tcp.Close()
	tcp.SetDeadline(deadline)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()

	l := NewLimiter(drained(rate))
	ctx := context.Background()
	var sent int64
	start := time.Now()
	for time.Since(start) < span {
		n, err := l.Wait(ctx, 64<<10)
		if err != nil {
			b.Fatal(err)
		}
		w, err := tcp.ReadFrom(io.LimitReader(f, int64(n)))
		sent += w
		if err != nil || w != int64(n) {
			b.Fatalf("sent %d of %d bytes: %v", w, n, err)
		}
	}
	elapsed := time.Since(start)
	tcp.CloseWrite()
	got := <-received
	if got != sent {
		b.Fatalf("peer received %d bytes, sender sent %d", got, sent)
	}
	return errPercent(got, elapsed, rate)
}
