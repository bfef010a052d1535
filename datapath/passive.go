// Passive data connections: a listener per PASV/EPSV that accepts exactly one connection.

package datapath

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/internal/proxyhdr"
)

// Passive is a listener that waits for one data connection. Port is safe from any
// goroutine; Accept is called once, by one goroutine; Close is safe from any goroutine, any
// number of times (ABOR, QUIT and a new PASV close the pending one).
type Passive struct {
	ln      *net.TCPListener
	port    uint16
	index   int    // index in ports, -1 when the kernel chose the port
	ports   *Ports // nil when the kernel chose the port
	timeout time.Duration
	foreign bool
	refused func(port uint16, from netip.AddrPort)
	cfg     *Config // for the PROXY protocol settings; nil: none
	once    sync.Once
	err     error
}

// Listen opens a passive listener on local (the control connection's local IP, v4 or v6;
// a v4-mapped v6 address listens on its IPv4 form) on a port from ports: it starts at a
// random point in the range, skips ports held by other Passives or in use by other
// programs, and gives up with ErrNoPorts after trying the range once. A nil ports, or
// one from NewPorts(0, 0), lets the kernel choose. The socket has SO_REUSEADDR, so a port
// is usable again as soon as its listener closes. Safe from any goroutine.
func Listen(local netip.Addr, ports *Ports, cfg *Config) (*Passive, error) {
	local = local.Unmap()
	if !local.IsValid() {
		return nil, errors.New("datapath: listen: invalid local address")
	}
	p := &Passive{index: -1, timeout: cfg.timeout(), foreign: cfg.permitForeign()}
	if cfg != nil {
		p.refused = cfg.Refused
		if !cfg.Proxy.Empty() {
			p.cfg = cfg
		}
	}
	if ports.kernel() {
		ln, err := listenTCP(local, 0)
		if err != nil {
			return nil, err
		}
		p.ln, p.port = ln, uint16(ln.Addr().(*net.TCPAddr).Port)
		return p, nil
	}
	n, start := ports.size(), ports.start()
	for k := range n {
		i := (start + k) % n
		if !ports.take(i) {
			continue
		}
		port := ports.min + uint16(i)
		ln, err := listenTCP(local, port)
		if err == nil {
			p.ln, p.port, p.index, p.ports = ln, port, i, ports
			return p, nil
		}
		ports.release(i)
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w %d-%d on %s", ErrNoPorts, ports.min, ports.max, local)
}

func listenTCP(ip netip.Addr, port uint16) (*net.TCPListener, error) {
	network := "tcp6"
	if ip.Is4() {
		network = "tcp4"
	}
	lc := net.ListenConfig{Control: reuseAddr}
	ln, err := lc.Listen(context.Background(), network, netip.AddrPortFrom(ip, port).String())
	if err != nil {
		return nil, fmt.Errorf("datapath: listen: %w", err)
	}
	return ln.(*net.TCPListener), nil
}

// Port returns the listening port (for the 227/229 reply). Safe from any goroutine.
func (p *Passive) Port() uint16 { return p.port }

// Accept waits for the data connection and returns it (a *net.TCPConn). A connection from
// an IP other than peer is closed at once and waiting continues, unless
// Config.PermitForeign. It returns ErrTimeout after Config.Timeout, ctx's error (wrapped)
// when ctx is done, and an error wrapping net.ErrClosed after Close. It always closes the
// listener before returning: one connection per PASV. Call it once, from one goroutine.
func (p *Passive) Accept(ctx context.Context, peer netip.Addr) (net.Conn, error) {
	defer p.Close()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("datapath: accept on port %d: %w", p.port, err)
	}
	if err := p.ln.SetDeadline(time.Now().Add(p.timeout)); err != nil {
		return nil, fmt.Errorf("datapath: accept on port %d: %w", p.port, err)
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { p.Close() })
		defer stop()
	}
	for {
		c, err := p.ln.AcceptTCP()
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("datapath: accept on port %d: %w", p.port, cerr)
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, ErrTimeout
			}
			return nil, fmt.Errorf("datapath: accept on port %d: %w", p.port, err)
		}
		from, _ := c.RemoteAddr().(*net.TCPAddr)
		client := from.AddrPort()
		if p.cfg != nil && p.cfg.Proxy.Trusted(client.Addr()) {
			// Passive ports proxied by the balancer: the client is in the header. Reading
			// it here holds up only this transfer, for at most ProxyTimeout.
			src, ok, err := proxyhdr.Read(c, p.cfg.ProxyTimeout)
			if err != nil {
				if p.cfg.BadHeader != nil {
					p.cfg.BadHeader(p.port, client, err)
				}
				_ = c.SetLinger(0)
				_ = c.Close()
				continue
			}
			if ok {
				client = src
			}
		}
		if p.foreign || sameHost(client.Addr(), peer) {
			return c, nil
		}
		// Someone else raced the client to the announced port: drop them, keep waiting.
		if p.refused != nil {
			p.refused(p.port, client)
		}
		_ = c.SetLinger(0) // reset rather than leave a TIME_WAIT behind
		_ = c.Close()
	}
}

// Close closes the listener and returns its port to the range. Idempotent and safe from
// any goroutine; a pending Accept returns at once. It returns the first close's error.
func (p *Passive) Close() error {
	p.once.Do(func() {
		p.err = p.ln.Close()
		if p.ports != nil {
			p.ports.release(p.index)
		}
	})
	return p.err
}
