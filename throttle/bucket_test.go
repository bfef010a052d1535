// bucket_test.go: Bucket behaviour on a fake clock: rate, burst, debt, waits, SetRate.

package throttle

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// t0 is the fake clock's origin; it has no monotonic reading, like every fake instant here.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestBucketDebtAndWaits(t *testing.T) {
	b := NewBucket(1000, 100) // 1 byte per ms
	steps := []struct {
		at        time.Duration
		want      int
		granted   int
		wait      time.Duration
		whatCheck string
	}{
		{0, 100, 100, 0, "a new bucket is full"},
		{0, 50, 50, 50 * time.Millisecond, "50 bytes of debt"},
		{0, 1000, 100, 150 * time.Millisecond, "capped at burst, debt queues behind"},
		{150 * time.Millisecond, 10, 10, 10 * time.Millisecond, "debt paid exactly at 150 ms"},
		{160 * time.Millisecond, 0, 0, 0, "want 0 takes nothing"},
		{200 * time.Millisecond, 30, 30, 0, "40 ms of refill covers 30 bytes"},
		{10 * time.Second, 100, 100, 0, "refilled to burst, not beyond"},
		{10 * time.Second, 1, 1, time.Millisecond, "so the next byte waits"},
	}
	for _, s := range steps {
		g, w := b.Reserve(at(s.at), s.want)
		if g != s.granted || w != s.wait {
			t.Fatalf("%s: Reserve(%v, %d) = %d, %v; want %d, %v", s.whatCheck, s.at, s.want, g, w, s.granted, s.wait)
		}
	}
}

// TestBucketRateOverSpan drives a caller that honours every wait with assorted chunk sizes
// and checks that the bytes it may move by time T never exceed R*T + burst, and reach it
// whenever it had to wait, for every T along the way.
func TestBucketRateOverSpan(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		burst int
	}{{1000, 100}, {64 << 10, 8 << 10}, {1 << 20, 100 << 10}, {100 << 20, 1 << 20}, {3333.3, 4096}} {
		rng := rand.New(rand.NewPCG(1, uint64(tc.rate)))
		b := NewBucket(tc.rate, tc.burst)
		var now time.Duration // the caller's clock: it moves when the caller waits
		moved, lost := 0, 0.0
		span := 10 * time.Second
		for now < span {
			want := 1 + rng.IntN(2*tc.burst)
			g, w := b.Reserve(at(now), want)
			if g < 1 || g > want || g > tc.burst {
				t.Fatalf("rate %v: granted %d of want %d, burst %d", tc.rate, g, want, tc.burst)
			}
			now += w
			moved += g
			allowed := tc.rate*now.Seconds() + float64(tc.burst) - lost
			if float64(moved) > allowed+1 { // +1: nanosecond rounding of waits
				t.Fatalf("rate %v: moved %d by %v, more than R*T+burst = %.0f", tc.rate, moved, now, allowed)
			}
			if w > 0 && float64(moved) < allowed-1 {
				// A caller that had to wait has used every token there was: none is lost.
				t.Fatalf("rate %v: moved only %d by %v after waiting %v, R*T+burst = %.0f", tc.rate, moved, now, w, allowed)
			}
			// Sometimes the caller is late (idle between chunks): it must not lose tokens
			// beyond the burst cap, nor gain any beyond it.
			if rng.IntN(10) == 0 {
				now += time.Duration(rng.IntN(int(time.Second)))
				if over := tc.rate*now.Seconds() - float64(moved) - lost; over > 0 {
					lost += over // refill beyond the burst is capped away
				}
			}
		}
	}
}

