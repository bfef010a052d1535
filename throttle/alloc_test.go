//go:build !race

// alloc_test.go: allocation gates for the paths a transfer or an accept runs per call.

package throttle

import (
	"context"
	"testing"
	"time"
)

func TestAllocs(t *testing.T) {
	ctx := context.Background()
	unlimited := NewLimiter(NewBucket(0, 0), nil, NewBucket(0, 0))
	limited := NewBucket(1<<20, 1<<20)
	fast := NewLimiter(NewBucket(1e12, 1<<40), NewBucket(0, 0)) // limited, never in debt
	paced := NewLimiter(NewBucket(100<<20, 4096))               // ~40 µs sleep per Wait
	bans := NewBans(1000, time.Minute, time.Hour)
	bans.Fail(ipA, t0)
	counter := NewCounter(100, 10)
	if err := counter.Acquire(ipB); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gates := []struct {
		name string
		f    func()
	}{
		{"unlimited Limiter.Wait", func() { unlimited.Wait(ctx, 64<<10) }},
		{"limited Bucket.Reserve", func() { limited.Reserve(now, 4096) }},
		{"limited Limiter.Wait without debt", func() { fast.Wait(ctx, 4096) }},
		{"limited Limiter.Wait with a sleep", func() { paced.Wait(ctx, 4096) }},
		{"Bans.Banned", func() { bans.Banned(ipA, t0) }},
		{"Bans.Fail, known source", func() { bans.Fail(ipA, t0) }},
		{"Counter.Acquire+Release", func() {
			if counter.Acquire(ipA) == nil {
				counter.Release(ipA)
			}
		}},
	}
	for _, g := range gates {
		g.f() // warm up pools and maps
		if n := testing.AllocsPerRun(100, g.f); n != 0 {
			t.Errorf("%s: %v allocs per call, want 0", g.name, n)
		}
	}
}
