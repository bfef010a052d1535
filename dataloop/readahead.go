//go:build linux

// The readahead pool: a few goroutines that read page-cache misses so no loop blocks on disk.

package dataloop

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// raAhead is how many chunks beyond the missed one a worker asks the kernel to read ahead
// asynchronously (posix_fadvise WILLNEED), so a cold sequential file misses about once
// per raAhead+1 chunks rather than once per chunk.
const raAhead = 8

type raReq struct {
	j   *job
	off int64
	n   int
}

// raPool is a bounded pool with a bounded queue: a burst of misses never creates threads
// beyond Workers (each blocked read holds one OS thread) nor unbounded memory.
type raPool struct {
	reqs   chan raReq
	wg     sync.WaitGroup
	misses atomic.Int64 // chunks read by workers (tests and Stats)
}

func newRAPool(workers, queue, chunk int) *raPool {
	p := &raPool{reqs: make(chan raReq, queue)}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go p.work(chunk)
	}
	return p
}

// submit queues r without blocking; false when the queue is full. Loop goroutines only.
func (p *raPool) submit(r raReq) bool {
	select {
	case p.reqs <- r:
		return true
	default:
		return false
	}
}

// work reads each missed chunk with a blocking pread (which brings it into the page cache;
// the bytes are thrown away, sendfile sends them from the cache), hints the following
// chunks, and reports back to the job's loop. The job's file stays open while raBusy.
func (p *raPool) work(chunk int) {
	defer p.wg.Done()
	buf := make([]byte, chunk)
	for r := range p.reqs {
		x := r.j
		for done := 0; done < r.n; {
			n, err := unix.Pread(x.file, buf[:min(len(buf), r.n-done)], r.off+int64(done))
			if n <= 0 || err != nil {
				break // sendfile will meet and report the same error
			}
			done += n
		}
		_ = unix.Fadvise(x.file, r.off+int64(r.n), int64(raAhead*r.n), unix.FADV_WILLNEED)
		p.misses.Add(1)
		x.cachedTo = r.off + int64(r.n) // read by the loop after msgRADone (happens-after)
		x.l.post(msg{kind: msgRADone, j: x})
	}
}

// close stops the workers once every loop has exited (no more submits) and waits.
func (p *raPool) close() {
	close(p.reqs)
	p.wg.Wait()
}
