// Tests for passive listeners, port ranges, peer checks and active dials over loopback.
package datapath

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"
)

var (
	lo   = netip.MustParseAddr("127.0.0.1")
	lo2  = netip.MustParseAddr("127.0.0.2")
	lo6  = netip.MustParseAddr("::1")
	fast = &Config{Timeout: 5 * time.Second}
)

// dialFrom connects to port on to from the local IP from, with a short timeout.
func dialFrom(t *testing.T, from, to netip.Addr, port uint16) *net.TCPConn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
	c, err := d.Dial("tcp", netip.AddrPortFrom(to, port).String())
	if err != nil {
		t.Fatalf("dial %s from %s: %v", to, from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// randomRange returns a range of n ports inside 20000-30000, away from the ephemeral range.
func randomRange(n int) (uint16, uint16) {
	min := uint16(20000 + rand.IntN(10000-n))
	return min, min + uint16(n-1)
}

func TestPortRange(t *testing.T) {
	// Another program may hold a port of the chosen range: try a few ranges.
	for attempt := 0; attempt < 5; attempt++ {
		min, max := randomRange(10)
		ports := NewPorts(min, max)
		var open []*Passive
		seen := map[uint16]bool{}
		var err error
		for range 11 {
			var p *Passive
			if p, err = Listen(lo, ports, fast); err != nil {
				break
			}
			if p.Port() < min || p.Port() > max || seen[p.Port()] {
				t.Fatalf("port %d: outside %d-%d or handed out twice", p.Port(), min, max)
			}
			seen[p.Port()] = true
			open = append(open, p)
		}
		closeAll := func() {
			for _, p := range open {
				p.Close()
			}
		}
		if len(open) < 10 {
			closeAll()
			continue // a port was busy elsewhere
		}
		if !errors.Is(err, ErrNoPorts) {
			closeAll()
			t.Fatalf("11th Listen on a range of 10: %v, want ErrNoPorts", err)
		}
		if ports.InUse() != 10 {
			t.Errorf("InUse = %d, want 10", ports.InUse())
		}
		freed := open[3].Port()
		open[3].Close()
		open[3].Close() // idempotent
		p, err := Listen(lo, ports, fast)
		if err != nil {
			closeAll()
			t.Fatalf("Listen after Close: %v", err)
		}
		if p.Port() != freed {
			t.Errorf("Listen after Close got port %d, want the freed %d", p.Port(), freed)
		}
		p.Close()
		closeAll()
		if ports.InUse() != 0 {
			t.Errorf("InUse after closing all = %d, want 0", ports.InUse())
		}
		return
	}
	t.Skip("no free range of 10 ports found in 20000-30000")
}

// TestPortRangeSkipsBusyPorts: a port bound by someone else is skipped, not reported.
func TestPortRangeSkipsBusyPorts(t *testing.T) {
	for attempt := 0; attempt < 5; attempt++ {
		min, max := randomRange(2)
		other, err := net.Listen("tcp4", netip.AddrPortFrom(lo, min).String())
		if err != nil {
			continue
		}
		ports := NewPorts(min, max)
		for range 5 { // the random start must not matter
			p, err := Listen(lo, ports, fast)
			if err != nil {
				break
			}
			if p.Port() != max {
				t.Errorf("got port %d, want %d (%d is busy)", p.Port(), max, min)
			}
			p.Close()
		}
		other.Close()
		return
	}
	t.Skip("no free port pair found")
}

func TestKernelPorts(t *testing.T) {
	for _, ports := range []*Ports{nil, NewPorts(0, 0)} {
		p, err := Listen(lo, ports, fast)
		if err != nil {
			t.Fatal(err)
		}
		if p.Port() == 0 {
			t.Error("kernel-chosen port reported as 0")
		}
		p.Close()
	}
}

func TestNewPortsNormalises(t *testing.T) {
	p := NewPorts(30010, 30000)
	if p.min != 30000 || p.max != 30010 {
		t.Errorf("NewPorts(30010, 30000) = %d-%d", p.min, p.max)
	}
	if p := NewPorts(0, 5); p.min != 1 || p.max != 5 {
		t.Errorf("NewPorts(0, 5) = %d-%d", p.min, p.max)
	}
}

// acceptAsync runs Accept in a goroutine.
func acceptAsync(ctx context.Context, p *Passive, peer netip.Addr) <-chan acceptResult {
	ch := make(chan acceptResult, 1)
	go func() {
		c, err := p.Accept(ctx, peer)
		ch <- acceptResult{c, err}
	}()
	return ch
}

type acceptResult struct {
	c   net.Conn
	err error
}

func TestAcceptRefusesForeignPeer(t *testing.T) {
	p, err := Listen(lo, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	ch := acceptAsync(context.Background(), p, lo)
	// The thief is reset either while connecting (loopback is that fast) or right after.
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(lo2, 0))}
	if thief, err := d.Dial("tcp", netip.AddrPortFrom(lo, p.Port()).String()); err == nil {
		_ = thief.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := thief.Read(make([]byte, 1))
		thief.Close()
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("connection from %s (peer is %s): read = %v, want it closed by the server", lo2, lo, err)
		}
	} else if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("connection from %s: %v, want success or a reset", lo2, err)
	}
	select {
	case r := <-ch:
		t.Fatalf("Accept returned after a foreign connection: %v, %v", r.c, r.err)
	default:
	}
	client := dialFrom(t, lo, lo, p.Port())
	r := <-ch
	if r.err != nil {
		t.Fatalf("Accept: %v", r.err)
	}
	defer r.c.Close()
	if _, ok := r.c.(*net.TCPConn); !ok {
		t.Errorf("Accept returned %T, want *net.TCPConn", r.c)
	}
	if got, want := r.c.RemoteAddr().String(), client.LocalAddr().String(); got != want {
		t.Errorf("accepted %s, want the right peer %s", got, want)
	}
	// The listener is closed once Accept returns: a second client is refused.
	if c, err := net.DialTimeout("tcp4", netip.AddrPortFrom(lo, p.Port()).String(), time.Second); err == nil {
		c.Close()
		t.Error("listener still accepts after Accept returned")
	}
}

