// Error labelling: every error leaving an FS method names the virtual path, never a host
// path, keeps the errno, and turns an escape from the root into ErrEscape.

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// underlying strips the *fs.PathError or *os.LinkError wrapper os puts around an errno.
func underlying(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	case *os.SyscallError:
		return e.Err
	}
	return err
}

// rootError labels an error of os.Root, whose escape error is unexported: any cause
// that is neither an errno nor "closed" is reported as ErrEscape. Misclassifying an
// unknown cause that way fails safe (permission denied).
func rootError(op, name string, err error) error {
	err = underlying(err)
	var errno syscall.Errno
	if !errors.As(err, &errno) && !errors.Is(err, fs.ErrClosed) {
		err = ErrEscape
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}
