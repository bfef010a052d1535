//go:build linux

// Sentinel errors of the engine; results wrap them with the transfer's name and byte count.

package dataloop

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

var (
	// ErrNotEligible means the engine does not take this job (TLS or other non-socket conn,
	// non-regular file, O_APPEND target, ASCII mode): the caller keeps its goroutine path.
	ErrNotEligible = errors.New("dataloop: transfer not eligible for the event-loop engine")
	// ErrClosed means the engine was closed before or while the transfer ran.
	ErrClosed = errors.New("dataloop: engine closed")
	// ErrStalled means the peer moved no byte within Job.Stall.
	ErrStalled = errors.New("dataloop: no data moved within the stall timeout")
	// ErrCanceled means Handle.Cancel was called (ABOR) before the transfer ended.
	ErrCanceled = errors.New("dataloop: transfer canceled")
	// ErrConn marks a failure of the data connection (reset, broken pipe, timeout) as
	// opposed to the file's side (ENOSPC, EIO): the session maps it to 426 rather than 451.
	ErrConn = errors.New("dataloop: data connection failed")
	// ErrBadOffset means Job.Offset is negative or beyond the end of a download's file.
	ErrBadOffset = errors.New("dataloop: offset beyond the end of the file")
	// errBadGrant means a Pacer broke its contract (granted no byte).
	errBadGrant = errors.New("dataloop: pacer granted 0 bytes")
)

// syscallErr wraps a failed syscall's errno with its name, and with ErrConn when the errno
// can only come from the socket: sendfile(2) reports both sides' errors through one call.
func syscallErr(name string, errno error) error {
	err := os.NewSyscallError(name, errno)
	switch errno {
	case unix.EPIPE, unix.ECONNRESET, unix.ETIMEDOUT, unix.ENOTCONN, unix.ECONNABORTED, unix.EHOSTUNREACH, unix.ENETUNREACH:
		return fmt.Errorf("%w: %w", ErrConn, err)
	}
	return err
}
