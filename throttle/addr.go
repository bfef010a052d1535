// addr.go: which addresses count as one client for bans and connection limits.

package throttle

import "net/netip"

// Source returns the key Bans and Counter track for ip: an IPv4 address as is (including
// one arriving IPv4-mapped on a dual-stack socket, ::ffff:a.b.c.d), and an IPv6 address
// truncated to its /64 with any zone dropped. One IPv6 subscriber usually holds a whole /64
// and can rotate through it at will, so per-address bans and limits on full IPv6 addresses
// would be no limit at all (and would let one client flush the ban table). Safe from any
// goroutine.
func Source(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if !ip.Is6() {
		return ip
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.Addr()
}
