//go:build linux

// Upload step: pace, one non-blocking splice(2) socket→pipe, then pipe→file.

package dataloop

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// stepRecv moves at most one chunk from x's socket into its file and returns the bytes
// that reached the file. The socket side never blocks (SPLICE_F_NONBLOCK, O_NONBLOCK).
// The file side, an ordinary write into the page cache that can block under writeback
// pressure (no readiness API exists for regular files), goes to the write pool
// (write.go); the loop writes it itself only when the pool is off or its queue is full.
func (l *loop) stepRecv(x *job, now int64, wall time.Time) int {
	if x.piped > 0 {
		// A previous step left bytes in the pipe (a short file write): flush them first.
		return l.drainPipe(x, now)
	}
	want := l.grant(x, x.chunk, now, wall)
	if want <= 0 {
		return 0
	}
	n, err := unix.Splice(x.sock, nil, x.pipe[1], nil, want, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	l.stats.syscalls.Add(1)
	switch {
	case err == unix.EAGAIN:
		l.stats.eagain.Add(1)
		// The socket is empty (or, never here, the pipe full): wait for the next EPOLLIN.
		x.ready = false
		return 0
	case err == unix.EINTR:
		return 0
	case err != nil:
		// Socket to pipe: whatever failed, it was the data connection.
		l.finish(x, x.fail(fmt.Errorf("%w: %w", ErrConn, os.NewSyscallError("splice", err))))
		return 0
	case n == 0:
		l.finish(x, nil) // the peer closed: end of file
		return 0
	}
	x.piped = int(n)
	if l.writeBehind(x) {
		return 0 // the bytes count when the worker has written them (wrDone)
	}
	return l.drainPipe(x, now)
}

// drainPipe moves the pipe's bytes into the file at x.off.
func (l *loop) drainPipe(x *job, now int64) int {
	moved := 0
	for x.piped > 0 {
		n, err := unix.Splice(x.pipe[0], nil, x.file, &x.off, x.piped, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		l.stats.syscalls.Add(1)
		if n > 0 {
			x.piped -= int(n)
			moved += int(n)
			x.account(int(n), now)
		}
		switch {
		case err == unix.EINTR || (err == nil && n > 0):
		case err == unix.EAGAIN:
			return moved // retried on the next step (x stays ready)
		case err != nil:
			// Pipe to file: the file's side (ENOSPC, EDQUOT, EIO).
			l.finish(x, x.fail(os.NewSyscallError("splice", err)))
			return moved
		default: // n == 0 without error: cannot happen with bytes in the pipe
			l.finish(x, x.fail(os.NewSyscallError("splice", unix.EIO)))
			return moved
		}
	}
	return moved
}
