// conns.go: live connections in total and per source, counted per worker.

package shm

import (
	"fmt"
	"net/netip"
	"sync/atomic"

	"github.com/fastftp/fastftp/throttle"
)

// Conns is a throttle.ConnCounter on the table: the limits hold across every worker.
// A new source when the source table is 3/4 full (SourceCap) is refused with an error
// wrapping throttle.ErrTooManyConns, as if the total limit were reached: the table cannot
// lose count of a live connection. Safe from any goroutine.
type Conns struct {
	t      *Table
	limits atomic.Uint64 // maxTotal<<32 | maxPerIP, each 0 for unlimited
}

// Conns returns the connection counter of this worker's view, with the given limits
// (<= 0: unlimited). Limits are per view: give every worker the same ones.
func (t *Table) Conns(maxTotal, maxPerIP int) *Conns {
	c := &Conns{t: t}
	c.SetLimits(maxTotal, maxPerIP)
	return c
}

var _ throttle.ConnCounter = (*Conns)(nil)

// errSourcesFull is returned (wrapping ErrTooManyConns) when the source table is full.
var errSourcesFull = fmt.Errorf("%w: table of client addresses full (%d)", throttle.ErrTooManyConns, SourceCap*3/4)

// SetLimits changes the limits (<= 0: unlimited); connections already counted stay.
func (c *Conns) SetLimits(maxTotal, maxPerIP int) {
	clamp := func(n int) uint64 { return uint64(min(max(n, 0), 1<<31-1)) }
	c.limits.Store(clamp(maxTotal)<<32 | clamp(maxPerIP))
}

// Acquire counts a connection from ip for this worker, or refuses it (see
// throttle.Counter.Acquire: the total limit is checked first).
func (c *Conns) Acquire(ip netip.Addr) error {
	t := c.t
	l := c.limits.Load()
	maxTotal, maxPerIP := int(l>>32), int(l&(1<<32-1))
	k, h := addrKey(ip)
	t.lock()
	defer t.unlock()
	if maxTotal > 0 && t.totalLocked() >= maxTotal {
		return throttle.ErrTooManyConns
	}
	e, found := t.src.find(t, &k, h)
	if !found {
		if t.src.full(t) {
			return errSourcesFull
		}
		t.src.insert(t, e, &k)
	} else if maxPerIP > 0 && t.sourceCount(e) >= maxPerIP {
		return throttle.ErrTooManyFromIP
	}
	*t.i32(e + srcCounts + 4*t.w)++
	t.live(t.w).Add(1)
	return nil
}

// Release uncounts a connection from ip that this worker's Acquire admitted; one without
// a matching Acquire (or dropped by ResetWorker) is ignored.
func (c *Conns) Release(ip netip.Addr) {
	t := c.t
	k, h := addrKey(ip)
	t.lock()
	defer t.unlock()
	e, found := t.src.find(t, &k, h)
	if !found || *t.i32(e + srcCounts + 4*t.w) <= 0 {
		return
	}
	*t.i32(e + srcCounts + 4*t.w)--
	if n := t.live(t.w); n.Load() > 0 {
		n.Add(-1)
	}
	if t.sourceCount(e) == 0 {
		t.src.delete(t, e)
	}
}

// CountFrom reports the live connections from ip's source, all workers together.
func (c *Conns) CountFrom(ip netip.Addr) int {
	t := c.t
	k, h := addrKey(ip)
	t.lock()
	defer t.unlock()
	if e, found := t.src.find(t, &k, h); found {
		return t.sourceCount(e)
	}
	return 0
}

// Count reports the live connections, all workers together.
func (c *Conns) Count() int { return c.t.Live() }

func (t *Table) sourceCount(e int) int {
	n := 0
	for w := range t.n {
		n += int(*t.i32(e + srcCounts + 4*w))
	}
	return n
}

// Busiest reports whether this worker holds more live connections than every other
// worker by more than slack (at least 16, or 1/16 of its own). A worker accepting from a
// socket shared with the others can then wait a moment before its next accept, so that
// the kernel's accept spread, which favours whichever process wakes first, evens out:
// with only the single busiest worker holding back, the others keep accepting at full
// speed. It reads the counts without the lock (a hint, not a limit). No allocation.
func (t *Table) Busiest() bool {
	if t.w < 0 || t.n < 2 {
		return false
	}
	mine := t.live(t.w).Load()
	slack := max(16, mine/16)
	for w := range t.n {
		if w != t.w && t.live(w).Load()+slack >= mine {
			return false
		}
	}
	return true
}
