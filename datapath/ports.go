// The passive port range shared by all sessions of a server.

package datapath

import (
	"math/bits"
	"math/rand/v2"
	"sync"
)

// Ports hands out passive ports from [min,max] and remembers which are held by this
// server's open passive listeners, so that Listen skips them without a bind attempt. All
// methods are safe from any goroutine.
type Ports struct {
	min, max uint16 // both 0: the kernel chooses
	mu       sync.Mutex
	used     []uint64 // bit i: port min+i is held by a Passive
}

// NewPorts returns the range [min,max] (swapped if min > max; a min of 0 means 1).
// min == max == 0 means "let the kernel choose" (bind port 0). Share one Ports among all
// sessions of a server.
func NewPorts(min, max uint16) *Ports {
	if min == 0 && max == 0 {
		return &Ports{}
	}
	if min > max {
		min, max = max, min
	}
	if min == 0 {
		min = 1
	}
	n := int(max-min) + 1
	return &Ports{min: min, max: max, used: make([]uint64, (n+63)/64)}
}

// kernel reports whether the kernel picks ports (no range).
func (p *Ports) kernel() bool { return p == nil || p.max == 0 }

// size returns the number of ports in the range.
func (p *Ports) size() int { return int(p.max-p.min) + 1 }

// start returns a random index to begin the search at, so that concurrent sessions spread
// over the range instead of all racing for its first free port.
func (p *Ports) start() int { return rand.IntN(p.size()) }

// take marks the port at index i held and reports whether it was free.
func (p *Ports) take(i int) bool {
	w, b := i/64, uint64(1)<<(i%64)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used[w]&b != 0 {
		return false
	}
	p.used[w] |= b
	return true
}

// release frees the port at index i.
func (p *Ports) release(i int) {
	w, b := i/64, uint64(1)<<(i%64)
	p.mu.Lock()
	p.used[w] &^= b
	p.mu.Unlock()
}

// InUse returns how many ports of the range are held by open passive listeners (0 when the
// kernel chooses). Safe from any goroutine; for metrics and tests.
func (p *Ports) InUse() int {
	if p.kernel() {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, w := range p.used {
		n += bits.OnesCount64(w)
	}
	return n
}
