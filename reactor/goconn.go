// The goroutine transport: runs a handler over a net.Conn (TLS) on one goroutine plus a
// reader. TLS connections cost a goroutine and buffers each; plaintext ones stay on the
// event loops.

package reactor

import (
	"net"
	"sync"
	"time"
)

// writeTimeout bounds a reply write to a client that does not read.
const writeTimeout = 30 * time.Second

// goConn implements Transport for a handler owned by a goroutine (serveGo's).
type goConn struct {
	c   net.Conn
	h   Handler
	cfg *Config
	out []byte
	in  []byte
	ending

	mu    sync.Mutex
	posts []func()
	done  bool
	wake  chan struct{}
}

// Out implements Transport.
func (g *goConn) Out() *[]byte { return &g.out }

// Close implements Transport.
func (g *goConn) Close(reason CloseReason) { g.close(reason) }

// Post implements Transport. Safe from any goroutine; never blocks.
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

// serveGo runs h over c on the calling goroutine until the connection ends, then closes c
// and calls h.Closed and cfg.Closed. start attaches h to its transport (Resume after a
// TLS handshake).
func serveGo(c net.Conn, h Handler, start func(Transport), cfg *Config) {
	g := &goConn{c: c, h: h, cfg: cfg, wake: make(chan struct{}, 1)}
	data := make(chan []byte)
	stop := make(chan struct{})
	var readErr error // written by the reader before it closes data
	defer func() {
		close(stop)
		c.Close()
		g.mu.Lock()
		g.done = true
		g.posts = nil
		g.mu.Unlock()
		h.Closed(g.reason)
		cfg.Closed(h)
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
				readErr = err
				return
			}
		}
	}()
	start(g)
	for {
		if n := feed(h, &g.ending, g.in, &g.out, cfg); n > 0 {
			g.in = g.in[:copy(g.in, g.in[n:])]
		}
		if err := g.flush(); err != nil {
			g.close(writeEndReason(err))
		}
		if g.closing {
			return
		}
		select {
		case b, ok := <-data:
			if !ok {
				g.close(readEndReason(readErr))
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

// flush writes pending replies.
func (g *goConn) flush() error {
	if len(g.out) == 0 {
		return nil
	}
	g.h.ObserveReplies(g.out)
	_ = g.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := g.c.Write(g.out)
	g.out = g.out[:0]
	return err
}
