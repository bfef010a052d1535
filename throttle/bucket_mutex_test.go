// bucket_mutex_test.go: the naive twin of Bucket (mutex, tokens + timestamp, as in
// x/time/rate), kept to show in BenchmarkReserve why Bucket uses one atomic word instead.

package throttle

import (
	"sync"
	"time"
)

type mutexBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  int
	tokens float64
	last   time.Time
}

func newMutexBucket(rate float64, burst int) *mutexBucket {
	return &mutexBucket{rate: rate, burst: burst, tokens: float64(burst)}
}

func (b *mutexBucket) Reserve(now time.Time, want int) (int, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(want, b.burst)
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.tokens+now.Sub(b.last).Seconds()*b.rate, float64(b.burst))
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return n, 0
	}
	return n, time.Duration(-b.tokens / b.rate * 1e9)
}
