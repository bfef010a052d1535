// Package reactor runs FTP control connections on gnet v2 event loops, and on a goroutine
// each once they move to TLS (gnet has no TLS).
//
// Connections are accepted by the caller with Go's net.Listener (an EMFILE on gnet's own
// accept shuts down the whole engine) and adopted here with EnrollContext. Each event loop
// owns its connections: input is parsed in place from gnet's buffer, replies are appended
// to a per-loop buffer and written once per callback, and work finished elsewhere comes
// back through EventLoop.Execute. What runs on a connection is a Handler (handler.go); the
// reactor knows nothing of FTP beyond the 421 it sends a client that floods it.
package reactor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/fastftp/fastftp/proto"
)

// Config tunes a Reactor. Zero values pick the defaults.
type Config struct {
	// Loops is the number of event loops; 0 means DefaultLoops().
	Loops int
	// MaxInbound is how many unprocessed input bytes a connection may buffer (pipelined or
	// flooded while a command is in flight) before it is cut off. Default 64 KiB.
	MaxInbound int
	// MaxOutbound is how many reply bytes may wait for a client that does not read before
	// it is cut off. gnet's outbound buffer has no bound of its own. Default 256 KiB.
	MaxOutbound int
	// Log receives the reactor's and gnet's messages. Nil means slog.Default().
	Log *slog.Logger
	// Closed, if set, runs once for every handler given to Adopt or ServeTLS, after its
	// connection is gone (after Handler.Closed when the handler was started). One function
	// for all connections: a closure per connection would cost memory per idle session.
	// It runs on the connection's owner: it must not block.
	Closed func(Handler)
	// TLS is the server's TLS configuration for AUTH TLS and ServeTLS; nil refuses both.
	// Each connection gets a clone whose session tickets carry its own stamp.
	TLS *tls.Config
	// TLSHandshakeTimeout bounds the control connection's handshake (a stalled client
	// holds a parked goroutine and no CPU). Default 10 s.
	TLSHandshakeTimeout time.Duration
}

// DefaultLoops is the number of event loops Start runs when Config.Loops is 0: one per two
// of the process's processors (GOMAXPROCS), at least one.
//
// Why not one per CPU (gnet's default): a loop sleeps in epoll_wait, a blocking system
// call that keeps its processor (P), and wakes once per batch of ready connections. With as
// many loops as Ps, every P is held by a sleeping loop, so the runtime keeps taking Ps back
// (sysmon, polling every 20 µs, was 13% of fastftpd's CPU), and the connections spread over
// more loops that each wake for fewer events. On 2 CPUs, ftpbench login -n 10 against
// fastftpd (server CPU per session, medians of 6 rounds, order rotated, the raw goroutine
// server beside it): 2 loops 121.5 and 143.4 µs, 1 loop 93.3 and 98.4 µs (raw 81.3 and
// 82.6), with half the context switches per session (perf stat: 6.0 -> 3.3; raw 2.7). NOOP
// round trips of 2,000 idle sessions beside 8 RETR and 32 login loops did not get worse
// (6 rounds each: p50 0.48 -> 0.32 ms, p99 14.4 -> 15.2 ms, both within the noise).
func DefaultLoops() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// Reactor is a set of gnet event loops hosting connections. Its methods are safe from any
// goroutine.
type Reactor struct {
	cli *gnet.Client
	h   *handler
	// enroll serializes Adopt: gnet's round-robin choice of a loop is not goroutine-safe,
	// and connections arrive from several goroutines (listeners, PROXY header readers).
	enroll sync.Mutex
}

// ErrStopped is returned by Adopt after Stop.
var ErrStopped = errors.New("reactor: stopped")

// Start launches the event loops.
func Start(cfg Config) (*Reactor, error) {
	if cfg.MaxInbound <= 0 {
		cfg.MaxInbound = 64 << 10
	}
	if cfg.MaxInbound < proto.MaxLine {
		cfg.MaxInbound = proto.MaxLine
	}
	if cfg.MaxOutbound <= 0 {
		cfg.MaxOutbound = 256 << 10
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.TLSHandshakeTimeout <= 0 {
		cfg.TLSHandshakeTimeout = 10 * time.Second
	}
	if cfg.Closed == nil {
		cfg.Closed = func(Handler) {}
	}
	h := &handler{cfg: cfg}
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		// Go already set TCP_NODELAY on the accepted socket that gnet duplicates; asking
		// gnet for it again would cost one more setsockopt per connection.
		gnet.WithTCPNoDelay(gnet.TCPDelay),
		gnet.WithLogger(gnetLogger{cfg.Log}),
	}
	if cfg.Loops <= 0 {
		cfg.Loops = DefaultLoops()
	}
	opts = append(opts, gnet.WithNumEventLoop(cfg.Loops))
	cli, err := gnet.NewClient(h, opts...)
	if err != nil {
		return nil, fmt.Errorf("reactor: create gnet client: %w", err)
	}
	if err := cli.Start(); err != nil {
		return nil, fmt.Errorf("reactor: start event loops: %w", err)
	}
	return &Reactor{cli: cli, h: h}, nil
}

// Adopt moves an accepted TCP connection onto an event loop, where h starts (greeting
// included). c is closed by Adopt in every case (gnet keeps a duplicate of its descriptor).
// Config.Closed runs on the loop once the connection is gone; on error it is not called.
func (r *Reactor) Adopt(c net.Conn, h Handler) error {
	cs := &conn{h: h}
	r.enroll.Lock()
	_, err := r.cli.EnrollContext(c, cs)
	r.enroll.Unlock()
	return err
}

// Stop closes every connection on the event loops and ends them. Connections already on
// TLS goroutines are not affected: close them through their handlers.
func (r *Reactor) Stop() error { return r.cli.Stop() }

