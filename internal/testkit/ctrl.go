// The raw control client: what tests need beyond a real FTP client (pipelined commands,
// replies checked line by line, a data connection opened by hand), on ftpclient's reply
// reader.

package testkit

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// DefaultTimeout bounds each read and write of a Ctrl, and each dial.
const DefaultTimeout = 10 * time.Second

// ReadReply reads one reply, multi-line or not (RFC 959 §4.2), with ftpclient's reader and
// checks its framing as a strict client would: every line ends in CRLF, the first line is
// "ddd-" or "ddd " with a code from 100 to 599, and the last is "ddd " with the same code.
// text holds every line joined by "\n", without the CRLFs; on error it holds what was read.
func ReadReply(r *bufio.Reader) (code int, text string, err error) {
	var rr ftpclient.ReplyReader
	code, raw, err := rr.ReadAppend(r, nil)
	s := string(raw)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if !strings.HasSuffix(l, "\r") && (err == nil || i < len(lines)-1) {
			return 0, s, fmt.Errorf("reply line not ended by CRLF: %q", l)
		}
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	text = strings.Join(lines, "\n")
	if err != nil {
		return 0, text, fmt.Errorf("read reply: %w", err)
	}
	first, last := lines[0], lines[len(lines)-1]
	if len(first) < 4 || (first[3] != ' ' && first[3] != '-') || code < 100 || code > 599 {
		return 0, text, fmt.Errorf("malformed reply line %q", first)
	}
	if len(last) < 4 || last[3] != ' ' {
		return 0, text, fmt.Errorf("malformed last reply line %q", last)
	}
	return code, text, nil
}

// Ctrl is a raw control connection driven by one test goroutine: its methods call
// t.Fatal. Every read and write has a deadline of Timeout. Conn and R are there for what
// the methods do not cover (reading to EOF, deadlines of one's own); read through R, which
// may hold bytes already received.
type Ctrl struct {
	T       testing.TB
	Conn    net.Conn
	R       *bufio.Reader
	Timeout time.Duration
}

// Dial connects to addr without reading the greeting (it may be a refusal: Expect it);
// t.Cleanup closes the connection.
func Dial(t testing.TB, addr string) *Ctrl {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, DefaultTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return New(t, nc)
}

// New wraps an open control connection (a TLS one, say).
func New(t testing.TB, nc net.Conn) *Ctrl {
	return &Ctrl{T: t, Conn: nc, R: bufio.NewReader(nc), Timeout: DefaultTimeout}
}

// Greeted dials addr and expects the 220 greeting.
func Greeted(t testing.TB, addr string) *Ctrl {
	t.Helper()
	c := Dial(t, addr)
	c.Expect(220)
	return c
}

// Send writes line and CRLF in one write.
func (c *Ctrl) Send(line string) {
	c.T.Helper()
	c.SendRaw(line + "\r\n")
}

// SendRaw writes s as it is, in one write: several pipelined commands, a bare LF, a
// command cut in two.
func (c *Ctrl) SendRaw(s string) {
	c.T.Helper()
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.Timeout))
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.T.Fatalf("send %q: %v", clip(s), err)
	}
}

// Reply reads one reply (see ReadReply); errors are returned, not fatal.
func (c *Ctrl) Reply() (code int, text string, err error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.Timeout))
	return ReadReply(c.R)
}

// Expect reads one reply and fails the test unless its code is one of codes; it returns
// the reply's text (every line, codes included).
func (c *Ctrl) Expect(codes ...int) string {
	c.T.Helper()
	return c.expectFor("", codes)
}

// Cmd sends line and expects one of codes; it returns the reply's text.
func (c *Ctrl) Cmd(line string, codes ...int) string {
	c.T.Helper()
	c.Send(line)
	return c.expectFor(clip(line)+": ", codes)
}

// expectFor is Expect, its failures prefixed with what the reply answers.
func (c *Ctrl) expectFor(what string, codes []int) string {
	c.T.Helper()
	code, text, err := c.Reply()
	if err != nil {
		c.T.Fatalf("%swant %v: %v (got %q)", what, codes, err, clip(text))
	}
	for _, want := range codes {
		if code == want {
			return text
		}
	}
	c.T.Fatalf("%swant %v, got %q", what, codes, clip(text))
	return ""
}

// Login sends USER and PASS and expects 331 then 230.
func (c *Ctrl) Login(user, pass string) {
	c.T.Helper()
	c.Cmd("USER "+user, 331)
	c.Cmd("PASS "+pass, 230)
}

// PASV sends PASV and connects to the port of its 227 reply on the control connection's
// peer (the address in the reply is not trusted, as ftpclient does not); t.Cleanup closes
// the data connection.
func (c *Ctrl) PASV() net.Conn {
	c.T.Helper()
	text := c.Cmd("PASV", 227)
	ap, err := ftpclient.ParsePASV([]byte(text))
	if err != nil {
		c.T.Fatalf("PASV: cannot parse %q: %v", text, err)
	}
	return c.dialData(ap.Port())
}

// EPSV sends EPSV and connects to the port of its 229 reply on the control connection's
// peer; t.Cleanup closes the data connection.
func (c *Ctrl) EPSV() net.Conn {
	c.T.Helper()
	text := c.Cmd("EPSV", 229)
	port, err := ftpclient.ParseEPSV([]byte(text))
	if err != nil {
		c.T.Fatalf("EPSV: cannot parse %q: %v", text, err)
	}
	return c.dialData(port)
}

func (c *Ctrl) dialData(port uint16) net.Conn {
	c.T.Helper()
	peer, err := netip.ParseAddrPort(c.Conn.RemoteAddr().String())
	if err != nil {
		c.T.Fatalf("control peer %s: %v", c.Conn.RemoteAddr(), err)
	}
	addr := net.JoinHostPort(peer.Addr().Unmap().String(), strconv.Itoa(int(port)))
	dc, err := net.DialTimeout("tcp", addr, c.Timeout)
	if err != nil {
		c.T.Fatalf("data dial %s: %v", addr, err)
	}
	c.T.Cleanup(func() { dc.Close() })
	return dc
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}
