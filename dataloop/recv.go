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

// drainPipe moves the pipe's bytes into the file at x.off, on the loop.
func (l *loop) drainPipe(x *job, now int64) int {
	moved, calls, err := writePipe(x, unix.SPLICE_F_NONBLOCK)
	l.stats.syscalls.Add(int64(calls))
	if moved > 0 {
		x.account(moved, now)
	}
	if err != nil && err != unix.EAGAIN { // EAGAIN: retried on the next step (x stays ready)
		// Pipe to file: the file's side (ENOSPC, EDQUOT, EIO).
		l.finish(x, x.fail(err))
	}
	return moved
}

// writePipe splices x's piped bytes into its file at x.off until the pipe is empty, the
// file's side fails, or, with SPLICE_F_NONBLOCK in flags, it would block. It touches only
// x.pipe[0], x.file, x.off and x.piped, so the loop (drainPipe) and a write worker
// (write.go) share it. err is nil, unix.EAGAIN or the file side's *os.SyscallError.
func writePipe(x *job, flags int) (moved, calls int, err error) {
	for x.piped > 0 {
		n, e := unix.Splice(x.pipe[0], nil, x.file, &x.off, x.piped, unix.SPLICE_F_MOVE|flags)
		calls++
		if n > 0 {
			x.piped -= int(n)
			moved += int(n)
		}
		switch {
		case e == unix.EINTR || (e == nil && n > 0):
		case e == unix.EAGAIN:
			return moved, calls, e
		case e == nil: // n == 0 with bytes in the pipe: cannot happen
			return moved, calls, os.NewSyscallError("splice", unix.EIO)
		default:
			return moved, calls, os.NewSyscallError("splice", e)
		}
	}
	return moved, calls, nil
}
