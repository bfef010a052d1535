// limiter.go: a hierarchy of buckets pacing one transfer goroutine; the sendfile.Pacer.

package throttle

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// chunkSpan is how much refill time one grant may cover: a rate change or a new stream
	// sharing the bucket takes effect within about this long.
	chunkSpan = 100 * time.Millisecond
	// minChunk keeps grants big enough that a throttled sendfile loop is not dominated by
	// system calls, even at low rates or with many streams sharing a bucket.
	minChunk = 4 << 10
	// rampIdle: a Limiter unused this long starts its grants small again (see Limiter).
	rampIdle = time.Second
)

// Limiter paces a transfer through several buckets at once (for example global ▸ user ▸
// session, one Limiter per direction per session). Its Wait method has the shape of
// sendfile.Pacer.
//
// Every method is safe from any goroutine. Wait sleeps, so it must run on a transfer
// goroutine, never on an event loop.
//
// Fairness: streams sharing a bucket queue up in its debt first come, first served, so
// equal grants mean equal shares. Three things keep grants small when a bucket is shared:
// a bucket's 100 ms of data is divided among the Waits currently on it; a Limiter's grants
// start at 4 KiB and at most double from one Wait to the next (slow start), so streams
// starting together cannot each grab 100 ms of data before they see one another; and a
// Limiter idle for a second starts small again. A stream alone reaches full-size grants
// within about a dozen Waits (4 KiB to 10 MiB at 100 MiB/s), a few milliseconds.
type Limiter struct {
	buckets []*Bucket // never nil entries; fixed after NewLimiter
	waited  atomic.Int64
	ramp    atomic.Int64 // the largest grant the next Wait may give (slow start)
	last    atomic.Int64 // nanos since epoch at which the last grant became usable
}

// NewLimiter returns a Limiter drawing from every non-nil bucket given. A Limiter without
// buckets (or whose buckets are all unlimited) never waits. The buckets may be shared with
// other Limiters; the argument slice is not retained.
func NewLimiter(buckets ...*Bucket) *Limiter {
	l := &Limiter{}
	for _, b := range buckets {
		if b != nil {
			l.buckets = append(l.buckets, b)
		}
	}
	return l
}

// Wait returns how many bytes (1..want) the caller may move now, after sleeping as long as
// the buckets require. The grant is at most what the slowest bucket refills in about
// 100 ms divided among the streams currently waiting on it (but at least 4 KiB, and at most
// the smallest burst), and at most twice the previous grant (see Limiter), so rate changes
// apply quickly, streams sharing a bucket take turns, and sendfile calls stay large at fast
// rates. Callers loop until their transfer is done.
//
// When every bucket is unlimited Wait returns want at once without looking at ctx or the
// clock, and allocates nothing. Otherwise, if ctx ends first, Wait returns 0 and ctx.Err(),
// and the tokens it had reserved go back to the buckets. want <= 0 returns 0, nil.
func (l *Limiter) Wait(ctx context.Context, want int) (int, error) {
	if want <= 0 {
		return 0, nil
	}
	for _, b := range l.buckets {
		if b.cfg.Load() != nil {
			return l.wait(ctx, want)
		}
	}
	return want, nil
}

// wait is Wait's limited path.
func (l *Limiter) wait(ctx context.Context, want int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for _, b := range l.buckets {
		b.waiters.Add(1)
	}
	n, d := l.reserve(time.Now(), want)
	var err error
	if d > 0 {
		if err = sleep(ctx, d); err != nil {
			for _, b := range l.buckets {
				b.refund(n)
			}
			n = 0
		}
		l.waited.Add(int64(d))
	}
	for _, b := range l.buckets {
		b.waiters.Add(-1)
	}
	return n, err
}

// reserve picks the chunk and takes it from every bucket; it returns the grant and the
// longest wait. The caller has counted itself in each bucket's waiters.
func (l *Limiter) reserve(now time.Time, want int) (int, time.Duration) {
	t := nanos(now)
	n, wait := l.charge(t, l.plan(t, want))
	l.ramp.Store(2 * int64(n))
	l.last.Store(t + int64(wait))
	return n, wait
}

// plan picks the grant: want, capped by the slow-start ramp, each bucket's share of its
// 100 ms of data among its waiters (at least minChunk) and each bucket's burst.
func (l *Limiter) plan(t int64, want int) int {
	ramp := l.ramp.Load()
	if t-l.last.Load() > int64(rampIdle) {
		ramp = minChunk
	}
	chunk := int(min(int64(want), max(ramp, minChunk)))
	for _, b := range l.buckets {
		c := b.cfg.Load()
		if c == nil {
			continue
		}
		share := c.chunk / int(max(b.waiters.Load(), 1))
		chunk = min(chunk, max(share, minChunk), c.burst)
	}
	return chunk
}

// charge takes chunk from every limited bucket and returns the grant and the longest wait.
// The grant is smaller than chunk only if a concurrent SetRate shrank a burst below it
// after plan.
func (l *Limiter) charge(t int64, chunk int) (int, time.Duration) {
retry:
	var wait time.Duration
	for i, b := range l.buckets {
		c := b.cfg.Load()
		if c == nil {
			continue
		}
		if c.burst < chunk {
			// Every bucket charged so far took exactly chunk: give it back and start
			// again with the smaller chunk.
			for _, p := range l.buckets[:i] {
				p.refund(chunk)
			}
			chunk = c.burst
			goto retry
		}
		wait = max(wait, b.take(c, t, c.cost(chunk)))
	}
	return chunk, wait
}

// Waits reports the total time this Limiter made its callers sleep (for metrics): planned
// waits that completed, and the full planned wait of those cut short by ctx. Safe from any
// goroutine.
func (l *Limiter) Waits() time.Duration { return time.Duration(l.waited.Load()) }

// timers recycles sleep timers so a paced transfer allocates nothing per chunk. Since Go
// 1.23 a stopped or fired timer can be Reset without draining its channel.
var timers sync.Pool

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t, _ := timers.Get().(*time.Timer)
	if t == nil {
		t = time.NewTimer(d)
	} else {
		t.Reset(d)
	}
	var err error
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		err = ctx.Err()
	}
	timers.Put(t)
	return err
}
