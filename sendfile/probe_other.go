//go:build !linux

// Other systems: no zero-copy probe; Send and Recv always use the buffer path.

package sendfile

import (
	"errors"
	"os"
	"syscall"
)

// Supported reports whether this kernel moves bytes zero-copy. Outside Linux the package
// does not probe and always answers false, so Send and Recv use the buffer path. Safe from
// any goroutine.
func Supported() bool { return false }

func sendfileOK() bool         { return false }
func spliceOK() bool           { return false }
func isAppend(f *os.File) bool { return true }

type sendfileOp struct{}

func newSendfileOp(dst syscall.Conn, f *os.File) (*sendfileOp, error) {
	return nil, errors.ErrUnsupported
}

func (op *sendfileOp) move(want int) (int, error) { return 0, errors.ErrUnsupported }

func unsupported(err error) bool { return true }
