// counter_test.go: connection limits in total and per source, under concurrency.

package throttle

import (
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCounterLimits(t *testing.T) {
	c := NewCounter(3, 2)
	must := func(ip netip.Addr, want error) {
		t.Helper()
		if err := c.Acquire(ip); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("Acquire(%v) = %v, want %v", ip, err, want)
		}
	}
	must(ipA, nil)
	must(ipA, nil)
	must(ipA, ErrTooManyFromIP)
	must(netip.MustParseAddr("::ffff:192.0.2.1"), ErrTooManyFromIP) // same source, mapped
	must(ipB, nil)
	must(ipB, ErrTooManyConns) // total checked first
	if c.Count() != 3 || c.CountFrom(ipA) != 2 || c.CountFrom(ipB) != 1 {
		t.Fatalf("Count %d, from A %d, from B %d; want 3, 2, 1", c.Count(), c.CountFrom(ipA), c.CountFrom(ipB))
	}
	c.Release(ipA)
	must(ipB, nil)
	c.Release(netip.MustParseAddr("203.0.113.9")) // never acquired: ignored
	if c.Count() != 3 {
		t.Fatalf("an unmatched Release changed Count to %d", c.Count())
	}
	c.SetLimits(0, 0) // unlimited
	for range 100 {
		must(ipA, nil)
	}
	c.SetLimits(1, 1) // above the new limits: kept, but nothing new
	must(ipB, ErrTooManyConns)
	if c.Count() != 103 {
		t.Fatalf("Count = %d, want 103", c.Count())
	}
	for range 101 {
		c.Release(ipA)
	}
	c.Release(ipB)
	c.Release(ipB)
	if c.Count() != 0 || len(c.perIP) != 0 {
		t.Fatalf("after releasing all: Count %d, %d sources tracked", c.Count(), len(c.perIP))
	}
	must(ipA, nil)
}

// TestCounterConcurrent: under contention the limits hold at every instant, checked by
// the workers' own count of what they hold.
func TestCounterConcurrent(t *testing.T) {
	const maxTotal, maxPerIP, workers = 20, 3, 16
	c := NewCounter(maxTotal, maxPerIP)
	ips := []netip.Addr{ipA, ipB, netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"),
		netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.3"),
		netip.MustParseAddr("198.51.100.4"), netip.MustParseAddr("198.51.100.5")}
	var held atomic.Int32
	perIP := make([]atomic.Int32, len(ips))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				ip := ips[(w+i)%len(ips)]
				k := (w + i) % len(ips)
				if k == 3 {
					k = 2 // 2001:db8::1 and ::2 are one source (same /64): one tally
				}
				if err := c.Acquire(ip); err != nil {
					if !errors.Is(err, ErrTooManyConns) && !errors.Is(err, ErrTooManyFromIP) {
						t.Errorf("Acquire: %v", err)
					}
					continue
				}
				if n := held.Add(1); n > maxTotal {
					t.Errorf("%d connections held, limit %d", n, maxTotal)
				}
				if n := perIP[k].Add(1); n > maxPerIP {
					t.Errorf("%d connections from %v, limit %d", n, ip, maxPerIP)
				}
				perIP[k].Add(-1)
				held.Add(-1)
				c.Release(ip)
			}
		}()
	}
	wg.Wait()
	if c.Count() != 0 {
		t.Fatalf("Count = %d after all released", c.Count())
	}
}
