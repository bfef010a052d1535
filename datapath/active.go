// Active data connections: PORT/EPRT target checks and the dial.

package datapath

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// CheckActive validates a PORT/EPRT target before any connection is attempted:
// ErrForeignAddress if the target IP is not peer (unless Config.PermitForeign) or can never
// be a data peer (unspecified, multicast, IPv4 broadcast), ErrPrivilegedPort if the port is
// below 1024 (unless Config.PermitPrivileged). IPv4-mapped IPv6 addresses equal their IPv4
// form; zones are ignored. Pure; safe from any goroutine; does not allocate.
func CheckActive(target netip.AddrPort, peer netip.Addr, cfg *Config) error {
	ip := target.Addr().Unmap()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return ErrForeignAddress
	}
	if !cfg.permitForeign() && !sameHost(ip, peer) {
		return ErrForeignAddress
	}
	if target.Port() < 1024 && (cfg == nil || !cfg.PermitPrivileged) {
		return ErrPrivilegedPort
	}
	return nil
}

// Dial connects to target from local (the control connection's local IP; the kernel picks
// the source port) within Config.Timeout or until ctx is done, and returns a *net.TCPConn.
// It does not call CheckActive: the caller does, when the PORT/EPRT command arrives. It
// returns ErrTimeout on timeout, ctx's error (wrapped) when ctx is done. Safe from any
// goroutine.
func Dial(ctx context.Context, local netip.Addr, target netip.AddrPort, cfg *Config) (net.Conn, error) {
	ip := target.Addr().Unmap()
	local = local.Unmap()
	if ip.Is6() && ip.Zone() == "" && ip.IsLinkLocalUnicast() && local.Zone() != "" {
		ip = ip.WithZone(local.Zone()) // an EPRT link-local address goes out the control's interface
	}
	d := net.Dialer{Timeout: cfg.timeout(), Control: bindNoPort}
	if local.IsValid() && local.Is4() == ip.Is4() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	}
	network := "tcp6"
	if ip.Is4() {
		network = "tcp4"
	}
	c, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, target.Port()).String())
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("datapath: dial %s: %w", target, cerr)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, ErrTimeout
		}
		return nil, fmt.Errorf("datapath: %w", err)
	}
	return c.(*net.TCPConn), nil
}
