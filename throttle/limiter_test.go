// limiter_test.go: Limiter chunk choice, hierarchy, cancellation and pacing.

package throttle

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// reserveAs runs Limiter.reserve as a Wait call would, counted among the waiters.
func reserveAs(l *Limiter, now time.Time, want int) (int, time.Duration) {
	for _, b := range l.buckets {
		b.waiters.Add(1)
	}
	defer func() {
		for _, b := range l.buckets {
			b.waiters.Add(-1)
		}
	}()
	return l.reserve(now, want)
}

// warm skips the slow start, as if l had been granting large chunks until now.
func warm(l *Limiter, now time.Time) *Limiter {
	l.ramp.Store(1 << 50)
	l.last.Store(nanos(now))
	return l
}

func TestLimiterChunk(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name    string
		buckets []*Bucket
		want    int
		granted int
	}{
		{"100 ms of data", []*Bucket{NewBucket(mib, 1<<30)}, 4 * mib, mib / 10},
		{"caller's want is smaller", []*Bucket{NewBucket(mib, 1<<30)}, 1000, 1000},
		{"4 KiB floor at low rates", []*Bucket{NewBucket(1000, 1<<30)}, mib, 4096},
		{"burst below the floor", []*Bucket{NewBucket(mib, 1000)}, mib, 1000},
		{"slowest bucket decides", []*Bucket{NewBucket(100*mib, 1<<30), NewBucket(mib, 1<<30), nil}, 64 * mib, mib / 10},
		{"smallest burst decides", []*Bucket{NewBucket(100*mib, 5000), NewBucket(mib, 1<<30)}, 64 * mib, 5000},
		{"unlimited buckets ignored", []*Bucket{NewBucket(0, 0), NewBucket(mib, 1<<30)}, 64 * mib, mib / 10},
	}
	for _, tc := range tests {
		l := warm(NewLimiter(tc.buckets...), t0)
		if g, _ := reserveAs(l, t0, tc.want); g != tc.granted {
			t.Errorf("%s: granted %d, want %d", tc.name, g, tc.granted)
		}
	}
}

// TestLimiterChunkShared: streams waiting on a shared bucket split its 100 ms of data.
func TestLimiterChunkShared(t *testing.T) {
	global := NewBucket(100<<20, 1<<30)
	l := warm(NewLimiter(global, NewBucket(0, 0)), t0)
	global.waiters.Add(99) // 99 other streams are waiting on the global bucket
	if g, _ := reserveAs(l, t0, 1<<30); g != (100<<20)/10/100 {
		t.Errorf("1 of 100 streams: granted %d, want %d", g, (100<<20)/10/100)
	}
	global.SetRate(10<<20, 1<<30)
	global.waiters.Add(900)
	warm(l, t0)
	if g, _ := reserveAs(l, t0, 1<<30); g != minChunk {
		t.Errorf("1 of 1000 streams at 10 MiB/s: granted %d, want the %d floor", g, minChunk)
	}
}

// TestLimiterHierarchyWaits: every bucket is charged the grant; the wait is the longest.
func TestLimiterHierarchyWaits(t *testing.T) {
	global, user, session := NewBucket(1e6, 10000), NewBucket(1e5, 10000), NewBucket(0, 0)
	a := warm(NewLimiter(global, user, session), t0)
	b := warm(NewLimiter(global, NewBucket(1e6, 10000)), t0)
	for i := range 3 {
		if g, w := reserveAs(a, t0, 10000); g != 10000 || w != time.Duration(i)*100*time.Millisecond {
			t.Fatalf("a, grant %d: %d, %v; want 10000 after %v (user bucket)", i, g, w, time.Duration(i)*100*time.Millisecond)
		}
	}
	// b shares only the global bucket, which a has charged 30,000 bytes: 20 ms of debt.
	if g, w := reserveAs(b, t0, 10000); g != 10000 || w != 30*time.Millisecond {
		t.Fatalf("b: %d, %v; want 10000 after 30ms", g, w)
	}
}

// TestLimiterBurstShrink: a SetRate shrinking a burst between choosing a grant and
// charging it must leave every bucket charged exactly the bytes granted.
func TestLimiterBurstShrink(t *testing.T) {
	const rate = 1e6 // 1 µs per byte, so charges are exact integers
	x, y, z := NewBucket(rate, 100000), NewBucket(rate, 100000), NewBucket(rate, 100000)
	for _, b := range []*Bucket{x, y, z} {
		b.Reserve(t0, 100000) // drain: from here on the empty instant moves by charges only
	}
	l := warm(NewLimiter(x, NewBucket(0, 0), y, z), t0)
	tn := nanos(t0)
	chunk := l.plan(tn, 1<<20)
	if chunk != 100000 {
		t.Fatalf("plan = %d, want 100000 (the burst)", chunk)
	}
	z.SetRate(rate, 30000) // the last bucket shrinks: x and y were charged 100000 already
	g, w := l.charge(tn, chunk)
	if g != 30000 || w != 30*time.Millisecond {
		t.Fatalf("charge after the shrink = %d, %v; want 30000, 30ms", g, w)
	}
	for name, b := range map[string]*Bucket{"x": x, "y": y, "z": z} {
		if _, w := b.Reserve(t0, 1); w != 30001*time.Microsecond {
			t.Errorf("bucket %s: next byte waits %v, want 30.001ms (charged != granted)", name, w)
		}
	}
}

