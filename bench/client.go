// The benchmark's own FTP client: control connection with a small reused buffer,
// allocation-free reply parsing, PASV/EPSV/PORT/EPRT data connections, explicit and
// implicit FTPS that resumes the control connection's TLS session on data connections.

package bench

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
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
	return 0, fmt.Errorf("bench: data mode %q (want pasv, epsv, port or eprt): %w", s, ErrBadConfig)
}

// TLSMode selects FTPS.
type TLSMode int

// FTPS modes.
const (
	TLSNone     TLSMode = iota
	TLSExplicit         // AUTH TLS after the greeting (RFC 4217)
	TLSImplicit         // TLS from the first byte (port 990 style)
)

// controlBufSize is the control connection's read buffer: replies are short, and long
// multi-line replies (FEAT, HELP) are consumed in pieces.
const controlBufSize = 512

// connBufs are a control connection's buffers, pooled while a session is parked idle.
type connBufs struct {
	r *bufio.Reader
	w []byte
}

var connBufPool = sync.Pool{New: func() any {
	return &connBufs{r: bufio.NewReaderSize(nil, controlBufSize), w: make([]byte, 0, 256)}
}}

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

// Conn is one control connection. Owned by one goroutine at a time.
type Conn struct {
	d       *Dialer
	nc      net.Conn // control stream (a *tls.Conn once TLS is on)
	raw     net.Conn
	b       *connBufs
	rr      replyReader
	tlsConf *tls.Config // per session: its cache holds only this session's ticket
	protP   bool
	local   netip.Addr
	remote  netip.Addr
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
		return fmt.Errorf("bench: dial %s: %w", d.Addr, err)
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
		err = replyErr("greeting", code, text)
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
		return fmt.Errorf("bench: TLS handshake with %s: %w", c.d.Addr, err)
	}
	c.nc = tc
	return nil
}

func (c *Conn) deadline() {
	c.nc.SetDeadline(time.Now().Add(c.d.timeout()))
}

func (c *Conn) readReply() (int, []byte, error) {
	code, text, err := c.rr.read(c.b.r)
	if err != nil {
		return 0, nil, fmt.Errorf("bench: read reply from %s: %w", c.d.Addr, err)
	}
	if c.d.Debug != nil {
		c.debugf("< %d %s\n", code, text)
	}
	return code, text, nil
}

func (c *Conn) debugf(format string, args ...any) {
	c.d.debugMu.Lock()
	if c.raw != nil {
		fmt.Fprintf(c.d.Debug, "[%s] ", c.raw.LocalAddr())
	}
	fmt.Fprintf(c.d.Debug, format, args...)
	c.d.debugMu.Unlock()
}

// send writes "VERB arg\r\n" from the session's reused buffer.
func (c *Conn) send(verb, arg string) error {
	w := append(c.b.w[:0], verb...)
	if arg != "" {
		w = append(w, ' ')
		w = append(w, arg...)
	}
	w = append(w, '\r', '\n')
	c.b.w = w
	if c.d.Debug != nil {
		if verb == "PASS" {
			c.debugf("> PASS ****\n")
		} else {
			c.debugf("> %s", w)
		}
	}
	c.deadline()
	if _, err := c.nc.Write(w); err != nil {
		return fmt.Errorf("bench: send %s to %s: %w", verb, c.d.Addr, err)
	}
	return nil
}

// Cmd sends one command and returns the reply. text lives until the next call on c.
func (c *Conn) Cmd(verb, arg string) (code int, text []byte, err error) {
	if err := c.send(verb, arg); err != nil {
		return 0, nil, err
	}
	return c.readReply()
}

// Expect sends one command and fails with a *ReplyError unless the reply code is want
// (want < 10 accepts any code of that first digit).
func (c *Conn) Expect(verb, arg string, want int) error {
	code, text, err := c.Cmd(verb, arg)
	if err != nil {
		return err
	}
	if code == want || code/100 == want {
		return nil
	}
	return replyErr(verb, code, text)
}