func TestBucketSetRateNextReserve(t *testing.T) {
	b := NewBucket(1000, 100)
	if g, w := b.Reserve(t0, 100); g != 100 || w != 0 {
		t.Fatalf("drain: %d, %v", g, w)
	}
	b.SetRate(2000, 200)
	if b.Rate() != 2000 || b.Burst() != 200 {
		t.Fatalf("Rate, Burst = %v, %v after SetRate(2000, 200)", b.Rate(), b.Burst())
	}
	if g, w := b.Reserve(t0, 100); g != 100 || w != 50*time.Millisecond {
		t.Fatalf("after SetRate(2000): %d, %v; want 100, 50ms", g, w)
	}
	if g, _ := b.Reserve(at(10*time.Second), 1000); g != 200 {
		t.Fatalf("new burst not applied: granted %d, want 200", g)
	}
	b.SetRate(0, 0) // unlimited
	if g, w := b.Reserve(at(10*time.Second), 1<<30); g != 1<<30 || w != 0 {
		t.Fatalf("unlimited after SetRate(0): %d, %v", g, w)
	}
	if b.Rate() != 0 || b.Burst() != 0 {
		t.Fatalf("Rate, Burst = %v, %v when unlimited", b.Rate(), b.Burst())
	}
	b.SetRate(1000, 100) // limited again: bytes moved while unlimited do not count
	if g, w := b.Reserve(at(20*time.Second), 100); g != 100 || w != 0 {
		t.Fatalf("limited again: %d, %v; want a full bucket", g, w)
	}
	b.SetRate(10, 100) // slower: debt already incurred keeps its time, new bytes cost more
	if g, w := b.Reserve(at(20*time.Second), 10); g != 10 || w != time.Second {
		t.Fatalf("after SetRate(10): %d, %v; want 10, 1s", g, w)
	}
}

func TestBucketUnlimited(t *testing.T) {
	for _, rate := range []float64{0, -5, math.NaN(), math.Inf(1), math.Inf(-1)} {
		b := NewBucket(rate, 10)
		if g, w := b.Reserve(t0, 1<<40); g != 1<<40 || w != 0 {
			t.Errorf("NewBucket(%v): Reserve = %d, %v; want all, now", rate, g, w)
		}
		if b.Rate() != 0 || DefaultBurst(rate) != 0 {
			t.Errorf("NewBucket(%v): Rate %v, DefaultBurst %d; want 0, 0", rate, b.Rate(), DefaultBurst(rate))
		}
	}
}

func TestBucketDefaultsAndClamps(t *testing.T) {
	if got := DefaultBurst(1 << 20); got != (1<<20)/10 {
		t.Errorf("DefaultBurst(1 MiB/s) = %d, want 100 ms of data", got)
	}
	if got := DefaultBurst(1000); got != minChunk {
		t.Errorf("DefaultBurst(1000) = %d, want the 4 KiB floor", got)
	}
	b := NewBucket(0.001, 1) // raised to 1 B/s
	b.Reserve(t0, 1)
	if g, w := b.Reserve(t0, 1); g != 1 || w != time.Second {
		t.Errorf("rate 0.001: second byte waits %v, want 1s (1 B/s floor)", w)
	}
	// Absurd values must not overflow into negative or zero waits.
	b = NewBucket(1, math.MaxInt)
	b.Reserve(t0, math.MaxInt)
	if _, w := b.Reserve(t0, math.MaxInt); w <= 0 {
		t.Errorf("huge burst at 1 B/s: wait %v, want positive", w)
	}
	b = NewBucket(1000, 100)
	if g, w := b.Reserve(time.Time{}, 100); g != 100 || w != 0 {
		t.Errorf("zero time.Time: %d, %v; want a full bucket", g, w)
	}
}

// TestBucketConcurrentAccounting: grants from many goroutines at one instant queue up
// exactly: the next byte waits for all of them, no more, no less.
func TestBucketConcurrentAccounting(t *testing.T) {
	const rate, burst, workers, each = 1e6, 1000, 8, 2000 // 1 µs per byte
	b := NewBucket(rate, burst)
	b.Reserve(t0, burst) // drain
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := 0
			for i := range each {
				g, _ := b.Reserve(t0, 1+(w*each+i)%burst)
				sum += g
			}
			mu.Lock()
			total += sum
			mu.Unlock()
		}()
	}
	wg.Wait()
	if _, w := b.Reserve(t0, 1); w != time.Duration(total+1)*time.Microsecond {
		t.Fatalf("after %d bytes granted concurrently the next byte waits %v, want %v", total, w, time.Duration(total+1)*time.Microsecond)
	}
}

// TestBucketMatchesMutexTwin: the atomic bucket and the naive twin agree on every grant.
func TestBucketMatchesMutexTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a, m := NewBucket(4096, 1000), newMutexBucket(4096, 1000)
	var now time.Duration
	for i := range 10000 {
		now += time.Duration(rng.IntN(int(300 * time.Millisecond)))
		want := 1 + rng.IntN(1500)
		ga, wa := a.Reserve(at(now), want)
		gm, wm := m.Reserve(at(now), want)
		if d := wa - wm; ga != gm || d > time.Microsecond || d < -time.Microsecond {
			t.Fatalf("step %d: atomic %d, %v; mutex %d, %v", i, ga, wa, gm, wm)
		}
	}
}
