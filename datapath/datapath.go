// Package datapath opens FTP data connections: passive listeners on ports from a shared
// range (PASV/EPSV), active dials (PORT/EPRT), and the checks that keep them from being
// used against third parties (bounce attacks, data-connection theft).
//
// Every data connection it returns is a *net.TCPConn, so sendfile/splice apply to it.
// Accept and Dial block; they run on a transfer's goroutine, never on an event loop.
package datapath

import (
	"errors"
	"net/netip"
	"time"

	"github.com/fastftp/fastftp/internal/proxyhdr"
)

// DefaultTimeout bounds accept and connect when Config.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// Errors returned by this package; test them with errors.Is. Each maps to one FTP reply:
// ErrNoPorts and ErrTimeout to 425, ErrForeignAddress and ErrPrivilegedPort to 501/504.
var (
	// ErrNoPorts means every port of the passive range is in use, by this server's other
	// passive listeners or by other programs.
	ErrNoPorts = errors.New("datapath: no free port in the passive range")
	// ErrTimeout means no data connection was made within Config.Timeout.
	ErrTimeout = errors.New("datapath: data connection timed out")
	// ErrForeignAddress means a PORT/EPRT target is not the control connection's peer
	// (or is an unspecified, multicast or broadcast address, never a valid data peer).
	ErrForeignAddress = errors.New("datapath: address is not the control connection's peer")
	// ErrPrivilegedPort means a PORT/EPRT target port is below 1024.
	ErrPrivilegedPort = errors.New("datapath: port below 1024")
)

// Config holds the data-connection policy of a server. The zero value is the safe default:
// same-peer only, no privileged ports, 30 s timeout. Functions here only read it, so one
// Config may be shared by all sessions.
type Config struct {
	// PermitForeign accepts data connections from, and PORT/EPRT to, an IP other than the
	// control connection's peer (FXP).
	PermitForeign bool
	// PermitPrivileged allows PORT/EPRT to ports below 1024.
	PermitPrivileged bool
	// Timeout bounds waiting for a data connection (accept or connect); 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// NotSentLowat is the TCP_NOTSENT_LOWAT the caller applies to download data sockets
	// with SetNotSentLowat; 0 leaves the kernel's default (no limit). See SetNotSentLowat.
	NotSentLowat int
	// Refused, if set, hears of each data connection refused because it came from an
	// address other than the control connection's peer (a PASV theft attempt): the
	// passive port and who connected. Called from the accepting goroutine; must not block.
	Refused func(port uint16, from netip.AddrPort)
	// Proxy, if not empty, names the load balancers whose passive data connections carry
	// a PROXY protocol header: from them the header is read (within ProxyTimeout) and the
	// client address it carries is what is compared to the control connection's peer.
	// A connection from them without a valid header is refused and reported to BadHeader.
	Proxy *proxyhdr.Trust
	// ProxyTimeout bounds reading that header; 0 means proxyhdr.DefaultTimeout.
	ProxyTimeout time.Duration
	// BadHeader, if set, hears of each data connection from a trusted balancer refused for
	// its PROXY header (missing, malformed, too slow). Must not block.
	BadHeader func(port uint16, from netip.AddrPort, err error)
}

func (c *Config) timeout() time.Duration {
	if c == nil || c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Config) permitForeign() bool { return c != nil && c.PermitForeign }

// sameHost compares two addresses as FTP peers: IPv4-mapped IPv6 addresses equal their
// IPv4 form and zones are ignored (an EPRT argument carries none).
func sameHost(a, b netip.Addr) bool {
	return a.Unmap().WithZone("") == b.Unmap().WithZone("")
}