func replyErr(verb string, code int, text []byte) error {
	return &ReplyError{Verb: verb, Code: code, Text: string(text)}
}

// Login sends USER and PASS (skipping PASS when USER alone logs in) and, under FTPS,
// PBSZ 0 and PROT P so data connections are protected too.
func (c *Conn) Login(user, pass string) error {
	code, text, err := c.Cmd("USER", user)
	if err != nil {
		return err
	}
	switch code {
	case 230:
	case 331, 332:
		code, text, err = c.Cmd("PASS", pass)
		if err != nil {
			return err
		}
		if code != 230 && code != 202 {
			return replyErr("PASS", code, text)
		}
	default:
		return replyErr("USER", code, text)
	}
	if c.d.TLS != TLSNone {
		if err := c.Expect("PBSZ", "0", 2); err != nil {
			return err
		}
		if err := c.Expect("PROT", "P", 2); err != nil {
			return err
		}
		c.protP = true
	}
	return nil
}

// Quit sends QUIT, waits for its reply and closes the connection.
func (c *Conn) Quit() error {
	err := c.Expect("QUIT", "", 2)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the control connection and returns its buffers to the pool. Safe to call
// twice.
func (c *Conn) Close() error {
	var err error
	if c.nc != nil {
		err = c.nc.Close()
		c.nc, c.raw = nil, nil
	}
	if c.b != nil {
		c.b.r.Reset(nil)
		connBufPool.Put(c.b)
		c.b = nil
	}
	return err
}

// Park releases the session's buffers while it sits idle, so an idle session costs its
// socket and this struct only. It fails when the server has sent unread bytes.
func (c *Conn) Park() error {
	if c.b == nil {
		return nil
	}
	if c.b.r.Buffered() != 0 {
		return fmt.Errorf("bench: park session to %s: %d unread bytes: %w", c.d.Addr, c.b.r.Buffered(), ErrMalformedReply)
	}
	c.b.r.Reset(nil)
	connBufPool.Put(c.b)
	c.b = nil
	return nil
}

// Unpark takes buffers back for a parked session.
func (c *Conn) Unpark() {
	if c.b == nil {
		c.b = connBufPool.Get().(*connBufs)
		c.b.r.Reset(c.nc)
	}
}

// LocalAddr is the control connection's local address (the source it was dialed from).
func (c *Conn) LocalAddr() netip.Addr { return c.local }

// OpenData opens a data connection for verb (RETR, STOR, LIST, ...) and waits for the
// preliminary 1xx reply. The caller reads or writes the connection, then calls CloseData.
func (c *Conn) OpenData(ctx context.Context, verb, arg string) (net.Conn, error) {
	var dc net.Conn
	switch c.d.Data {
	case DataPASV, DataEPSV:
		var port uint16
		if c.d.Data == DataEPSV || c.remote.Is6() {
			code, text, err := c.Cmd("EPSV", "")
			if err != nil {
				return nil, err
			}
			if code != 229 {
				return nil, replyErr("EPSV", code, text)
			}
			if port, err = ParseEPSV(text); err != nil {
				return nil, fmt.Errorf("bench: EPSV reply %q: %w", text, err)
			}
		} else {
			code, text, err := c.Cmd("PASV", "")
			if err != nil {
				return nil, err
			}
			if code != 227 {
				return nil, replyErr("PASV", code, text)
			}
			ap, err := ParsePASV(text)
			if err != nil {
				return nil, fmt.Errorf("bench: PASV reply %q: %w", text, err)
			}
			port = ap.Port() // the address is the control peer's: servers behind NAT lie
		}
		var err error
		if dc, err = c.dialData(ctx, port); err != nil {
			return nil, err
		}
		if err := c.sendExpect1xx(verb, arg); err != nil {
			dc.Close()
			return nil, err
		}
	case DataPORT, DataEPRT:
		if c.d.Data == DataPORT && !c.local.Is4() {
			return nil, fmt.Errorf("bench: PORT to %s: IPv6 needs EPRT: %w", c.d.Addr, ErrBadConfig)
		}
		ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(c.local, 0)))
		if err != nil {
			return nil, fmt.Errorf("bench: listen for active data on %s: %w", c.local, err)
		}
		defer ln.Close()
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		ap = netip.AddrPortFrom(c.local, ap.Port())
		var arg2 [64]byte
		cmd := "EPRT"
		a := AppendEPRT(arg2[:0], ap)
		if c.d.Data == DataPORT {
			cmd = "PORT"
			a = AppendPORT(arg2[:0], ap)
		}
		if err := c.Expect(cmd, string(a), 2); err != nil {
			return nil, err
		}
		if err := c.sendExpect1xx(verb, arg); err != nil {
			return nil, err
		}
		ln.SetDeadline(time.Now().Add(c.d.timeout()))
		tc, err := ln.AcceptTCP()
		if err != nil {
			return nil, fmt.Errorf("bench: accept active data connection on %s: %w", ap, err)
		}
		dc = tc
	}
	if c.protP {
		tc := tls.Client(dc, c.tlsConf)
		dc.SetDeadline(time.Now().Add(c.d.timeout()))
		if err := tc.Handshake(); err != nil {
			dc.Close()
			return nil, fmt.Errorf("bench: TLS handshake on data connection for %s: %w", verb, err)
		}
		if c.d.Debug != nil {
			c.debugf("  data connection TLS resumed=%v\n", tc.ConnectionState().DidResume)
		}
		dc = tc
	}
	return dc, nil
}

