//go:build linux

// One event loop: epoll set, eventfd inbox, run queue, timers and the bounded iteration.

package dataloop

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Message kinds posted to a loop from other goroutines.
const (
	msgSubmit = iota // a new job
	msgCancel        // Handle.Cancel
	msgRADone        // a readahead worker finished with a job
	msgWRDone        // a write worker finished with a job
	msgStop          // Engine.Close
)

type msg struct {
	kind int
	j    *job
}

// loop is one event loop. Everything but the inbox (mu, inbox, closed, woken) and live is
// owned by the loop goroutine.
type loop struct {
	e    *Engine
	id   int
	epfd int
	// epf wraps epfd so Go's netpoller can watch it: an epoll fd is readable when its own
	// set has events, so an idle loop parks like a goroutine reading a net.Conn (no P, no
	// thread held) instead of sitting in a blocking epoll_wait, which would hold its P until
	// sysmon takes it back (up to 10 ms later). epf owns epfd.
	epf  *os.File
	rc   syscall.RawConn
	evfd int

	mu     sync.Mutex
	inbox  []msg
	closed bool // no new jobs
	exited bool // the loop goroutine is gone: post drops everything
	woken  atomic.Bool
	live   atomic.Int32 // jobs submitted to this loop and not finished (placement)

	spare    []msg
	events   []unix.EpollEvent
	nev      int
	waitFn   func(uintptr) bool
	yieldFn  func(uintptr) bool
	kick     bool           // yield: the next yieldOnce writes the eventfd
	jobs     map[int32]*job // by socket fd
	runq     ring
	timers   timerHeap
	busy     int // jobs held by a readahead or write worker
	stopping bool
	nextTick int64
	stats    counters
	iov      [1]unix.Iovec
	probeBuf [1]byte
}

func newLoop(e *Engine, id int) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	l := &loop{e: e, id: id, epfd: epfd, evfd: -1, jobs: make(map[int32]*job),
		events: make([]unix.EpollEvent, 256)}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	l.epf = os.NewFile(uintptr(epfd), fmt.Sprintf("dataloop-epoll-%d", id))
	if l.rc, err = l.epf.SyscallConn(); err != nil {
		l.epf.Close()
		return nil, err
	}
	if l.evfd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		l.epf.Close()
		return nil, os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(l.evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, l.evfd, &ev); err != nil {
		l.destroy()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	l.waitFn, l.yieldFn = l.pollOnce, l.yieldOnce
	l.iov[0].Base = &l.probeBuf[0]
	l.iov[0].SetLen(1)
	return l, nil
}

// destroy closes the loop's own descriptors (after run has returned, or if it never ran).
func (l *loop) destroy() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exited = true
	if l.evfd >= 0 {
		unix.Close(l.evfd)
		l.evfd = -1
	}
	l.epf.Close()
}

// post queues m for the loop and wakes it through the eventfd (one write per batch: woken
// stays set until the loop drains the inbox). It returns false, posting nothing, if the
// loop is closed to new jobs (cancels and readahead results are accepted until the loop
// exits, and dropped after: then there is nothing left to cancel). The eventfd write is
// done under mu so that it can never hit a descriptor closed (and reused) by an exiting
// loop. Safe from any goroutine.
func (l *loop) post(m msg) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.exited || (l.closed && m.kind == msgSubmit) {
		return false
	}
	l.inbox = append(l.inbox, m)
	if l.woken.CompareAndSwap(false, true) {
		var one = [8]byte{1}
		_, _ = unix.Write(l.evfd, one[:]) // EAGAIN only if the counter is full: still readable
	}
	return true
}

// stop closes the loop to new jobs and asks it to fail the running ones and exit.
func (l *loop) stop() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.post(msg{kind: msgStop})
}

// now is the loop clock (engine nanos) and the wall-clock time for Pacers.
func (l *loop) now() (int64, time.Time) {
	t := time.Now()
	return l.e.nanos(t), t
}

// run is the loop goroutine.
func (l *loop) run() {
	defer l.e.wg.Done()
	if l.e.cfg.LockOSThread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	defer l.destroy()
	for {
		// Exit once stopped and nothing is left, not even a finished job in the run queue
		// or a worker that will post back.
		if l.stopping && len(l.jobs) == 0 && l.busy == 0 {
			return
		}
		now, _ := l.now()
		if l.nev == 0 { // yield may have collected events already
			if l.runq.len() == 0 {
				l.park(now)
			} else {
				l.pollOnce(0)
			}
		}
		l.handleEvents()
		now, wall := l.now()
		l.fireTimers(now)
		if now >= l.nextTick {
			l.sweep(now)
			l.nextTick = now + int64(l.e.cfg.StallTick)
		}
		if l.runq.len() > 0 {
			l.stats.iterations.Add(1)
			l.runBatch(now, wall)
			// Bounded work done: let any runnable goroutine (a gnet control loop) have this
			// P before the next batch.
			if l.e.cfg.gosched {
				runtime.Gosched()
			} else {
				l.yield(now)
			}
		}
	}
}

