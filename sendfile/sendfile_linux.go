// Linux: one sendfile(2) chunk from a file to a socket through the runtime's RawConns, with
// no allocation per call (the standard library's TCPConn.ReadFrom allocates four).

package sendfile

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sendfileOp moves chunks from one file to one socket. It is built once per Send and used
// by that Send's goroutine only. The method values are bound once so that move does not
// allocate.
type sendfileOp struct {
	dst, src   syscall.RawConn
	srcFD      int
	want, done int
	werr, serr error
	outer      func(uintptr) bool
	inner      func(uintptr) bool
}

func newSendfileOp(dst syscall.Conn, f *os.File) (*sendfileOp, error) {
	drc, err := dst.SyscallConn()
	if err != nil {
		return nil, err
	}
	src, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	op := &sendfileOp{dst: drc, src: src}
	op.outer, op.inner = op.withSrc, op.toDst
	return op, nil
}

// move sends up to want bytes from the file's current offset (which it advances) and
// returns how many it sent: fewer than want without an error only at EOF. While the socket
// buffer is full it waits in the runtime poller, so conn deadlines apply.
func (op *sendfileOp) move(want int) (int, error) {
	op.want, op.done, op.werr, op.serr = want, 0, nil, nil
	// Holding the file's RawConn keeps its descriptor from being closed and reused while
	// the socket's RawConn runs the syscalls.
	if err := op.src.Read(op.outer); err != nil {
		return 0, err
	}
	if op.serr != nil {
		return op.done, os.NewSyscallError("sendfile", op.serr)
	}
	return op.done, op.werr
}

func (op *sendfileOp) withSrc(fd uintptr) bool {
	op.srcFD = int(fd)
	op.werr = op.dst.Write(op.inner)
	return true
}

// toDst runs in the socket's RawConn.Write: returning false waits until it is writable.
func (op *sendfileOp) toDst(fd uintptr) bool {
	for op.done < op.want {
		n, err := unix.Sendfile(int(fd), op.srcFD, nil, op.want-op.done)
		if n > 0 {
			op.done += n
		}
		switch err {
		case nil:
			if n == 0 {
				return true // EOF
			}
		case unix.EAGAIN:
			return false
		case unix.EINTR:
		default:
			op.serr = err
			return true
		}
	}
	return true
}

// unsupported reports whether err says sendfile(2) cannot serve this file/socket pair at
// all (it moved nothing), so that the buffer path should take over.
func unsupported(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP)
}