func (c *Conn) sendExpect1xx(verb, arg string) error {
	code, text, err := c.Cmd(verb, arg)
	if err != nil {
		return err
	}
	if code/100 != 1 {
		return replyErr(verb, code, text)
	}
	return nil
}

func (c *Conn) dialData(ctx context.Context, port uint16) (net.Conn, error) {
	dl := net.Dialer{Timeout: c.d.timeout(), KeepAlive: -1}
	if len(c.d.Sources) > 0 {
		// Servers check that data comes from the control connection's address.
		dl.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(c.local, 0))
	}
	addr := netip.AddrPortFrom(c.remote, port).String()
	dc, err := dl.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bench: dial data connection %s: %w", addr, err)
	}
	return dc, nil
}

// CloseData closes a data connection and reads the transfer's final reply, which must be
// 2xx. When the transfer itself failed (xferErr != nil) that error is returned instead.
func (c *Conn) CloseData(dc net.Conn, xferErr error) error {
	cerr := dc.Close()
	if xferErr != nil {
		return xferErr
	}
	code, text, err := c.readReply()
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return replyErr("transfer", code, text)
	}
	if cerr != nil {
		return fmt.Errorf("bench: close data connection: %w", cerr)
	}
	return nil
}

// Retr downloads path into w through buf and returns the bytes received. The transfer is
// refused with ErrShortData when the final reply is 2xx but fewer than want bytes came
// (want < 0: unknown).
func (c *Conn) Retr(ctx context.Context, path string, want int64, buf []byte, w io.Writer) (int64, error) {
	dc, err := c.OpenData(ctx, "RETR", path)
	if err != nil {
		return 0, err
	}
	n, err := readAll(dc, c.d.timeout(), buf, w)
	if err = c.CloseData(dc, err); err != nil {
		return n, err
	}
	if want >= 0 && n != want {
		return n, fmt.Errorf("bench: RETR %s: got %d bytes, want %d: %w", path, n, want, ErrShortData)
	}
	return n, nil
}

// Stor uploads everything r yields to path through buf and returns the bytes sent.
func (c *Conn) Stor(ctx context.Context, path string, r io.Reader, buf []byte) (int64, error) {
	dc, err := c.OpenData(ctx, "STOR", path)
	if err != nil {
		return 0, err
	}
	var n int64
	var xerr error
	to := c.d.timeout()
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			dc.SetWriteDeadline(time.Now().Add(to))
			w, werr := dc.Write(buf[:k])
			n += int64(w)
			if werr != nil {
				xerr = fmt.Errorf("bench: STOR %s: write data: %w", path, werr)
				break
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			xerr = rerr
			break
		}
	}
	if xerr == nil {
		xerr = finishUpload(dc, to, buf)
	}
	return n, c.CloseData(dc, xerr)
}

