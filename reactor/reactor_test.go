// Tests of the reactor on its own, in gnet's style: a tiny line handler instead of an FTP
// session, real loopback connections, and every wait bounded.

package reactor

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastftp/fastftp/internal/testcert"
)

// wait bounds every wait for the server in these tests.
const wait = 5 * time.Second

// lineHandler answers "200 <line>" to each line, and a few verbs of its own:
//
//	QUIT      221, then Close(ReasonClientQuit)
//	BUSY      a command that never ends: nothing after it is consumed
//	TLS       234, then StartTLS (Feed stops there, as the session does)
//	IDLE ms   after ms, from a timer goroutine through Post: 421 and ReasonIdleTimeout
//	FLOOD n   n bytes of reply at once
//
// All fields but the channels are owned by the connection's owner.
type lineHandler struct {
	t       Transport
	remote  netip.AddrPort
	busy    bool
	closing bool
	fed     []byte // every byte Feed consumed, in order

	started  atomic.Int32
	observed atomic.Int64 // reply bytes seen by ObserveReplies
	resumed  chan resume
	closed   chan CloseReason
	plain    chan []byte // fed, sent at Closed
}

type resume struct {
	id           []byte
	implicitFTPS bool
}

func newLineHandler(remote netip.AddrPort) *lineHandler {
	return &lineHandler{remote: remote, resumed: make(chan resume, 1),
		closed: make(chan CloseReason, 2), plain: make(chan []byte, 2)}
}

func (h *lineHandler) reply(s string) {
	o := h.t.Out()
	*o = append(append(*o, s...), '\r', '\n')
}

func (h *lineHandler) Start(t Transport) {
	h.started.Add(1)
	h.t = t
	h.reply("220 ready")
}

func (h *lineHandler) Resume(t Transport, id []byte, implicitFTPS bool) {
	h.t = t
	h.resumed <- resume{append([]byte(nil), id...), implicitFTPS}
	if implicitFTPS {
		h.Start(t)
	}
}

func (h *lineHandler) Feed(in []byte) int {
	n := 0
	for !h.closing && !h.busy {
		i := bytes.IndexByte(in[n:], '\n')
		if i < 0 {
			return n
		}
		line := strings.TrimRight(string(in[n:n+i]), "\r")
		h.fed = append(h.fed, in[n:n+i+1]...)
		n += i + 1
		verb, arg, _ := strings.Cut(line, " ")
		switch verb {
		case "QUIT":
			h.reply("221 bye")
			h.closing = true
			h.t.Close(ReasonClientQuit)
		case "BUSY":
			h.busy = true
		case "TLS":
			h.reply("234 go ahead")
			h.busy = true // until Resume: nothing behind this line is FTP
			h.t.(TLSStarter).StartTLS()
			return n
		case "IDLE":
			ms, _ := strconv.Atoi(arg)
			t := h.t
			time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
				t.Post(func() {
					h.reply("421 idle")
					h.closing = true
					t.Close(ReasonIdleTimeout)
				})
			})
			h.reply("200 idle armed")
		case "FLOOD":
			size, _ := strconv.Atoi(arg)
			o := h.t.Out()
			*o = append(*o, bytes.Repeat([]byte("x"), size)...)
		default:
			h.reply("200 " + line)
		}
	}
	return n
}

func (h *lineHandler) ObserveReplies(out []byte) { h.observed.Add(int64(len(out))) }

func (h *lineHandler) Closed(r CloseReason) {
	h.plain <- h.fed
	h.closed <- r
}

func (h *lineHandler) Remote() netip.AddrPort { return h.remote }

// testServer is a reactor fed by a loopback listener, one lineHandler per connection.
type testServer struct {
	r        *Reactor
	addr     string
	handlers chan *lineHandler
	released chan Handler
}

// start runs a reactor with cfg (Closed is the server's own) and a listener on
// 127.0.0.1:0; implicitFTPS connections go to ServeTLS. Both stop at the test's end.
func start(t *testing.T, cfg Config, implicitFTPS bool) *testServer {
	t.Helper()
	ts := &testServer{handlers: make(chan *lineHandler, 16), released: make(chan Handler, 16)}
	cfg.Log = slog.New(slog.DiscardHandler)
	cfg.Closed = func(h Handler) { ts.released <- h }
	r, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.r = r
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h := newLineHandler(c.RemoteAddr().(*net.TCPAddr).AddrPort())
			ts.handlers <- h
			if implicitFTPS {
				r.ServeTLS(c, h)
			} else if err := r.Adopt(c, h); err != nil {
				t.Errorf("Adopt: %v", err)
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		_ = r.Stop()
	})
	return ts
}

