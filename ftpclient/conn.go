// The control connection: commands and replies through a small reused buffer, login and
// quit, parking an idle session's buffers.

package ftpclient

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
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

// Conn is one control connection. Owned by one goroutine at a time.
type Conn struct {
	d       *Dialer
	nc      net.Conn // control stream (a *tls.Conn once TLS is on)
	raw     net.Conn
	b       *connBufs
	rr      ReplyReader
	tlsConf *tls.Config // per session: its cache holds only this session's ticket
	protP   bool
	local   netip.Addr
	remote  netip.Addr
}

func (c *Conn) deadline() {
	c.nc.SetDeadline(time.Now().Add(c.d.timeout()))
}

func (c *Conn) readReply() (int, []byte, error) {
	code, text, err := c.rr.Read(c.b.r)
	if err != nil {
		return 0, nil, fmt.Errorf("ftpclient: read reply from %s: %w", c.d.Addr, err)
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
		return fmt.Errorf("ftpclient: send %s to %s: %w", verb, c.d.Addr, err)
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
	return NewReplyError(verb, code, text)
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
			return NewReplyError("PASS", code, text)
		}
	default:
		return NewReplyError("USER", code, text)
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
		return fmt.Errorf("ftpclient: park session to %s: %d unread bytes: %w", c.d.Addr, c.b.r.Buffered(), ErrMalformedReply)
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

// Size returns the SIZE of path (RFC 3659).
func (c *Conn) Size(path string) (int64, error) {
	code, text, err := c.Cmd("SIZE", path)
	if err != nil {
		return 0, err
	}
	if code != 213 {
		return 0, NewReplyError("SIZE", code, text)
	}
	n, err := strconv.ParseInt(string(trimSpace(text)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ftpclient: SIZE %s reply %q: %w", path, text, ErrMalformedReply)
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
		return fmt.Errorf("ftpclient: send USER/PASS/QUIT to %s: %w", c.d.Addr, err)
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
			firstErr = NewReplyError(verbs[i], code, text)
		}
	}
	c.Close()
	return firstErr
}
