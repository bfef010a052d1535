// Package reactor runs FTP control sessions on gnet v2 event loops.
//
// Connections are accepted by the caller with Go's net.Listener (an EMFILE on gnet's own
// accept shuts down the whole engine) and adopted here with EnrollContext. Each event loop
// owns its sessions: input is parsed in place from gnet's buffer, replies are appended to a
// per-loop buffer and written once per callback, and work finished elsewhere comes back
// through EventLoop.Execute.
package reactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/panjf2000/gnet/v2"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/session"
)

// Config tunes a Reactor. Zero values pick the defaults.
type Config struct {
	// Loops is the number of event loops; 0 means one per CPU.
	Loops int
	// MaxInbound is how many unprocessed input bytes a session may buffer (pipelined or
	// flooded while a command is in flight) before it is cut off. Default 64 KiB.
	MaxInbound int
	// MaxOutbound is how many reply bytes may wait for a client that does not read before
	// it is cut off. gnet's outbound buffer has no bound of its own. Default 256 KiB.
	MaxOutbound int
	// Log receives the reactor's and gnet's messages. Nil means slog.Default().
	Log *slog.Logger
	// Closed, if set, runs on the loop after a session's connection is gone (one function
	// for all sessions: a closure per connection would cost memory per idle session).
	Closed func(*session.Session)
	// Detach, if set, takes over a session whose client asked for AUTH TLS: it receives a
	// duplicate of the socket and the input bytes already buffered after the AUTH line
	// (which must go to the TLS handshake, never to the FTP parser). It runs on the loop:
	// start a goroutine for anything blocking.
	Detach func(sess *session.Session, fd int, pending []byte)
}

// Reactor is a set of gnet event loops hosting sessions. Its methods are safe from any goroutine.
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
	h := &handler{cfg: cfg}
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		// Go already set TCP_NODELAY on the accepted socket that gnet duplicates; asking
		// gnet for it again would cost one more setsockopt per connection.
		gnet.WithTCPNoDelay(gnet.TCPDelay),
		gnet.WithLogger(gnetLogger{cfg.Log}),
	}
	if cfg.Loops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(cfg.Loops))
	}
	cli, err := gnet.NewClient(h, opts...)
	if err != nil {
		return nil, fmt.Errorf("reactor: create gnet client: %w", err)
	}
	if err := cli.Start(); err != nil {
		return nil, fmt.Errorf("reactor: start event loops: %w", err)
	}
	return &Reactor{cli: cli, h: h}, nil
}

// Adopt moves an accepted TCP connection onto an event loop, where sess starts (greeting
// included). c is closed by Adopt in every case (gnet keeps a duplicate of its descriptor).
// Config.Closed runs on the loop once the connection is gone; on error it is not called.
func (r *Reactor) Adopt(c net.Conn, sess *session.Session) error {
	cs := &conn{sess: sess}
	r.enroll.Lock()
	_, err := r.cli.EnrollContext(c, cs)
	r.enroll.Unlock()
	return err
}

// Stop closes every connection and ends the event loops.
func (r *Reactor) Stop() error { return r.cli.Stop() }

type handler struct {
	gnet.BuiltinEventEngine
	cfg   Config
	loops sync.Map // gnet.EventLoop -> *loopState
}

// loopState is owned by one event loop: the reply buffer its sessions append to, and what
// every connection would otherwise carry itself (memory per idle session matters).
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

// conn is a session's transport on an event loop. All fields are owned by that loop.
type conn struct {
	c        gnet.Conn
	loop     *loopState
	sess     *session.Session
	closing  bool
	closed   bool
	detach   bool // AUTH TLS accepted: hand the socket over after flushing the 234
	detached bool // handed over: the session lives on elsewhere
}

func connOf(c gnet.Conn) *conn { return c.Context().(*conn) }

func (h *handler) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	cs := connOf(c)
	cs.c = c
	cs.loop = h.loopOf(c.EventLoop())
	cs.sess.Start(cs)
	return nil, cs.flush()
}

func (h *handler) OnTraffic(c gnet.Conn) gnet.Action {
	return connOf(c).pump()
}

func (h *handler) OnClose(c gnet.Conn, _ error) gnet.Action {
	cs := connOf(c)
	cs.closed = true
	if cs.detached {
		return gnet.None
	}
	cs.sess.Closed()
	if h.cfg.Closed != nil {
		h.cfg.Closed(cs.sess)
	}
	return gnet.None
}

// pump feeds buffered input to the session and flushes its replies.
func (cs *conn) pump() gnet.Action {
	if !cs.closing && cs.c.InboundBuffered() > 0 {
		if buf, _ := cs.c.Peek(-1); len(buf) > 0 {
			if n := cs.sess.Feed(buf); n > 0 {
				cs.c.Discard(n)
			}
		}
		if !cs.closing && cs.c.InboundBuffered() > cs.loop.h.cfg.MaxInbound {
			cs.loop.h.cfg.Log.Warn("input limit exceeded; closing", "remote", cs.sess.Remote(), "buffered", cs.c.InboundBuffered())
			o := cs.Out()
			*o = proto.AppendReply(*o, 421, "Too much input while a command is in progress.")
			cs.closing = true
		}
	}
	return cs.flush()
}

// flush writes the loop's reply buffer to this connection and enforces the output bound.
func (cs *conn) flush() gnet.Action {
	if out := cs.loop.out; len(out) > 0 {
		cs.sess.ObserveReplies(out)
		_, _ = cs.c.Write(out)
		cs.loop.out = out[:0]
	}
	if cs.closing {
		return gnet.Close
	}
	if cs.detach {
		return cs.handOver()
	}
	if cs.c.OutboundBuffered() > cs.loop.h.cfg.MaxOutbound {
		cs.loop.h.cfg.Log.Warn("client does not read its replies; closing", "remote", cs.sess.Remote(), "buffered", cs.c.OutboundBuffered())
		return gnet.Close
	}
	return gnet.None
}

// handOver duplicates the socket for the TLS side and closes gnet's copy (after
// StartTLS, starttls_unix.go). Closing a
// duplicate sends no FIN: the connection stays open on the other descriptor.
func (cs *conn) handOver() gnet.Action {
	h := cs.loop.h
	var pending []byte
	if buf, _ := cs.c.Peek(-1); len(buf) > 0 {
		pending = append([]byte(nil), buf...)
		cs.c.Discard(len(buf))
	}
	fd, err := cs.c.Dup()
	if err != nil || h.cfg.Detach == nil {
		h.cfg.Log.Warn("AUTH TLS: cannot hand the connection over", "remote", cs.sess.Remote(), "err", err)
		return gnet.Close
	}
	cs.detached = true
	h.cfg.Detach(cs.sess, fd, pending)
	return gnet.Close
}

// Out implements session.Transport.
func (cs *conn) Out() *[]byte { return &cs.loop.out }

// Close implements session.Transport: replies are flushed, then the connection closes.
func (cs *conn) Close() { cs.closing = true }

// Post implements session.Transport. Safe from any goroutine.
func (cs *conn) Post(fn func()) {
	el := cs.loop.el
	_ = el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		if cs.closed {
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