func TestAcceptPermitForeign(t *testing.T) {
	p, err := Listen(lo, nil, &Config{PermitForeign: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ch := acceptAsync(context.Background(), p, lo)
	other := dialFrom(t, lo2, lo, p.Port())
	r := <-ch
	if r.err != nil {
		t.Fatalf("Accept with PermitForeign: %v", r.err)
	}
	defer r.c.Close()
	if got, want := r.c.RemoteAddr().String(), other.LocalAddr().String(); got != want {
		t.Errorf("accepted %s, want %s", got, want)
	}
}

// TestAcceptMappedPeer: a peer given as ::ffff:127.0.0.1 (a dual-stack control socket)
// matches a data connection from 127.0.0.1.
func TestAcceptMappedPeer(t *testing.T) {
	p, err := Listen(netip.MustParseAddr("::ffff:127.0.0.1"), nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	ch := acceptAsync(context.Background(), p, netip.MustParseAddr("::ffff:127.0.0.1"))
	dialFrom(t, lo, lo, p.Port())
	r := <-ch
	if r.err != nil {
		t.Fatalf("Accept: %v", r.err)
	}
	r.c.Close()
}

func TestAcceptTimeout(t *testing.T) {
	ports := NewPorts(randomRange(3))
	p, err := Listen(lo, ports, &Config{Timeout: 150 * time.Millisecond})
	if err != nil {
		t.Skip("no free port:", err)
	}
	start := time.Now()
	c, err := p.Accept(context.Background(), lo)
	el := time.Since(start)
	if !errors.Is(err, ErrTimeout) || c != nil {
		t.Fatalf("Accept with nobody connecting = %v, %v; want ErrTimeout", c, err)
	}
	if el < 150*time.Millisecond || el > 2*time.Second {
		t.Errorf("timed out after %v, want about 150ms", el)
	}
	if ports.InUse() != 0 {
		t.Errorf("port still held after the timeout: InUse = %d", ports.InUse())
	}
}

func TestAcceptCancel(t *testing.T) {
	p, err := Listen(lo, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := acceptAsync(ctx, p, lo)
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case r := <-ch:
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Accept after cancel: %v, want context.Canceled", r.err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept did not return within 2s of cancel")
	}
}

func TestAcceptClose(t *testing.T) {
	p, err := Listen(lo, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	ch := acceptAsync(context.Background(), p, lo)
	time.Sleep(50 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case r := <-ch:
		if !errors.Is(r.err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v, want net.ErrClosed", r.err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept did not return within 2s of Close")
	}
}

// hasIPv6 reports whether ::1 can be listened on.
func hasIPv6(t *testing.T) bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestIPv6(t *testing.T) {
	if !hasIPv6(t) {
		t.Skip("::1 unavailable")
	}
	ports := NewPorts(randomRange(5))
	p, err := Listen(lo6, ports, fast)
	if err != nil {
		t.Skip("no free port:", err)
	}
	ch := acceptAsync(context.Background(), p, lo6)
	dialFrom(t, lo6, lo6, p.Port())
	r := <-ch
	if r.err != nil {
		t.Fatalf("Accept on ::1: %v", r.err)
	}
	defer r.c.Close()
	if a := r.c.LocalAddr().(*net.TCPAddr).AddrPort(); a.Addr() != lo6 || a.Port() != p.Port() {
		t.Errorf("data connection local address %v, want [::1]:%d", a, p.Port())
	}

	// Active, over IPv6.
	ln, err := net.ListenTCP("tcp6", &net.TCPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := Dial(context.Background(), lo6, ln.Addr().(*net.TCPAddr).AddrPort(), fast)
	if err != nil {
		t.Fatalf("Dial [::1]: %v", err)
	}
	c.Close()
}

func TestCheckActive(t *testing.T) {
	ap := netip.MustParseAddrPort
	ip := netip.MustParseAddr
	foreign := &Config{PermitForeign: true}
	priv := &Config{PermitPrivileged: true}
	cases := []struct {
		target netip.AddrPort
		peer   netip.Addr
		cfg    *Config
		want   error
	}{
		{ap("127.0.0.1:2000"), ip("127.0.0.1"), nil, nil},
		{ap("127.0.0.1:1024"), ip("127.0.0.1"), nil, nil},
		{ap("127.0.0.1:1023"), ip("127.0.0.1"), nil, ErrPrivilegedPort},
		{ap("127.0.0.1:21"), ip("127.0.0.1"), priv, nil},
		{ap("127.0.0.1:0"), ip("127.0.0.1"), nil, ErrPrivilegedPort},
		{ap("127.0.0.2:2000"), ip("127.0.0.1"), nil, ErrForeignAddress},
		{ap("127.0.0.2:2000"), ip("127.0.0.1"), foreign, nil},
		{ap("127.0.0.2:80"), ip("127.0.0.1"), foreign, ErrPrivilegedPort},
		{ap("10.1.2.3:2000"), ip("127.0.0.1"), priv, ErrForeignAddress},
		// v4-mapped on either side equals the plain IPv4 form.
		{ap("[::ffff:127.0.0.1]:2000"), ip("127.0.0.1"), nil, nil},
		{ap("127.0.0.1:2000"), ip("::ffff:127.0.0.1"), nil, nil},
		{ap("[::ffff:127.0.0.1]:2000"), ip("::ffff:127.0.0.1"), nil, nil},
		{ap("[::ffff:127.0.0.2]:2000"), ip("127.0.0.1"), nil, ErrForeignAddress},
		{ap("[::1]:2000"), ip("::1"), nil, nil},
		{ap("[::1]:2000"), ip("127.0.0.1"), nil, ErrForeignAddress},
		{ap("[fe80::1]:2000"), ip("fe80::1%eth0"), nil, nil},
		// Never a data peer, even with FXP allowed.
		{ap("0.0.0.0:2000"), ip("127.0.0.1"), foreign, ErrForeignAddress},
		{ap("[::]:2000"), ip("::1"), foreign, ErrForeignAddress},
		{ap("224.0.0.1:2000"), ip("127.0.0.1"), foreign, ErrForeignAddress},
		{ap("255.255.255.255:2000"), ip("127.0.0.1"), foreign, ErrForeignAddress},
		{netip.AddrPort{}, ip("127.0.0.1"), foreign, ErrForeignAddress},
	}
	for _, c := range cases {
		if got := CheckActive(c.target, c.peer, c.cfg); got != c.want {
			t.Errorf("CheckActive(%v, peer %v, %+v) = %v, want %v", c.target, c.peer, c.cfg, got, c.want)
		}
	}
}

func TestDial(t *testing.T) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_ = ln.SetDeadline(time.Now().Add(5 * time.Second))
	target := ln.Addr().(*net.TCPAddr).AddrPort()
	for _, local := range []netip.Addr{lo2, netip.MustParseAddr("::ffff:127.0.0.2")} {
		c, err := Dial(context.Background(), local, target, fast)
		if err != nil {
			t.Fatalf("Dial %v from %v: %v", target, local, err)
		}
		if _, ok := c.(*net.TCPConn); !ok {
			t.Errorf("Dial returned %T, want *net.TCPConn", c)
		}
		if got := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr(); got != lo2 {
			t.Errorf("source address %v, want %v (the control connection's local IP)", got, lo2)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1)
		if _, err := io.ReadFull(s, b); err != nil || b[0] != 'x' {
			t.Errorf("server read %q, %v", b, err)
		}
		s.Close()
		c.Close()
	}
}

func TestDialClosedPort(t *testing.T) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	c, err := Dial(context.Background(), lo, target, fast)
	if err == nil {
		c.Close()
		t.Fatal("Dial to a closed port succeeded")
	}
	if errors.Is(err, ErrTimeout) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Dial to a closed port: %v, want connection refused", err)
	}
}

func TestDialCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := Dial(ctx, lo, netip.MustParseAddrPort("127.0.0.1:9"), fast)
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Dial with a cancelled ctx: %v, want context.Canceled", err)
	}
}

// TestPortsConcurrent: sessions listening at once from many goroutines get distinct ports.
func TestPortsConcurrent(t *testing.T) {
	const n = 20
	for attempt := 0; attempt < 5; attempt++ {
		ports := NewPorts(randomRange(n))
		res := make(chan *Passive, n)
		for range n {
			go func() {
				p, err := Listen(lo, ports, fast)
				if err != nil {
					p = nil
				}
				res <- p
			}()
		}
		seen := map[uint16]bool{}
		var got []*Passive
		for range n {
			if p := <-res; p != nil {
				got = append(got, p)
				if seen[p.Port()] {
					t.Errorf("port %d handed out twice", p.Port())
				}
				seen[p.Port()] = true
			}
		}
		for _, p := range got {
			p.Close()
		}
		if len(got) < n {
			continue // a port was busy elsewhere
		}
		if ports.InUse() != 0 {
			t.Errorf("InUse after closing all = %d", ports.InUse())
		}
		return
	}
	t.Skip("no free range found")
}
