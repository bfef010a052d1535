//go:build linux

// The write pool: a few goroutines that move uploads' pipes into their files, so the
// page-cache copy (the whole cost of an upload) runs beside the loops, not on them.

package dataloop

import (
	"sync"

	"golang.org/x/sys/unix"
)

// wrHook, if set (tests only, before any engine starts), runs in the worker before it
// writes a job's pipe.
var wrHook func(*job)

// wrPool takes a job whose pipe holds x.piped bytes, splices them into its file at x.off
// (writePipe) and posts msgWRDone back to the job's loop. While a worker holds the job
// (x.busy) the worker owns x.pipe[0], x.file, x.off, x.piped and the wr fields; the loop
// reads them again after msgWRDone (the post and the inbox lock order the two).
type wrPool struct {
	reqs chan *job
	wg   sync.WaitGroup
}

func newWRPool(workers, queue int) *wrPool {
	p := &wrPool{reqs: make(chan *job, queue)}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// submit queues x without blocking; false when the queue is full. Loop goroutines only.
func (p *wrPool) submit(x *job) bool {
	select {
	case p.reqs <- x:
		return true
	default:
		return false
	}
}

func (p *wrPool) work() {
	defer p.wg.Done()
	for x := range p.reqs {
		if wrHook != nil {
			wrHook(x)
		}
		// The file's side blocks as a write(2) would (writeback, a full disk's metadata).
		x.wrMoved, x.wrCalls, x.wrErr = writePipe(x, 0)
		if x.wrErr == unix.EAGAIN {
			x.wrErr = nil // bytes left in the pipe: the next step drains them (stepRecv)
		}
		x.l.post(msg{kind: msgWRDone, j: x})
	}
}

// close stops the workers once every loop has exited (no more submits) and waits.
func (p *wrPool) close() {
	close(p.reqs)
	p.wg.Wait()
}

// writeBehind hands x's piped bytes to the write pool and parks x until a worker reports
// back (msgWRDone). It returns false, doing nothing, and the loop writes the bytes itself,
// when no other job waits in the run queue (a lone upload gains nothing from the hand-off
// and would lose its latency), when there is no pool, or when its queue is full.
func (l *loop) writeBehind(x *job) bool {
	if (l.runq.len() == 0 && !l.e.cfg.writeAlone) || l.e.wr == nil || !l.e.wr.submit(x) {
		return false
	}
	x.busy = true
	l.busy++
	l.stats.writes.Add(1)
	return true
}

// wrDone resumes x after a worker wrote its pipe: the bytes count now, a file error ends
// the transfer, and an end asked for meanwhile (ABOR, a stall, Close) happens now that
// every byte the transfer reports has reached the file.
func (l *loop) wrDone(x *job, now int64) {
	x.busy = false
	l.busy--
	l.stats.syscalls.Add(int64(x.wrCalls))
	if x.wrMoved > 0 {
		x.account(x.wrMoved, now)
		l.stats.bytes.Add(int64(x.wrMoved))
	}
	switch {
	case x.wrErr != nil:
		// Pipe to file: the file's side (ENOSPC, EDQUOT, EIO).
		x.ending = false
		l.finish(x, x.fail(x.wrErr))
	case x.ending:
		x.ending = false
		l.finish(x, x.endErr)
	default:
		l.enqueue(x)
	}
}