// finishUpload half-closes an upload and waits for the server to close its side. Closing
// outright while unread bytes sit in our receive queue (a TLS 1.3 session ticket the
// server sent on the data connection) makes the kernel send RST, and the server loses the
// tail of the upload still in its queue.
func finishUpload(dc net.Conn, to time.Duration, buf []byte) error {
	cw, ok := dc.(interface{ CloseWrite() error })
	if !ok {
		return nil
	}
	if err := cw.CloseWrite(); err != nil {
		return fmt.Errorf("bench: half-close upload: %w", err)
	}
	dc.SetReadDeadline(time.Now().Add(to))
	for {
		if _, err := dc.Read(buf); err != nil {
			if err == io.EOF {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("bench: wait for server to close upload: %w", err)
			}
			return nil // a reset after our FIN: the data was delivered
		}
	}
}

// List runs verb (LIST, NLST, MLSD) on path, copies the listing into w and returns its
// size in bytes.
func (c *Conn) List(ctx context.Context, verb, path string, buf []byte, w io.Writer) (int64, error) {
	dc, err := c.OpenData(ctx, verb, path)
	if err != nil {
		return 0, err
	}
	n, err := readAll(dc, c.d.timeout(), buf, w)
	return n, c.CloseData(dc, err)
}

// readAll copies a data connection into w without io.Copy (which would allocate a buffer
// through TCPConn's WriterTo) and refreshes the read deadline per chunk.
func readAll(dc net.Conn, to time.Duration, buf []byte, w io.Writer) (int64, error) {
	var n int64
	for {
		dc.SetReadDeadline(time.Now().Add(to))
		k, err := dc.Read(buf)
		if k > 0 {
			n += int64(k)
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("bench: read data connection: %w", err)
		}
	}
}

// Size returns the SIZE of path (RFC 3659).
func (c *Conn) Size(path string) (int64, error) {
	code, text, err := c.Cmd("SIZE", path)
	if err != nil {
		return 0, err
	}
	if code != 213 {
		return 0, replyErr("SIZE", code, text)
	}
	n, err := strconv.ParseInt(string(trimSpace(text)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bench: SIZE %s reply %q: %w", path, text, ErrMalformedReply)
	}
	return n, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isStopped reports whether err is the runner's stop signal rather than a failure.
func isStopped(err error) bool { return errors.Is(err, errStopped) }

// LoginQuit logs in and quits with the three commands in one write (RFC 959 lets a client
// send commands before earlier replies arrive; servers answer them in order), then reads
// the three replies and closes. It halves the round trips of a login storm. Not for FTPS.
func (c *Conn) LoginQuit(user, pass string) error {
	w := append(c.b.w[:0], "USER "...)
	w = append(w, user...)
	w = append(w, "\r\nPASS "...)
	w = append(w, pass...)
	w = append(w, "\r\nQUIT\r\n"...)
	c.b.w = w
	if c.d.Debug != nil {
		c.debugf("> USER %s | PASS **** | QUIT\n", user)
	}
	c.deadline()
	if _, err := c.nc.Write(w); err != nil {
		c.Close()
		return fmt.Errorf("bench: send USER/PASS/QUIT to %s: %w", c.d.Addr, err)
	}
	var verbs = [3]string{"USER", "PASS", "QUIT"}
	var firstErr error
	for i := 0; i < 3; i++ {
		code, text, err := c.readReply()
		if err != nil {
			c.Close()
			if firstErr != nil {
				return firstErr
			}
			return err
		}
		ok := code/100 == 2 || (i == 0 && code/100 == 3)
		if !ok && firstErr == nil {
			firstErr = replyErr(verbs[i], code, text)
		}
	}
	c.Close()
	return firstErr
}
