// Dialing: data-connection and FTPS modes, the Dialer (source addresses, timeouts, the
// protocol log) and the connection set-up: greeting, AUTH TLS or implicit TLS.

package ftpclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// DataMode selects how data connections are opened.
type DataMode int

// Data connection modes.
const (
	DataPASV DataMode = iota // client connects to the port of a 227 reply
	DataEPSV                 // client connects to the port of a 229 reply (RFC 2428)
	DataPORT                 // server connects to us (IPv4 only)
	DataEPRT                 // server connects to us (RFC 2428, IPv4 and IPv6)
)

var dataModeNames = [...]string{"pasv", "epsv", "port", "eprt"}

// String returns the lower-case mode name.
func (m DataMode) String() string { return dataModeNames[m] }

// ParseDataMode parses "pasv", "epsv", "port" or "eprt".
func ParseDataMode(s string) (DataMode, error) {
	for i, n := range dataModeNames {
		if n == s {
			return DataMode(i), nil
		}
	}
	return 0, fmt.Errorf("ftpclient: data mode %q (want pasv, epsv, port or eprt): %w", s, ErrBadConfig)
}

// TLSMode selects FTPS.
type TLSMode int

// FTPS modes.
const (
	TLSNone     TLSMode = iota // plain FTP
	TLSExplicit                // AUTH TLS after the greeting (RFC 4217)
	TLSImplicit                // TLS from the first byte (port 990 style)
)

// Dialer opens control connections. Set its fields before first use; after that it is
// safe from any goroutine.
type Dialer struct {
	Addr      string        // host:port of the server
	Timeout   time.Duration // bound on every network step; 0 means 30s
	Data      DataMode      // how data connections are opened
	TLS       TLSMode       // FTPS mode
	TLSConfig *tls.Config   // base TLS config; cloned per session (see Conn)
	Sources   []netip.Addr  // local addresses to spread connections over; empty: kernel's choice
	Debug     io.Writer     // when set, the protocol is logged here (passwords hidden)

	once    sync.Once
	dialers []net.Dialer
	next    atomic.Uint32
	debugMu sync.Mutex
}

func (d *Dialer) timeout() time.Duration {
	if d.Timeout <= 0 {
		return 30 * time.Second
	}
	return d.Timeout
}

func (d *Dialer) init() {
	// Keep-alive probes are useless on benchmark sessions and cost four setsockopt calls
	// per connection.
	d.once.Do(func() {
		if len(d.Sources) == 0 {
			d.dialers = []net.Dialer{{Timeout: d.timeout(), KeepAlive: -1}}
			return
		}
		d.dialers = make([]net.Dialer, len(d.Sources))
		for i, s := range d.Sources {
			d.dialers[i] = net.Dialer{Timeout: d.timeout(), KeepAlive: -1, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(s, 0))}
		}
	})
}

// Dial connects, reads the greeting and, for FTPS, negotiates TLS. ctx bounds the dial.
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	c := &Conn{}
	if err := d.Connect(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Connect (re)opens c, reusing its buffers; c must be closed or new.
func (d *Dialer) Connect(ctx context.Context, c *Conn) error {
	d.init()
	c.d = d
	c.protP = false
	dl := &d.dialers[0]
	if len(d.dialers) > 1 {
		dl = &d.dialers[int(d.next.Add(1))%len(d.dialers)]
	}
	nc, err := dl.DialContext(ctx, "tcp", d.Addr)
	if err != nil {
		return fmt.Errorf("ftpclient: dial %s: %w", d.Addr, err)
	}
	c.raw, c.nc = nc, nc
	if ta, ok := nc.LocalAddr().(*net.TCPAddr); ok {
		c.local = ta.AddrPort().Addr().Unmap()
	}
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.remote = ta.AddrPort().Addr().Unmap()
	}
	if c.b == nil {
		c.b = connBufPool.Get().(*connBufs)
	}
	if d.TLS != TLSNone {
		c.tlsConf = d.sessionTLSConfig()
	}
	if d.TLS == TLSImplicit {
		if err := c.startTLS(); err != nil {
			c.Close()
			return err
		}
	}
	c.b.r.Reset(c.nc)
	c.deadline()
	code, text, err := c.readReply()
	if err == nil && code != 220 {
		err = NewReplyError("greeting", code, text)
	}
	if err == nil && d.TLS == TLSExplicit {
		err = c.Expect("AUTH", "TLS", 234)
		if err == nil {
			err = c.startTLS()
			c.b.r.Reset(c.nc)
		}
	}
	if err != nil {
		c.Close()
		return err
	}
	return nil
}

// sessionTLSConfig clones the base config with a one-entry session cache, so the data
// connections of a session resume that session (vsftpd's require_ssl_reuse, proftpd's
// TLSOptions default) and never another session's.
func (d *Dialer) sessionTLSConfig() *tls.Config {
	var conf *tls.Config
	if d.TLSConfig != nil {
		conf = d.TLSConfig.Clone()
	} else {
		conf = &tls.Config{InsecureSkipVerify: true} // a benchmark, not a file manager
	}
	if conf.ServerName == "" {
		host, _, _ := net.SplitHostPort(d.Addr)
		conf.ServerName = host // also the cache key shared by control and data connections
	}
	conf.ClientSessionCache = tls.NewLRUClientSessionCache(1)
	return conf
}

func (c *Conn) startTLS() error {
	tc := tls.Client(c.raw, c.tlsConf)
	c.raw.SetDeadline(time.Now().Add(c.d.timeout()))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("ftpclient: TLS handshake with %s: %w", c.d.Addr, err)
	}
	c.nc = tc
	return nil
}
