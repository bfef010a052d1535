// Benchmarks: the cost of one passive data connection (Listen, connect, Accept, Close).
package datapath

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

func BenchmarkPassive(b *testing.B) {
	min, max := randomRange(100)
	for _, bc := range []struct {
		name  string
		ports *Ports
	}{{"ports=kernel", NewPorts(0, 0)}, {"ports=range100", NewPorts(min, max)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for range b.N {
				p, err := Listen(lo, bc.ports, fast)
				if err != nil {
					b.Fatal(err)
				}
				c, err := net.DialTCP("tcp4", nil, net.TCPAddrFromAddrPort(netip.AddrPortFrom(lo, p.Port())))
				if err != nil {
					b.Fatal(err)
				}
				s, err := p.Accept(ctx, lo)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
				c.Close()
			}
		})
	}
}

func BenchmarkCheckActive(b *testing.B) {
	target := netip.MustParseAddrPort("[::ffff:127.0.0.1]:2000")
	peer := netip.MustParseAddr("127.0.0.1")
	b.ReportAllocs()
	for range b.N {
		if CheckActive(target, peer, nil) != nil {
			b.Fatal("rejected")
		}
	}
}
