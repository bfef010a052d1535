// bucket.go: the token bucket. Its whole state is one atomic word (GCRA form), so Reserve is
// a load, some arithmetic and a compare-and-swap: no lock, no allocation, never a sleep.

package throttle

import (
	"math"
	"sync/atomic"
	"time"
)

const (
	// minRate is the slowest limit a Bucket keeps; slower rates are raised to it so that the
	// cost of a byte in nanoseconds stays finite.
	minRate = 1.0
	// maxSpan caps any duration the bucket computes (the time to refill a burst, the cost of
	// one grant) so that sums of them cannot overflow an int64 of nanoseconds. 2^50 ns is
	// about 13 days, far beyond any useful burst.
	maxSpan = 1 << 50
	// maxNanos bounds the instants the package stores (about 73 years either side of
	// process start) so that adding debts or subtracting spans cannot overflow.
	maxNanos = 1 << 61
	// emptyNever is the initial "empty at" instant: older than any clamped instant minus
	// maxSpan, so a new bucket is full whatever clock its callers use.
	emptyNever = math.MinInt64 / 2
)

// epoch anchors every instant the package stores as int64 nanoseconds. time.Time.Sub uses
// the monotonic clock when both operands carry it (real time) and the wall clock otherwise
// (fake clocks in tests), so both kinds of `now` work as long as a caller does not mix them
// on one Bucket.
var epoch = time.Now()

// nanos converts now to nanoseconds since epoch, clamped to ±maxNanos (a zero time.Time
// passed by mistake then behaves like a very old instant instead of overflowing).
func nanos(now time.Time) int64 {
	return min(max(int64(now.Sub(epoch)), -maxNanos), maxNanos)
}

// bucketConfig is immutable once published; SetRate swaps in a new one.
type bucketConfig struct {
	rate      float64 // bytes per second, >= minRate
	burst     int     // >= 1
	nsPerByte float64 // 1e9 / rate
	burstNs   int64   // time to refill a whole burst, <= maxSpan
	chunk     int     // what the bucket refills in chunkSpan, >= minChunk (see Limiter)
}

// cost is the time n bytes take to refill, rounded to the nearest nanosecond.
func (c *bucketConfig) cost(n int) int64 {
	f := float64(n)*c.nsPerByte + 0.5
	if f > maxSpan {
		return maxSpan
	}
	return int64(f)
}

// Bucket is a token bucket: tokens are bytes, refilled at Rate bytes per second up to a
// burst. A grant may take the bucket into debt; the debt is paid by the wait Reserve returns,
// so callers that queue up are served roughly first come, first served.
//
// Every method is safe from any goroutine. Reserve never blocks or sleeps, so it may be
// called from an event loop; only Limiter.Wait sleeps. A Bucket whose rate is <= 0 is
// unlimited: Reserve grants everything at once without a lock or an allocation.
//
// Internally the state is the instant at which the bucket is empty (GCRA, the "theoretical
// arrival time"): the bucket holds rate*(now-empty) tokens, capped at burst, and is in debt
// when empty is after now. One atomic int64 holds it. BenchmarkReserve compares this with a
// mutex-guarded tokens+timestamp twin (see bucket_mutex_test.go).
type Bucket struct {
	cfg   atomic.Pointer[bucketConfig] // nil: unlimited
	empty atomic.Int64                 // nanoseconds since epoch at which tokens == 0
	// state is the word holding the empty instant: &empty, or a word in memory shared with
	// other processes (NewSharedBucket), whose instants are counted from a common base;
	// shift converts this process's instants to that base (0 for &empty).
	state *atomic.Int64
	shift int64
	// waiters counts Limiter.Wait calls currently reserving or sleeping on this bucket;
	// Limiter divides the bucket's chunk among them (fairness under a shared bucket).
	waiters atomic.Int32
}

// NewBucket returns a Bucket refilled at rate bytes per second holding at most burst bytes.
// It starts full. rate <= 0 (or NaN, or +Inf) makes it unlimited; a positive rate below
// 1 B/s counts as 1 B/s. burst <= 0 picks DefaultBurst(rate).
func NewBucket(rate float64, burst int) *Bucket {
	b := &Bucket{}
	b.state = &b.empty
	b.empty.Store(emptyNever)
	b.cfg.Store(newConfig(rate, burst))
	return b
}

// SharedEmpty is the value a word must hold before the first NewSharedBucket on it: a full
// bucket.
const SharedEmpty = emptyNever

