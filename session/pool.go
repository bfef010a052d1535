// Bounded worker pool for blocking session work (stat, open, readdir, rename, auth).

package session

import (
	"log/slog"
	"runtime/debug"
	"sync"
)

// Pool runs functions on a fixed set of goroutines fed by a bounded queue. It exists because
// every blocking syscall holds an OS thread: an unbounded pool lets a slow disk push the
// process past Go's 10,000-thread limit. Safe from any goroutine.
type Pool struct {
	// Log receives panics of jobs; nil means slog.Default().
	Log  *slog.Logger
	jobs chan func()
	wg   sync.WaitGroup
	once sync.Once
}

// NewPool starts workers goroutines with a queue of queue entries.
func NewPool(workers, queue int) *Pool {
	if workers < 1 {
		workers = 1
	}
	if queue < 1 {
		queue = 1
	}
	p := &Pool{jobs: make(chan func(), queue)}
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

func (p *Pool) work() {
	defer p.wg.Done()
	for fn := range p.jobs {
		p.run(fn)
	}
}

// run calls fn, surviving a panic: one bad job (an Authorizer, a hook, a SITE command) must
// not stop a worker, let alone the server. The panic is logged with its stack.
func (p *Pool) run(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			p.log().Error("panic in a pool job", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn()
}

func (p *Pool) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Submit queues fn without blocking. It reports false when the queue is full; the caller
// answers the client "busy" instead of stalling an event loop.
func (p *Pool) Submit(fn func()) (ok bool) {
	defer func() {
		if recover() != nil { // queue closed during shutdown
			ok = false
		}
	}()
	select {
	case p.jobs <- fn:
		return true
	default:
		return false
	}
}

// Queued returns the number of jobs waiting (for metrics).
func (p *Pool) Queued() int { return len(p.jobs) }

// Close stops accepting work and waits for queued jobs to finish.
func (p *Pool) Close() {
	p.once.Do(func() { close(p.jobs) })
	p.wg.Wait()
}
