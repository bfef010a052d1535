//go:build linux

// Engine: configuration, the set of loops, job placement and shutdown.

package dataloop

import (
	"runtime"
	"sync"
	"time"
)

// Defaults for Config fields left zero.
const (
	// DefaultChunk is the bytes per sendfile(2) call. On a loop, unlike on a goroutine per
	// transfer, bigger calls measured better (README.md, 5 alternating rounds of 300×10 MiB):
	// server+client CPU per op 1289 ms at 64 KiB, 971 at 256 KiB, 901 at 1 MiB; one 256 MiB
	// stream 0.15 s at 64 KiB, 0.11 s at 256 KiB and 1 MiB. 256 KiB takes most of the gain
	// at a quarter of 1 MiB's time per call, which is what bounds a loop's iteration.
	DefaultChunk = 256 << 10
	// DefaultUploadChunk is the bytes per socket→pipe splice(2): splice only beat a user
	// copy at 1 MiB per call and above (session/transfer.go's uploadChunk).
	DefaultUploadChunk = 1 << 20
	// DefaultIterBytes bounds the bytes one loop moves between two looks at its epoll set
	// and a yield of the P: one download chunk, about 75 us of sendfile on loopback, so a
	// control goroutine waiting for a P waits about that long. Measured against 1 MiB
	// (ARCHITECTURE.md, "The data plane"; 4 alternated rounds each, 2 loops, unpinned):
	// NOOP p50/p99 of 2,000 idle sessions beside 8 RETR and 32 login loops 0.36/5.7 ms
	// against 0.66/9.2 ms, 300x10 MiB RETR 1.32 s against 1.35 s at the same machine CPU
	// per GiB, 300x10 MiB STOR no slower.
	DefaultIterBytes = 256 << 10
	// DefaultStallTick is how often a loop looks for stalled transfers: a stall is reported
	// between Stall and Stall+StallTick after the last byte moved.
	DefaultStallTick = 100 * time.Millisecond
	// DefaultWorkers is the size of the readahead pool that takes page-cache misses off the
	// loops; DefaultQueue bounds its queue.
	DefaultWorkers = 4
	DefaultQueue   = 1024
)

// Config tunes an Engine. The zero value means all defaults.
type Config struct {
	// Loops is the number of event loops; 0 means GOMAXPROCS (at least 1).
	Loops int
	// Chunk is the bytes per sendfile call (downloads); 0 means DefaultChunk.
	Chunk int
	// UploadChunk is the bytes per splice call (uploads); 0 means DefaultUploadChunk.
	UploadChunk int
	// IterBytes bounds the bytes moved per loop iteration; 0 means DefaultIterBytes. At
	// least one chunk moves per iteration whatever its value.
	IterBytes int
	// StallTick is the stall-check period; 0 means DefaultStallTick.
	StallTick time.Duration
	// Workers and Queue size the readahead pool; 0 means the defaults.
	Workers, Queue int
	// Writers, if > 0, starts a pool of that many goroutines that copy uploads into their
	// files beside the loops (write.go) whenever a loop has other transfers waiting. 0 (the
	// default): each loop writes its uploads itself. The pool moved 300 concurrent uploads
	// 9-13% faster and made the control plane's scheduling delay p99 during them about 5 ms
	// instead of under 1 ms (BENCHMARKS.md, "Uploads beside the loops"): a choice for
	// servers that mostly receive.
	Writers int
	// LockOSThread pins each loop goroutine to an OS thread. Off by default: a loop parks in
	// Go's netpoller when idle, and a locked goroutine's park costs a thread hand-off.
	LockOSThread bool
	// NotSentLowat, if > 0, sets TCP_NOTSENT_LOWAT on download sockets at Submit: EPOLLOUT
	// then fires only when the unsent queue is below it, so fewer bytes sit queued per
	// socket. fastftpd does not use it: it sets the option itself right after accept
	// (transfer.Send), which measured faster (300 concurrent RETRs 0.69 s against 0.98 s with
	// this field; BENCHMARKS.md, "The data plane: defaults").
	NotSentLowat int

	// gosched (tests, benchmarks) yields with runtime.Gosched instead of through the
	// netpoller, for the A/B in README.md.
	gosched bool
	// writeAlone (tests) hands a lone upload's writes to the write pool too.
	writeAlone bool
}

// Engine runs transfers on a few event loops. Create it with New; every method is safe
// from any goroutine.
type Engine struct {
	cfg   Config
	loops []*loop
	ra    *raPool
	wr    *wrPool   // nil: uploads are written by their loop
	base  time.Time // loop clocks are nanoseconds since base (monotonic)

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// New starts an engine: Loops goroutines, each with its own epoll and eventfd, and the
// readahead pool. It fails only if the kernel refuses an epoll or eventfd.
func New(cfg Config) (*Engine, error) {
	if cfg.Loops <= 0 {
		cfg.Loops = max(runtime.GOMAXPROCS(0), 1)
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = DefaultChunk
	}
	if cfg.UploadChunk <= 0 {
		cfg.UploadChunk = DefaultUploadChunk
	}
	if cfg.IterBytes <= 0 {
		cfg.IterBytes = DefaultIterBytes
	}
	if cfg.StallTick <= 0 {
		cfg.StallTick = DefaultStallTick
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	e := &Engine{cfg: cfg, base: time.Now()}
	for i := 0; i < cfg.Loops; i++ {
		l, err := newLoop(e, i)
		if err != nil {
			for _, l := range e.loops {
				l.destroy()
			}
			return nil, err
		}
		e.loops = append(e.loops, l)
	}
	e.ra = newRAPool(cfg.Workers, cfg.Queue, cfg.Chunk)
	if cfg.Writers > 0 {
		e.wr = newWRPool(cfg.Writers, cfg.Queue)
	}
	for _, l := range e.loops {
		e.wg.Add(1)
		go l.run()
	}
	return e, nil
}

// Close fails every running transfer with ErrClosed (their callbacks run), stops the loops
// and the readahead pool, and waits for them. Later Submits return ErrClosed. Idempotent;
// safe from any goroutine except a completion callback (it would wait for its own loop).
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.wg.Wait()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	for _, l := range e.loops {
		l.stop()
	}
	e.wg.Wait()
	e.ra.close()
	if e.wr != nil {
		e.wr.close()
	}
	return nil
}

// pick returns the loop with the fewest live transfers (ties: the lowest index).
func (e *Engine) pick() *loop {
	best := e.loops[0]
	for _, l := range e.loops[1:] {
		if l.live.Load() < best.live.Load() {
			best = l
		}
	}
	return best
}

// nanos is the engine's monotonic clock.
func (e *Engine) nanos(t time.Time) int64 { return int64(t.Sub(e.base)) }
