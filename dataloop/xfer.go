//go:build linux

// job: the loop-side state of one transfer, and how it ends.

package dataloop

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// job is one transfer. The fields after l are owned by the loop goroutine (and, for file
// while busy, used by one readahead or write worker, see readahead.go and write.go); Submit
// fills them before posting the job.
type job struct {
	h           *Handle
	name        string
	upload      bool
	pacer       Pacer
	stall       time.Duration
	extProgress *atomic.Int64
	cb          func(Result)
	chunk       int
	noProbe     bool // file lives in memory: no page-cache probe

	l *loop

	sock, file int    // our duplicates; -1 once closed
	pipe       [2]int // upload only: read, write end
	piped      int    // upload: bytes in the pipe not yet in the file
	off        int64  // next file offset
	end        int64  // download: file size at Submit
	moved      int64
	credit     int   // bytes granted by the Pacer and not yet moved
	lastMove   int64 // engine nanos of the last byte moved (or of a resume)
	cachedTo   int64 // download: [.., cachedTo) was just read ahead by a worker

	ready    bool // edge-triggered: the socket has not returned EAGAIN since its last edge
	queued   bool // in the loop's run queue
	timerIdx int  // index in the loop's timer heap, -1 if not parked on a timer
	due      int64
	busy     bool // a readahead or write worker holds this job
	finished bool

	// Upload write-behind (write.go): what the worker moved and met, and an end asked for
	// while it held the job.
	wrMoved int
	wrCalls int // splice calls it made (Stats.Syscalls)
	wrErr   error
	ending  bool
	endErr  error
}

// runnable reports whether the job may be put on the run queue.
func (x *job) runnable() bool {
	return x.ready && !x.queued && x.timerIdx < 0 && !x.busy && !x.finished
}

// account records n bytes that reached the destination.
func (x *job) account(n int, now int64) {
	x.moved += int64(n)
	x.h.progress.Add(int64(n))
	if x.extProgress != nil {
		x.extProgress.Add(int64(n))
	}
	if x.pacer != nil {
		x.credit = max(x.credit-n, 0)
	}
	x.lastMove = now
}

// dir names the direction for error texts.
func (x *job) dir() string {
	if x.upload {
		return "upload"
	}
	return "download"
}

// fail wraps err with the direction, name and bytes moved.
func (x *job) fail(err error) error {
	return fmt.Errorf("dataloop: %s %s after %d bytes: %w", x.dir(), x.name, x.moved, err)
}

// closeFDs closes every descriptor the job holds, except the file while a readahead worker
// reads it (the loop closes it when the worker reports back).
func (x *job) closeFDs() {
	for _, p := range []*int{&x.sock, &x.pipe[0], &x.pipe[1]} {
		if *p >= 0 {
			_ = unix.Close(*p)
			*p = -1
		}
	}
	if x.file >= 0 && !x.busy {
		_ = unix.Close(x.file)
		x.file = -1
	}
}