// NewSharedBucket returns a Bucket like NewBucket whose state is the word at word, which
// may lie in memory that several processes map (internal/shm): every Bucket on that word,
// in any process, draws from the same tokens. The word holds the instant the bucket is
// empty in nanoseconds since base (unix nanoseconds, the same for every process sharing
// the word); it must hold SharedEmpty (or a value a Bucket stored) before first use.
// Each process keeps its own rate and burst: give every process the same ones. Processes'
// clocks are aligned through the wall clock once, here; after that the monotonic clock
// counts. Safe from any goroutine.
func NewSharedBucket(rate float64, burst int, word *atomic.Int64, base int64) *Bucket {
	b := &Bucket{state: word, shift: epoch.UnixNano() - base}
	b.cfg.Store(newConfig(rate, burst))
	return b
}

// DefaultBurst is the burst NewBucket and SetRate use when given burst <= 0: what the rate
// refills in 100 ms, but at least 4 KiB. That equals the largest chunk a Limiter grants from
// the bucket, so a chunk is never split, and it absorbs timer lateness (a late wake-up finds
// the tokens it missed still there) without letting an idle transfer burst for long. It is 0
// for an unlimited rate. Safe from any goroutine.
func DefaultBurst(rate float64) int {
	c := newConfig(rate, 0)
	if c == nil {
		return 0
	}
	return c.burst
}

// newConfig validates and precomputes a configuration; nil means unlimited.
func newConfig(rate float64, burst int) *bucketConfig {
	if !(rate > 0) || math.IsInf(rate, 1) {
		return nil
	}
	rate = max(rate, minRate)
	chunk := minChunk
	if f := rate * chunkSpan.Seconds(); f > float64(chunk) {
		chunk = int(min(f, float64(math.MaxInt32)))
	}
	if burst <= 0 {
		burst = chunk
	}
	c := &bucketConfig{rate: rate, burst: burst, nsPerByte: 1e9 / rate, chunk: chunk}
	c.burstNs = c.cost(burst)
	return c
}

// Reserve takes up to want tokens, possibly going into debt, and returns how many bytes the
// caller may move (granted: 1..want, capped at the burst; 0 only when want <= 0) and how
// long it must wait before moving them (0 when they are available now). It never sleeps.
// now should come from one clock per Bucket (a `now` earlier than one already seen gains
// no tokens, and its wait is counted from its own now). Safe from any goroutine; no
// allocation.
func (b *Bucket) Reserve(now time.Time, want int) (granted int, wait time.Duration) {
	if want <= 0 {
		return 0, 0
	}
	c := b.cfg.Load()
	if c == nil {
		return want, 0
	}
	n := min(want, c.burst)
	return n, b.take(c, nanos(now), c.cost(n))
}

// take moves the empty instant by cost and returns the wait (debt) at t.
func (b *Bucket) take(c *bucketConfig, t, cost int64) time.Duration {
	t += b.shift
	full := t - c.burstNs // an empty instant older than this would mean more than burst tokens
	for {
		old := b.state.Load()
		e := max(old, full) + cost
		if b.state.CompareAndSwap(old, e) {
			if e > t {
				return time.Duration(e - t)
			}
			return 0
		}
	}
}

// refund gives n reserved but unused tokens back (a cancelled or trimmed grant).
func (b *Bucket) refund(n int) {
	if c := b.cfg.Load(); c != nil && n > 0 {
		b.state.Add(-c.cost(n))
	}
}

// SetRate changes rate and burst (same rules as NewBucket). Grants already made keep their
// waits; the next Reserve, on any goroutine, uses the new values, so a transfer paced by a
// Limiter sees the change within one chunk (about 100 ms of data). Debt carries over as
// time: a transfer that was 50 ms ahead of the old rate waits those 50 ms, and then follows
// the new rate. Safe from any goroutine; allocates one small config.
func (b *Bucket) SetRate(rate float64, burst int) {
	b.cfg.Store(newConfig(rate, burst))
}

// Rate returns the rate in bytes per second, 0 when unlimited. Safe from any goroutine.
func (b *Bucket) Rate() float64 {
	if c := b.cfg.Load(); c != nil {
		return c.rate
	}
	return 0
}

// Burst returns the burst in bytes, 0 when unlimited. Safe from any goroutine.
func (b *Bucket) Burst() int {
	if c := b.cfg.Load(); c != nil {
		return c.burst
	}
	return 0
}
