// The goroutine transport: runs a session over a net.Conn (TLS) on one goroutine plus a
// reader. TLS sessions cost a goroutine and buffers each; plaintext sessions stay on the
// event loops.

package reactor

import (
	"net"
	"sync"
	"time"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/session"
)

// writeTimeout bounds a reply write to a client that does not read.
const writeTimeout = 30 * time.Second

// goConn implements session.Transport for a session owned by a goroutine.
type goConn struct {
	c       net.Conn
	sess    *session.Session
	out     []byte
	in      []byte
	closing bool

	mu    sync.Mutex
	posts []func()
	done  bool
	wake  chan struct{}
}

func (g *goConn) Out() *[]byte { return &g.out }
func (g *goConn) Close()       { g.closing = true }

// Post implements session.Transport. Safe from any goroutine; never blocks.
func (g *goConn) Post(fn func()) {
	g.mu.Lock()
	if g.done {
		g.mu.Unlock()
		return
	}
	g.posts = append(g.posts, fn)
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// ServeConn runs sess over c on the calling goroutine until the connection ends. start
// attaches the session to its new transport (session.Resume or Start); pending holds input
// already received. cfg.Closed runs at the end. maxIn bounds buffered input as on the loops.
func ServeConn(c net.Conn, sess *session.Session, start func(session.Transport), pending []byte, cfg Config) {
	if cfg.MaxInbound <= 0 {
		cfg.MaxInbound = 64 << 10
	}
	g := &goConn{c: c, sess: sess, wake: make(chan struct{}, 1), in: pending}
	data := make(chan []byte)
	stop := make(chan struct{})
	defer func() {
		close(stop)
		c.Close()
		g.mu.Lock()
		g.done = true
		g.posts = nil
		g.mu.Unlock()
		sess.Closed()
		if cfg.Closed != nil {
			cfg.Closed(sess)
		}
	}()
	go func() {
		defer close(data)
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				select {
				case data <- append([]byte(nil), buf[:n]...):
				case <-stop:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	start(g)
	for {
		g.feed()
		if !g.flush() || g.closing {
			return
		}
		if len(g.in) > cfg.MaxInbound {
			g.out = proto.AppendReply(g.out, 421, "Too much input while a command is in progress.")
			g.flush()
			return
		}
		select {
		case b, ok := <-data:
			if !ok {
				return
			}
			g.in = append(g.in, b...)
		case <-g.wake:
			g.runPosts()
		}
	}
}

func (g *goConn) runPosts() {
	for {
		g.mu.Lock()
		posts := g.posts
		g.posts = nil
		g.mu.Unlock()
		if len(posts) == 0 {
			return
		}
		for _, fn := range posts {
			fn()
		}
	}
}

// feed gives buffered input to the session and keeps what it did not consume.
func (g *goConn) feed() {
	if g.closing || len(g.in) == 0 {
		return
	}
	n := g.sess.Feed(g.in)
	rest := copy(g.in, g.in[n:])
	g.in = g.in[:rest]
}

// flush writes pending replies; it reports false when the connection failed.
func (g *goConn) flush() bool {
	if len(g.out) == 0 {
		return true
	}
	g.sess.ObserveReplies(g.out)
	_ = g.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := g.c.Write(g.out)
	g.out = g.out[:0]
	return err == nil
}
