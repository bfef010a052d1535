// counter.go: live connections in total and per source address, against limits.

package throttle

import (
	"net/netip"
	"sync"
)

// Counter counts live connections in total and per source (see Source: an IPv4 address or
// an IPv6 /64) against limits; 0 means unlimited. Memory is one map entry per source with
// a live connection. Every method is safe from any goroutine (one mutex, O(1) per call).
type Counter struct {
	mu       sync.Mutex
	maxTotal int
	maxPerIP int
	total    int
	perIP    map[netip.Addr]int32
}

// NewCounter returns a Counter with the given limits (<= 0: unlimited).
func NewCounter(maxTotal, maxPerIP int) *Counter {
	c := &Counter{perIP: make(map[netip.Addr]int32)}
	c.SetLimits(maxTotal, maxPerIP)
	return c
}

// Acquire counts a new connection from ip, or returns ErrTooManyConns (total limit reached;
// checked first) or ErrTooManyFromIP (ip's limit reached) without counting it. Every nil
// return must be paired with one Release(ip).
func (c *Counter) Acquire(ip netip.Addr) error {
	src := Source(ip)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.maxTotal > 0 && c.total >= c.maxTotal {
		return ErrTooManyConns
	}
	n := c.perIP[src]
	if c.maxPerIP > 0 && int(n) >= c.maxPerIP {
		return ErrTooManyFromIP
	}
	c.perIP[src] = n + 1
	c.total++
	return nil
}

// Release uncounts a connection from ip that Acquire admitted. A Release without a
// matching Acquire is ignored rather than driving the counts negative.
func (c *Counter) Release(ip netip.Addr) {
	src := Source(ip)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch n := c.perIP[src]; n {
	case 0:
		return
	case 1:
		delete(c.perIP, src)
	default:
		c.perIP[src] = n - 1
	}
	c.total--
}

// SetLimits changes the limits (<= 0: unlimited). Connections already counted stay
// counted, even above the new limits; only later Acquires see them.
func (c *Counter) SetLimits(maxTotal, maxPerIP int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxTotal, c.maxPerIP = max(maxTotal, 0), max(maxPerIP, 0)
}

// Count returns the number of live connections counted.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// CountFrom returns the number of live connections counted for ip's source.
func (c *Counter) CountFrom(ip netip.Addr) int {
	src := Source(ip)
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.perIP[src])
}