// pollOnce collects ready events without blocking; as a RawConn.Read callback it returns
// false when there are none, which parks the goroutine in the netpoller until epfd is
// readable.
func (l *loop) pollOnce(uintptr) bool {
	for {
		n, err := unix.EpollWait(l.epfd, l.events, 0)
		if err == unix.EINTR {
			continue
		}
		l.nev = max(n, 0)
		return n > 0
	}
}

// yield gives the P away between two batches *through Go's netpoller*. runtime.Gosched
// is not enough: it puts the loop on the global run queue, where the scheduler finds it
// before it ever polls the network (a P polls only when its queues are empty), so while
// the loops are busy goroutines woken by the network (a TLS control session, the
// acceptor) waited for sysmon's poll, every 10 ms at best: a NOOP round trip over Go's
// netpoller measured p99 20-45 ms with Gosched. Here the loop parks on its epoll fd
// after making it readable (an eventfd write, after Read has reset the poll state, so
// the edge cannot be lost); the P runs whatever is queued, then polls the network, which
// readies this loop and every other goroutine whose socket is ready. A deadline 1 ms
// ahead bounds the yield should the edge be consumed early. Events found on wake-up are
// left in l.nev for the next iteration.
func (l *loop) yield(now int64) {
	l.kick = true
	_ = l.epf.SetReadDeadline(l.e.base.Add(time.Duration(now) + time.Millisecond))
	l.nev = 0
	if err := l.rc.Read(l.yieldFn); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		runtime.Gosched() // not in the netpoller (see park)
	}
}

// yieldOnce is yield's RawConn.Read callback: the first call kicks the eventfd and asks
// to wait; later calls collect events.
func (l *loop) yieldOnce(fd uintptr) bool {
	if l.kick {
		l.kick = false
		var one = [8]byte{1}
		_, _ = unix.Write(l.evfd, one[:])
		return false
	}
	return l.pollOnce(fd)
}

// park waits in Go's netpoller for an event, or until the next timer or stall check.
func (l *loop) park(now int64) {
	var deadline time.Time
	due := int64(-1)
	if t := l.timers.peek(); t != nil {
		due = t.due
	}
	if len(l.jobs) > 0 && (due < 0 || l.nextTick < due) {
		due = l.nextTick
	}
	if due >= 0 {
		deadline = l.e.base.Add(time.Duration(max(due, now)))
	}
	l.stats.parks.Add(1)
	_ = l.epf.SetReadDeadline(deadline)
	l.nev = 0
	// On a deadline Read returns os.ErrDeadlineExceeded with nev == 0: timers are due.
	err := l.rc.Read(l.waitFn)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		// epf is not in the netpoller (never seen on Linux): block in epoll_wait rather than
		// spin, at the cost of holding the P until sysmon retakes it.
		ms := -1
		if due >= 0 {
			ms = int((max(due-now, 0) + int64(time.Millisecond) - 1) / int64(time.Millisecond))
		}
		n, _ := unix.EpollWait(l.epfd, l.events, ms)
		l.nev = max(n, 0)
	}
}

// handleEvents dispatches the events collected by park or pollOnce.
func (l *loop) handleEvents() {
	for i := 0; i < l.nev; i++ {
		ev := &l.events[i]
		if ev.Fd == int32(l.evfd) {
			l.drainInbox()
			continue
		}
		x := l.jobs[ev.Fd]
		if x == nil || x.finished {
			continue
		}
		// Readable, writable, an error or a hang-up: the next syscall tells which.
		x.ready = true
		l.enqueue(x)
	}
	l.nev = 0
}

// drainInbox takes the posted messages and acts on them.
func (l *loop) drainInbox() {
	var b [8]byte
	_, _ = unix.Read(l.evfd, b[:])
	// Clear woken before taking the inbox: a post after this point writes the eventfd
	// again, and a post before it is already in the inbox we take.
	l.woken.Store(false)
	l.mu.Lock()
	in := l.inbox
	l.inbox = l.spare[:0]
	l.mu.Unlock()
	now, _ := l.now()
	for i := range in {
		m := in[i]
		in[i] = msg{}
		switch m.kind {
		case msgSubmit:
			l.add(m.j, now)
		case msgCancel:
			if !m.j.finished && m.j.l == l && m.j.sock >= 0 {
				l.finish(m.j, m.j.fail(ErrCanceled))
			}
		case msgRADone:
			l.raDone(m.j, now)
		case msgWRDone:
			l.wrDone(m.j, now)
		case msgStop:
			l.stopping = true
			for _, x := range l.jobs {
				l.finish(x, x.fail(ErrClosed))
			}
		}
	}
	l.spare = in[:0]
}

