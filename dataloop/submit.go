//go:build linux

// Submit: eligibility checks and taking the descriptors out of Go's netpoller.

package dataloop

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Submit starts a transfer on the least loaded loop and returns its handle. Safe from any
// goroutine; it does not block on I/O.
//
// It returns ErrNotEligible (wrapped) for jobs the engine does not take, ErrBadOffset for
// an offset beyond a download's end, ErrClosed after Close, or a *os.SyscallError if a
// descriptor could not be duplicated. On any error nothing was changed: the caller still
// owns and must close j.Conn and j.File. On success j.Conn is closed (the engine moved its
// socket to a duplicate of its own) and the caller still closes j.File.
func (e *Engine) Submit(j Job) (*Handle, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed { // checked again, race-free, when the job is posted to its loop
		return nil, fmt.Errorf("dataloop: %s: %w", j.Name, ErrClosed)
	}
	if j.ASCII || j.Conn == nil || j.File == nil {
		return nil, fmt.Errorf("%w: %s: ASCII mode or missing conn/file", ErrNotEligible, j.Name)
	}
	sc, ok := j.Conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("%w: %s: connection exposes no socket (TLS?)", ErrNotEligible, j.Name)
	}
	x := &job{name: j.Name, upload: j.Upload, off: j.Offset, pacer: j.Pacer, stall: j.Stall,
		extProgress: j.Progress, cb: j.Done, sock: -1, file: -1, pipe: [2]int{-1, -1}, timerIdx: -1}
	x.h = &Handle{done: make(chan struct{}), j: x}
	ok = false
	defer func() {
		if !ok {
			x.closeFDs()
		}
	}()
	var err error
	if x.sock, err = dupOf(sc); err != nil {
		return nil, fmt.Errorf("dataloop: %s: socket: %w", j.Name, err)
	}
	if typ, err := unix.GetsockoptInt(x.sock, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_STREAM {
		return nil, fmt.Errorf("%w: %s: not a stream socket", ErrNotEligible, j.Name)
	}
	if x.file, err = dupOf(j.File); err != nil {
		return nil, fmt.Errorf("dataloop: %s: file: %w", j.Name, err)
	}
	if err := x.checkFile(); err != nil {
		return nil, err
	}
	// Go's socket is already non-blocking and O_NONBLOCK is shared by duplicates; set it
	// anyway so a conn from elsewhere cannot block a loop.
	if err := unix.SetNonblock(x.sock, true); err != nil {
		return nil, fmt.Errorf("dataloop: %s: %w", j.Name, os.NewSyscallError("fcntl", err))
	}
	if j.Upload {
		if err := x.openPipe(e.cfg.UploadChunk); err != nil {
			return nil, err
		}
		x.chunk = e.cfg.UploadChunk
	} else {
		x.chunk = e.cfg.Chunk
		if e.cfg.NotSentLowat > 0 {
			// Best effort: a kernel without it still transfers correctly.
			_ = unix.SetsockoptInt(x.sock, unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, e.cfg.NotSentLowat)
		}
	}
	x.l = e.pick()
	x.l.live.Add(1)
	if !x.l.post(msg{kind: msgSubmit, j: x}) {
		x.l.live.Add(-1)
		return nil, fmt.Errorf("dataloop: %s: %w", j.Name, ErrClosed)
	}
	ok = true
	// From here the loop owns x's descriptors. Closing the caller's conn removes the
	// original descriptor from Go's netpoller (which would otherwise be woken by every
	// readiness edge of a socket it no longer reads) and never sends a FIN: the socket
	// stays open through our duplicate.
	_ = j.Conn.Close()
	return x.h, nil
}

// dupOf duplicates the descriptor behind c (close-on-exec) through its RawConn, which
// keeps the original from being closed and reused meanwhile.
func dupOf(c syscall.Conn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	nfd, derr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) {
		nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, err
	}
	if derr != nil {
		return -1, os.NewSyscallError("fcntl(F_DUPFD_CLOEXEC)", derr)
	}
	return nfd, nil
}

// checkFile refuses non-regular files and O_APPEND upload targets (splice(2) refuses to
// write them), records a download's end, and whether page-cache probing is worth it.
func (x *job) checkFile() error {
	var st unix.Stat_t
	if err := unix.Fstat(x.file, &st); err != nil {
		return fmt.Errorf("dataloop: %s: %w", x.name, os.NewSyscallError("fstat", err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%w: %s: not a regular file", ErrNotEligible, x.name)
	}
	if x.off < 0 || (!x.upload && x.off > st.Size) {
		return fmt.Errorf("dataloop: %s: offset %d of %d bytes: %w", x.name, x.off, st.Size, ErrBadOffset)
	}
	if x.upload {
		fl, err := unix.FcntlInt(uintptr(x.file), unix.F_GETFL, 0)
		if err != nil {
			return fmt.Errorf("dataloop: %s: %w", x.name, os.NewSyscallError("fcntl", err))
		}
		if fl&unix.O_APPEND != 0 {
			return fmt.Errorf("%w: %s: opened with O_APPEND", ErrNotEligible, x.name)
		}
		return nil
	}
	x.end = st.Size
	// Files in memory (tmpfs, ramfs) never miss the page cache in a way a disk read would
	// fix; skip the preadv2 probe there.
	var fs unix.Statfs_t
	if unix.Fstatfs(x.file, &fs) == nil && (fs.Type == unix.TMPFS_MAGIC || fs.Type == unix.RAMFS_MAGIC) {
		x.noProbe = true
	}
	return nil
}

// openPipe creates the upload's socket→file pipe, sized to one chunk when the kernel
// allows (otherwise splice moves what the default 64 KiB pipe holds).
func (x *job) openPipe(size int) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return fmt.Errorf("dataloop: %s: %w", x.name, os.NewSyscallError("pipe2", err))
	}
	x.pipe = p
	_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, size)
	return nil
}