type handler struct {
	gnet.BuiltinEventEngine
	cfg   Config
	loops sync.Map // gnet.EventLoop -> *loopState
}

// loopState is owned by one event loop: the reply buffer its connections append to, and
// what every connection would otherwise carry itself (memory per idle session matters).
type loopState struct {
	out []byte
	h   *handler
	el  gnet.EventLoop
}

func (h *handler) loopOf(el gnet.EventLoop) *loopState {
	if v, ok := h.loops.Load(el); ok {
		return v.(*loopState)
	}
	v, _ := h.loops.LoadOrStore(el, &loopState{out: make([]byte, 0, 4096), h: h, el: el})
	return v.(*loopState)
}

// conn is a connection's transport on an event loop. All fields are owned by that loop.
type conn struct {
	c    gnet.Conn
	loop *loopState
	h    Handler
	ending
	gone       bool // OnClose ran: Posts are dropped
	startTLS   bool // StartTLS was called: hand the socket to TLS once the 234 is written
	handedOver bool // the connection lives on in a TLS goroutine
}

// connOf is the one typed accessor of gnet's per-connection context.
func connOf(c gnet.Conn) *conn { return c.Context().(*conn) }

func (h *handler) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	cs := connOf(c)
	cs.c = c
	cs.loop = h.loopOf(c.EventLoop())
	cs.h.Start(cs)
	return nil, cs.flush()
}

func (h *handler) OnTraffic(c gnet.Conn) gnet.Action {
	return connOf(c).pump()
}

func (h *handler) OnClose(c gnet.Conn, err error) gnet.Action {
	cs := connOf(c)
	cs.gone = true
	if cs.handedOver {
		return gnet.None
	}
	reason := cs.reason
	switch {
	case cs.closing:
	case err == nil: // not asked for by the handler or a limit: the engine is stopping
		reason = ReasonServerShutdown
	default:
		reason = readEndReason(err)
	}
	cs.h.Closed(reason)
	h.cfg.Closed(cs.h)
	return gnet.None
}

// pump feeds buffered input to the handler and flushes its replies.
func (cs *conn) pump() gnet.Action {
	if !cs.closing && cs.c.InboundBuffered() > 0 {
		if buf, _ := cs.c.Peek(-1); len(buf) > 0 {
			if n := feed(cs.h, &cs.ending, buf, &cs.loop.out, &cs.loop.h.cfg); n > 0 {
				_, _ = cs.c.Discard(n)
			}
		}
	}
	return cs.flush()
}

// flush writes the loop's reply buffer to this connection and enforces the output bound.
func (cs *conn) flush() gnet.Action {
	if out := cs.loop.out; len(out) > 0 {
		cs.h.ObserveReplies(out)
		_, _ = cs.c.Write(out)
		cs.loop.out = out[:0]
	}
	if cs.closing {
		return gnet.Close
	}
	if cs.startTLS {
		return cs.handOverTLS()
	}
	if cfg := &cs.loop.h.cfg; cs.c.OutboundBuffered() > cfg.MaxOutbound {
		cfg.Log.Warn("client does not read its replies; closing", "remote", cs.h.Remote(), "buffered", cs.c.OutboundBuffered(), "max", cfg.MaxOutbound)
		cs.close(ReasonOutputLimit)
		return gnet.Close
	}
	return gnet.None
}

// handOverTLS gives a duplicate of the socket, with the input already buffered behind
// the command that asked for TLS (StartTLS, starttls_unix.go), to the TLS side (upgrade)
// and closes gnet's copy. Closing a duplicate sends no FIN: the connection stays open on
// the other descriptor.
func (cs *conn) handOverTLS() gnet.Action {
	var pending []byte
	if buf, _ := cs.c.Peek(-1); len(buf) > 0 {
		pending = append([]byte(nil), buf...)
		_, _ = cs.c.Discard(len(buf))
	}
	fd, err := cs.c.Dup()
	if err != nil {
		cs.loop.h.cfg.Log.Warn("AUTH TLS: cannot duplicate the socket", "remote", cs.h.Remote(), "err", err)
		cs.close(ReasonIOError)
		return gnet.Close
	}
	cs.handedOver = true
	go cs.loop.h.upgrade(fd, pending, cs.h)
	return gnet.Close
}

// Out implements Transport.
func (cs *conn) Out() *[]byte { return &cs.loop.out }

// Close implements Transport: replies are flushed, then the connection closes.
func (cs *conn) Close(reason CloseReason) { cs.close(reason) }

// Post implements Transport. Safe from any goroutine.
func (cs *conn) Post(fn func()) {
	el := cs.loop.el
	_ = el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		if cs.gone {
			return nil
		}
		fn()
		if cs.pump() == gnet.Close {
			_ = el.Close(cs.c)
		}
		return nil
	}))
}

// gnetLogger routes gnet's messages into slog.
type gnetLogger struct{ l *slog.Logger }

func (g gnetLogger) Debugf(f string, a ...any) { g.l.Debug("gnet: " + fmt.Sprintf(f, a...)) }
func (g gnetLogger) Infof(f string, a ...any)  { g.l.Debug("gnet: " + fmt.Sprintf(f, a...)) }
func (g gnetLogger) Warnf(f string, a ...any)  { g.l.Warn("gnet: " + fmt.Sprintf(f, a...)) }
func (g gnetLogger) Errorf(f string, a ...any) { g.l.Error("gnet: " + fmt.Sprintf(f, a...)) }
func (g gnetLogger) Fatalf(f string, a ...any) { g.l.Error("gnet: " + fmt.Sprintf(f, a...)) }