// add registers a new job's socket, edge-triggered, and queues it: edge-triggered because
// the socket then stays registered, untouched, for the job's whole life (parking on a timer
// or a readahead needs no epoll_ctl), and the run queue, not epoll, decides who goes next.
func (l *loop) add(x *job, now int64) {
	if l.stopping {
		l.jobs[int32(x.sock)] = x // finish needs it there
		l.finish(x, x.fail(ErrClosed))
		return
	}
	events := uint32(unix.EPOLLOUT | unix.EPOLLET)
	if x.upload {
		events = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET
	}
	l.jobs[int32(x.sock)] = x
	ev := unix.EpollEvent{Events: events, Fd: int32(x.sock)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, x.sock, &ev); err != nil {
		l.finish(x, x.fail(os.NewSyscallError("epoll_ctl", err)))
		return
	}
	x.lastMove = now
	x.ready = true // try at once; EAGAIN will clear it
	l.enqueue(x)
}

func (l *loop) enqueue(x *job) {
	if x.runnable() {
		x.queued = true
		l.runq.push(x)
	}
}

// fireTimers resumes jobs whose Pacer wait is over.
func (l *loop) fireTimers(now int64) {
	for {
		x := l.timers.peek()
		if x == nil || x.due > now {
			return
		}
		l.timers.remove(x)
		x.lastMove = now // the wait does not count towards the stall
		l.enqueue(x)
	}
}

// sweep fails transfers that moved no byte for their Stall. Parked jobs are skipped: their
// clock restarts when they resume.
func (l *loop) sweep(now int64) {
	for _, x := range l.jobs {
		if x.stall > 0 && x.timerIdx < 0 && !x.busy && now-x.lastMove > int64(x.stall) {
			l.finish(x, x.fail(ErrStalled))
		}
	}
}

// runBatch gives each job queued at its start one step, until IterBytes are spent; a job
// that can go on goes to the back of the queue. That bounds the work per iteration and
// serves ready transfers round-robin.
func (l *loop) runBatch(now int64, wall time.Time) {
	budget := l.e.cfg.IterBytes
	for n := l.runq.len(); n > 0 && budget > 0; n-- {
		x := l.runq.pop()
		x.queued = false
		if x.finished {
			continue
		}
		var moved int
		if x.upload {
			moved = l.stepRecv(x, now, wall)
		} else {
			moved = l.stepSend(x, now, wall)
		}
		budget -= moved
		l.stats.bytes.Add(int64(moved))
		l.enqueue(x) // no-op unless still ready and not parked or finished
	}
}

// parkFor puts x on the timer heap for d.
func (l *loop) parkFor(x *job, now int64, d time.Duration) {
	l.timers.push(x, now+int64(d))
}

// finish ends x: unregisters and closes its descriptors, publishes the result and runs the
// callback (on this goroutine).
func (l *loop) finish(x *job, err error) {
	if x.finished {
		return
	}
	if x.busy && x.upload {
		// A write worker is moving this job's pipe into its file: end once it reports
		// back (wrDone), so that no byte reaches the file after the result is out and the
		// worker's descriptors stay open. The first reason given is the one reported.
		if !x.ending {
			x.ending, x.endErr = true, err
		}
		return
	}
	x.finished = true
	if x.timerIdx >= 0 {
		l.timers.remove(x)
	}
	delete(l.jobs, int32(x.sock))
	// Closing our duplicate (the only descriptor left) would drop the registration too;
	// deleting first keeps that true even if someone else still holds a duplicate.
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, x.sock, nil)
	x.closeFDs()
	l.live.Add(-1)
	x.h.res = Result{Bytes: x.moved, Err: err}
	close(x.h.done)
	if x.cb != nil {
		x.cb(x.h.res)
	}
}

// ring is a FIFO of jobs (the run queue), grown by doubling.
type ring struct {
	buf        []*job
	head, size int
}

func (r *ring) len() int { return r.size }

func (r *ring) push(x *job) {
	if r.size == len(r.buf) {
		nb := make([]*job, max(2*len(r.buf), 64))
		for i := 0; i < r.size; i++ {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = x
	r.size++
}

func (r *ring) pop() *job {
	x := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return x
}
