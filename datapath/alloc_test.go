//go:build !race

// Allocation gates: the per-command checks allocate nothing.
package datapath

import (
	"net/netip"
	"testing"
)

func TestAllocsCheckActive(t *testing.T) {
	target := netip.MustParseAddrPort("[::ffff:127.0.0.1]:2000")
	peer := netip.MustParseAddr("127.0.0.1")
	if a := testing.AllocsPerRun(100, func() {
		if CheckActive(target, peer, nil) != nil {
			t.Fatal("rejected")
		}
	}); a != 0 {
		t.Errorf("CheckActive: %v allocs/op, want 0", a)
	}
}

func TestAllocsPortsTakeRelease(t *testing.T) {
	p := NewPorts(40000, 40999)
	if a := testing.AllocsPerRun(100, func() {
		i := p.start()
		if p.take(i) {
			p.release(i)
		}
	}); a != 0 {
		t.Errorf("Ports take/release: %v allocs/op, want 0", a)
	}
}