// dial connects and returns the connection, a reader on it, and the server's handler.
func (ts *testServer) dial(t *testing.T) (net.Conn, *bufio.Reader, *lineHandler) {
	t.Helper()
	c, err := net.DialTimeout("tcp", ts.addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(wait))
	select {
	case h := <-ts.handlers:
		return c, bufio.NewReader(c), h
	case <-time.After(wait):
		t.Fatal("no connection accepted")
	}
	return nil, nil, nil
}

func expect(t *testing.T, br *bufio.Reader, want string) {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading %q: %v (got %q)", want, err, line)
	}
	if got := strings.TrimRight(line, "\r\n"); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func send(t *testing.T, c io.Writer, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

// expectEOF reads until the server closes; it fails on a timeout.
func expectEOF(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil && !isReset(err) {
		t.Fatalf("waiting for the server to close: %v (read %q)", err, b)
	}
	return b
}

func isReset(err error) bool { return readEndReason(err) == ReasonClientClosed }

// closedWith waits for h's Closed and the server's Config.Closed, and checks the reason.
func (ts *testServer) closedWith(t *testing.T, h *lineHandler, want CloseReason) []byte {
	t.Helper()
	var fed []byte
	select {
	case fed = <-h.plain:
		if got := <-h.closed; got != want {
			t.Fatalf("closed with %v, want %v", got, want)
		}
	case <-time.After(wait):
		t.Fatalf("Closed not called within %v (want %v)", wait, want)
	}
	ts.releasedOnce(t, h)
	return fed
}

// releasedOnce checks that Config.Closed ran for h, and once only.
func (ts *testServer) releasedOnce(t *testing.T, h *lineHandler) {
	t.Helper()
	select {
	case got := <-ts.released:
		if got != Handler(h) {
			t.Fatalf("Config.Closed for another handler")
		}
	case <-time.After(wait):
		t.Fatal("Config.Closed not called")
	}
	select {
	case <-ts.released:
		t.Fatal("Config.Closed called twice")
	case <-time.After(20 * time.Millisecond):
	}
}

func TestLinesAndClientClose(t *testing.T) {
	ts := start(t, Config{Loops: 2}, false)
	c, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	// Pipelined, and a line split across two writes: answered in order, once each.
	send(t, c, "a\r\nb\r\nc")
	expect(t, br, "200 a")
	expect(t, br, "200 b")
	time.Sleep(20 * time.Millisecond)
	send(t, c, "d\r\n")
	expect(t, br, "200 cd")
	c.Close()
	ts.closedWith(t, h, ReasonClientClosed)
	if got, want := h.observed.Load(), int64(len("220 ready\r\n200 a\r\n200 b\r\n200 cd\r\n")); got != want {
		t.Errorf("ObserveReplies saw %d bytes, want %d", got, want)
	}
	if n := h.started.Load(); n != 1 {
		t.Errorf("Start called %d times", n)
	}
}

func TestServerClosesAfterReply(t *testing.T) {
	ts := start(t, Config{Loops: 1}, false)
	c, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	send(t, c, "QUIT\r\nnot read\r\n")
	expect(t, br, "221 bye")
	if rest := expectEOF(t, br); len(rest) != 0 {
		t.Fatalf("bytes after the 221: %q", rest)
	}
	if fed := ts.closedWith(t, h, ReasonClientQuit); string(fed) != "QUIT\r\n" {
		t.Fatalf("fed %q after QUIT", fed)
	}
}

// TestIdleThroughPost: a close decided on another goroutine arrives through Post, and the
// reply written there reaches the client before the close.
func TestIdleThroughPost(t *testing.T) {
	ts := start(t, Config{Loops: 1}, false)
	c, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	send(t, c, "IDLE 50\r\n")
	expect(t, br, "200 idle armed")
	expect(t, br, "421 idle")
	expectEOF(t, br)
	ts.closedWith(t, h, ReasonIdleTimeout)
}

func TestServerShutdown(t *testing.T) {
	ts := start(t, Config{Loops: 1}, false)
	_, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	if err := ts.r.Stop(); err != nil {
		t.Fatal(err)
	}
	expectEOF(t, br)
	ts.closedWith(t, h, ReasonServerShutdown)
}

// TestInputLimit: a line that never ends, and lines pipelined behind a command in flight,
// are cut off at MaxInbound with a 421; a line under the limit is not.
func TestInputLimit(t *testing.T) {
	const max = 8 << 10
	ts := start(t, Config{Loops: 1, MaxInbound: max}, false)

	t.Run("over-long line", func(t *testing.T) {
		c, br, h := ts.dial(t)
		expect(t, br, "220 ready")
		send(t, c, strings.Repeat("y", max-10)) // under the limit: waits for its end
		send(t, c, "\r\n")
		expect(t, br, "200 "+strings.Repeat("y", max-10))
		send(t, c, strings.Repeat("z", max+1))
		expect(t, br, "421 "+inputLimitText)
		expectEOF(t, br)
		ts.closedWith(t, h, ReasonInputLimit)
	})
	t.Run("pipelined behind a busy command", func(t *testing.T) {
		c, br, h := ts.dial(t)
		expect(t, br, "220 ready")
		send(t, c, "BUSY\r\n")
		line := strings.Repeat("p", 100) + "\r\n"
		for range max/len(line) + 1 {
			send(t, c, line)
		}
		expect(t, br, "421 "+inputLimitText)
		expectEOF(t, br)
		if fed := ts.closedWith(t, h, ReasonInputLimit); string(fed) != "BUSY\r\n" {
			t.Fatalf("fed %q behind BUSY", fed)
		}
	})
}

// TestOutputLimit: a client that does not read its replies is cut off once MaxOutbound
// bytes wait in gnet's buffer, instead of the buffer growing without bound.
func TestOutputLimit(t *testing.T) {
	ts := start(t, Config{Loops: 1, MaxOutbound: 64 << 10}, false)
	c, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	// More than the socket buffers on both sides can hold (a few MiB on loopback).
	send(t, c, "FLOOD "+strconv.Itoa(32<<20)+"\r\n")
	ts.closedWith(t, h, ReasonOutputLimit)
	// What the kernel had accepted still arrives, then the end: less than the flood.
	n, _ := io.Copy(io.Discard, br)
	if n >= 32<<20 {
		t.Fatalf("client read %d bytes: the whole flood", n)
	}
}

// tlsConfigs returns the server's base configuration and a client configuration that
// trusts it.
func tlsConfigs(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	certPEM, keyPEM, err := testcert.PEM(1)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	server = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	server.SetSessionTicketKeys([][32]byte{{1, 2, 3}})
	return server, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// authConn is the client side of an upgrade that does not wait for the 234: its first
// write (the ClientHello) goes out in one segment behind "TLS\r\n", and its reads skip the
// 234 line before handing the stream to TLS.
type authConn struct {
	net.Conn
	br      *bufio.Reader
	sent    bool
	got234  bool
	onReply func(string)
}

func (a *authConn) Write(b []byte) (int, error) {
	if a.sent {
		return a.Conn.Write(b)
	}
	a.sent = true
	if _, err := a.Conn.Write(append([]byte("TLS\r\n"), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (a *authConn) Read(b []byte) (int, error) {
	if !a.got234 {
		line, err := a.br.ReadString('\n')
		if err != nil {
			return 0, err
		}
		a.got234 = true
		a.onReply(strings.TrimRight(line, "\r\n"))
	}
	return a.br.Read(b)
}

// TestAuthTLSPipelinedHandshake: the ClientHello sent in the same write as the command
// that asks for TLS reaches the handshake, never Feed; the handler resumes on the
// goroutine transport with a ticket stamp, and that transport's close paths work.
func TestAuthTLSPipelinedHandshake(t *testing.T) {
	srvTLS, cliTLS := tlsConfigs(t)
	ts := start(t, Config{Loops: 1, TLS: srvTLS, MaxInbound: 8 << 10}, false)

	upgrade := func(t *testing.T) (*tls.Conn, *bufio.Reader, *lineHandler) {
		c, br, h := ts.dial(t)
		expect(t, br, "220 ready")
		var reply string
		tc := tls.Client(&authConn{Conn: c, br: br, onReply: func(s string) { reply = s }}, cliTLS)
		if err := tc.Handshake(); err != nil {
			t.Fatalf("handshake with the ClientHello pipelined behind TLS: %v", err)
		}
		if reply != "234 go ahead" {
			t.Fatalf("reply before the handshake %q", reply)
		}
		select {
		case r := <-h.resumed:
			if r.implicitFTPS || len(r.id) != 16 {
				t.Fatalf("Resume(id %x, implicitFTPS %v), want a 16-byte stamp and false", r.id, r.implicitFTPS)
			}
		case <-time.After(wait):
			t.Fatal("Resume not called")
		}
		return tc, bufio.NewReader(tc), h
	}

	t.Run("client close", func(t *testing.T) {
		tc, br, h := upgrade(t)
		// The handler is still busy from TLS: ask the owner to clear it the way the
		// session's Resume does, through the new transport.
		h.t.Post(func() { h.busy = false })
		send(t, tc, "over tls\r\n")
		expect(t, br, "200 over tls")
		tc.Close()
		if fed := ts.closedWith(t, h, ReasonClientClosed); string(fed) != "TLS\r\nover tls\r\n" {
			t.Fatalf("fed %q: the ClientHello must not reach Feed", fed)
		}
	})
	t.Run("server close", func(t *testing.T) {
		tc, br, h := upgrade(t)
		h.t.Post(func() { h.busy = false })
		send(t, tc, "QUIT\r\n")
		expect(t, br, "221 bye")
		expectEOF(t, br)
		ts.closedWith(t, h, ReasonClientQuit)
	})
	t.Run("input limit", func(t *testing.T) {
		tc, br, h := upgrade(t) // still busy: everything sent now waits
		line := strings.Repeat("q", 100) + "\r\n"
		for range (8<<10)/len(line) + 1 {
			send(t, tc, line)
		}
		expect(t, br, "421 "+inputLimitText)
		expectEOF(t, br)
		ts.closedWith(t, h, ReasonInputLimit)
	})
}

// TestAuthTLSPlaintextBehind: plaintext pipelined behind the upgrade request goes to the
// handshake, which rejects it; Feed never sees it (the STARTTLS injection class).
func TestAuthTLSPlaintextBehind(t *testing.T) {
	srvTLS, _ := tlsConfigs(t)
	ts := start(t, Config{Loops: 1, TLS: srvTLS}, false)
	c, br, h := ts.dial(t)
	expect(t, br, "220 ready")
	send(t, c, "TLS\r\ninjected\r\n")
	expect(t, br, "234 go ahead")
	expectEOF(t, br)
	if fed := ts.closedWith(t, h, ReasonTLSHandshake); string(fed) != "TLS\r\n" {
		t.Fatalf("fed %q: bytes behind the upgrade reached Feed", fed)
	}
}

func TestImplicitTLS(t *testing.T) {
	srvTLS, cliTLS := tlsConfigs(t)
	ts := start(t, Config{Loops: 1, TLS: srvTLS, TLSHandshakeTimeout: 300 * time.Millisecond}, true)

	t.Run("handshake then lines", func(t *testing.T) {
		c, _, h := ts.dial(t)
		tc := tls.Client(c, cliTLS)
		br := bufio.NewReader(tc)
		expect(t, br, "220 ready")
		if r := <-h.resumed; !r.implicitFTPS || len(r.id) != 16 {
			t.Fatalf("Resume(id %x, implicitFTPS %v), want a stamp and true", r.id, r.implicitFTPS)
		}
		send(t, tc, "hello\r\n")
		expect(t, br, "200 hello")
		send(t, tc, "QUIT\r\n")
		expect(t, br, "221 bye")
		ts.closedWith(t, h, ReasonClientQuit)
	})
	t.Run("handshake timeout", func(t *testing.T) {
		c, br, h := ts.dial(t)
		begin := time.Now()
		expectEOF(t, br) // the client never says hello
		if d := time.Since(begin); d > 3*time.Second {
			t.Fatalf("closed after %v; the handshake timeout is 300ms", d)
		}
		_ = c
		// Never started, so never Closed: only the server's Config.Closed hears of it.
		ts.releasedOnce(t, h)
		select {
		case r := <-h.closed:
			t.Fatalf("Closed(%v) for a handler never started", r)
		default:
		}
		if n := h.started.Load(); n != 0 {
			t.Fatalf("Start called %d times", n)
		}
	})
}

func TestCloseReasonNames(t *testing.T) {
	seen := map[string]bool{}
	for r := range NumCloseReasons {
		s := r.String()
		if s == "" || strings.ContainsAny(s, " -") || seen[s] {
			t.Errorf("reason %d: name %q empty, not snake_case or taken twice", r, s)
		}
		seen[s] = true
	}
	if NumCloseReasons.String() != "unknown" || CloseReason(255).String() != "unknown" {
		t.Error("out-of-range reasons must read unknown")
	}
	// Logs carry the name, whichever handler writes them (LogValue).
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "reason", ReasonIdleTimeout)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "reason", ReasonClientQuit)
	if s := b.String(); !strings.Contains(s, "reason=idle_timeout") || !strings.Contains(s, `"reason":"client_quit"`) {
		t.Errorf("log lines %q: want the reasons by name", s)
	}
}

// TestDefaultLoops: half the processors, at least one (why: DefaultLoops).
func TestDefaultLoops(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for procs, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 16: 8} {
		runtime.GOMAXPROCS(procs)
		if got := DefaultLoops(); got != want {
			t.Errorf("GOMAXPROCS %d: %d loops, want %d", procs, got, want)
		}
	}
}
