//go:build linux

// Download step: pace, probe the page cache, one non-blocking sendfile(2) chunk.

package dataloop

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// raRetry is how long a job waits before probing again when the readahead queue is full.
const raRetry = time.Millisecond

// stepSend moves at most one chunk of x's file to its socket and returns the bytes moved.
// It leaves x ready (requeued by the caller), waiting for an EPOLLOUT edge (ready false),
// parked (timer or readahead) or finished.
func (l *loop) stepSend(x *job, now int64, wall time.Time) int {
	want := int(min(int64(x.chunk), x.end-x.off))
	if want <= 0 {
		l.finish(x, nil)
		return 0
	}
	if want = l.grant(x, want, now, wall); want <= 0 {
		return 0
	}
	if !x.noProbe && x.off >= x.cachedTo && !l.cached(x, want) {
		l.readahead(x, want, now)
		return 0
	}
	n, err := unix.Sendfile(x.sock, x.file, &x.off, want)
	l.stats.syscalls.Add(1)
	if n > 0 {
		x.account(n, now)
	}
	switch err {
	case nil:
		if n == 0 || x.off >= x.end {
			// n == 0: the file shrank under us; end the transfer as sendfile.Send does.
			l.finish(x, nil)
		}
	case unix.EAGAIN:
		l.stats.eagain.Add(1)
		x.ready = false // the next EPOLLOUT edge requeues it
	case unix.EINTR:
	default:
		l.finish(x, x.fail(syscallErr("sendfile", err)))
	}
	return max(n, 0)
}

// grant returns how many of want bytes x may move now (its remaining Pacer credit, or a
// fresh reservation). When the Pacer says wait, x is parked on the timer heap and grant
// returns 0; the reservation is kept as credit for when it resumes.
func (l *loop) grant(x *job, want int, now int64, wall time.Time) int {
	if x.pacer == nil {
		return want
	}
	if x.credit == 0 {
		g, wait := x.pacer.Reserve(wall, want)
		if g <= 0 {
			l.finish(x, x.fail(errBadGrant))
			return 0
		}
		x.credit = g
		if wait > 0 {
			l.stats.pacerParks.Add(1)
			l.parkFor(x, now, wait)
			return 0
		}
	}
	return min(want, x.credit)
}

// cached reports whether the first and last byte of the next want bytes are in the page
// cache: preadv2(RWF_NOWAIT) of one byte fails with EAGAIN instead of reading the disk.
// sendfile(2) itself has no non-blocking file side, so without this probe a cold file would
// block the loop, and every transfer on it, for a disk read. Two ends because eviction is
// oldest-first: the start of a chunk may be gone while its end is still cached. A kernel or
// file system without RWF_NOWAIT (EOPNOTSUPP) turns probing off for the job.
func (l *loop) cached(x *job, want int) bool {
	for _, at := range [2]int64{x.off, x.off + int64(want) - 1} {
		lo, hi := uintptr(at), uintptr(uint64(at)>>32>>32) // offs2lohi on 64-bit: hi is 0
		_, _, e := unix.Syscall6(unix.SYS_PREADV2, uintptr(x.file), uintptr(unsafe.Pointer(&l.iov[0])), 1, lo, hi, unix.RWF_NOWAIT)
		switch e {
		case 0:
		case unix.EAGAIN:
			return false
		default:
			x.noProbe = true // unsupported, or an error sendfile will report itself
			return true
		}
		if want == 1 {
			break
		}
	}
	return true
}

// readahead hands the chunk at x.off to the worker pool and parks x until it reports back
// (msgRADone). With the queue full, x retries the probe after raRetry instead.
func (l *loop) readahead(x *job, want int, now int64) {
	if l.e.ra.submit(raReq{j: x, off: x.off, n: want}) {
		x.busy = true
		l.busy++
		return
	}
	l.stats.raRetries.Add(1)
	l.parkFor(x, now, raRetry)
}

// raDone resumes x after its readahead; if x ended meanwhile, its file is closed now.
func (l *loop) raDone(x *job, now int64) {
	x.busy = false
	l.busy--
	if x.finished {
		x.closeFDs()
		return
	}
	x.lastMove = now // the disk read does not count towards the stall
	l.enqueue(x)
}