// TestLimiterBurstShrinkRace: the same under real concurrency (for -race).
func TestLimiterBurstShrinkRace(t *testing.T) {
	const rate = 1e6
	x, y := NewBucket(rate, 100000), NewBucket(rate, 100000)
	x.Reserve(t0, 100000)
	y.Reserve(t0, 100000)
	l := NewLimiter(x, y)
	stop := make(chan struct{})
	var flipper sync.WaitGroup
	flipper.Add(1)
	go func() {
		defer flipper.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			[]*Bucket{x, y}[i/2%2].SetRate(rate, []int{5000, 100000}[i%2])
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := 0
			for range 2000 {
				g, _ := reserveAs(warm(l, t0), t0, 50000)
				if g < 1 || g > 50000 {
					t.Errorf("granted %d", g)
				}
				sum += g
			}
			mu.Lock()
			total += sum
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	flipper.Wait()
	x.SetRate(rate, 1)
	y.SetRate(rate, 1)
	for name, b := range map[string]*Bucket{"x": x, "y": y} {
		if _, w := b.Reserve(t0, 1); w != time.Duration(total+1)*time.Microsecond {
			t.Errorf("bucket %s: next byte waits %v, want %v (charged != granted)", name, w, time.Duration(total+1)*time.Microsecond)
		}
	}
}

// TestLimiterSlowStart: grants start at 4 KiB, at most double per Wait up to the bucket's
// 100 ms of data, and start small again after the Limiter idles.
func TestLimiterSlowStart(t *testing.T) {
	l := NewLimiter(NewBucket(1<<20, 1<<30)) // 100 ms of data = 104857 bytes
	now := t0
	var got []int
	for range 8 {
		g, w := reserveAs(l, now, 1<<20)
		got = append(got, g)
		now = now.Add(w)
	}
	want := []int{4096, 8192, 16384, 32768, 65536, 104857, 104857, 104857}
	if !slices.Equal(got, want) {
		t.Fatalf("grants %v, want %v", got, want)
	}
	if g, _ := reserveAs(l, now.Add(rampIdle/2), 1<<20); g != 104857 {
		t.Fatalf("after a short pause: grant %d, want 104857", g)
	}
	if g, _ := reserveAs(l, now.Add(3*rampIdle), 1<<20); g != 4096 {
		t.Fatalf("after idling: grant %d, want 4096", g)
	}
	if g, _ := reserveAs(l, now.Add(3*rampIdle), 1000); g != 1000 {
		t.Fatalf("small want: grant %d, want 1000", g)
	}
	if g, _ := reserveAs(l, now.Add(3*rampIdle), 1<<20); g != 4096 {
		t.Fatalf("after a small want: grant %d, want the 4 KiB floor", g)
	}
}

func TestLimiterUnlimited(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []*Limiter{NewLimiter(), NewLimiter(nil, nil), NewLimiter(NewBucket(0, 0), nil, NewBucket(-1, 0))} {
		// Unlimited: want at once, without even looking at ctx.
		if n, err := l.Wait(ctx, 1<<40); n != 1<<40 || err != nil {
			t.Errorf("unlimited Wait = %d, %v", n, err)
		}
		if n, err := l.Wait(ctx, 0); n != 0 || err != nil {
			t.Errorf("Wait(0) = %d, %v", n, err)
		}
		if l.Waits() != 0 {
			t.Errorf("unlimited Waits = %v", l.Waits())
		}
	}
}

func TestLimiterCancelled(t *testing.T) {
	b := NewBucket(1000, 4096)
	l := NewLimiter(b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := l.Wait(ctx, 100); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled ctx = %d, %v", n, err)
	}
	if g, w := b.Reserve(time.Now(), 4096); g != 4096 || w != 0 {
		t.Fatalf("a cancelled Wait took tokens: Reserve = %d, %v", g, w)
	}
	// Now the bucket is empty: a Wait for 4 KiB would sleep ~4 s. Its ctx ends first.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	n, err := l.Wait(ctx, 4096)
	if n != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait past ctx deadline = %d, %v", n, err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Wait ignored ctx: returned after %v", el)
	}
	if l.Waits() < 4*time.Second {
		t.Errorf("Waits = %v, want the planned ~4 s counted", l.Waits())
	}
	// The cancelled grant went back: the bucket is as the drain left it (empty, no debt),
	// so one more byte waits at most 1 ms, not the ~4 s the cancelled grant would cost.
	if _, w := b.Reserve(time.Now(), 1); w > time.Millisecond {
		t.Fatalf("cancelled grant not refunded: next byte waits %v", w)
	}
}

// TestLimiterPaces checks the lower bound only (a limiter must never be faster than its
// rate); upper bounds on real time belong to BenchmarkAccuracy.
func TestLimiterPaces(t *testing.T) {
	const rate, burst, chunk, chunks = 1 << 20, 4096, 4096, 12
	l := NewLimiter(NewBucket(rate, burst))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	moved := 0
	for range chunks {
		n, err := l.Wait(ctx, chunk)
		if err != nil || n != chunk {
			t.Fatalf("Wait = %d, %v", n, err)
		}
		moved += n
	}
	floor := time.Duration(float64(moved-burst) / rate * float64(time.Second))
	el := time.Since(start)
	if el < floor-time.Millisecond {
		t.Fatalf("moved %d bytes in %v at %d B/s; needs at least %v", moved, el, rate, floor)
	}
	// Planned waits: a late wake-up shortens the next wait, so they sum to at most the
	// time spent (and at most the floor), never to nothing.
	if w := l.Waits(); w <= 0 || w > el || w > floor+time.Millisecond {
		t.Fatalf("Waits = %v, want in (0, %v] for %v spent", w, floor, el)
	}
}
