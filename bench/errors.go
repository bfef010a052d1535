// Error sentinels and the error classes results are counted by.

package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/fastftp/fastftp/ftpclient"
)

// Sentinel errors. Wrapped errors say which step and path failed; test with errors.Is.
var (
	// ErrCorruptData: downloaded bytes whose sha256 differs from what was generated.
	ErrCorruptData = errors.New("bench: corrupt data (sha256 mismatch)")
	// ErrUnknownScenario: a scenario name the engine does not know.
	ErrUnknownScenario = errors.New("bench: unknown scenario")
	// ErrBadConfig: a configuration that cannot run (missing user, bad sizes, ...).
	ErrBadConfig = errors.New("bench: bad configuration")
	// ErrNoSession: an operation that could not run because its client never logged in.
	// It is an error, not a 0-byte success: a row with half its sessions missing would
	// otherwise look twice as fast.
	ErrNoSession = errors.New("bench: client never logged in")
)

// ErrorClass is the bucket an error is counted in.
type ErrorClass int

// Error classes, in report order.
const (
	ClassRefused   ErrorClass = iota // connection refused
	ClassTimeout                     // deadline exceeded
	Class4xx                         // transient negative reply
	Class5xx                         // permanent negative reply
	ClassShort                       // data shorter than expected, early EOF
	ClassCorrupt                     // sha256 mismatch
	ClassOther                       // reset, malformed reply, TLS failure, ...
	ClassNoSession                   // the client never logged in, so the operation never ran
	numClasses
)

var classNames = [numClasses]string{"refused", "timeout", "4xx", "5xx", "short", "corrupt", "other", "no_session"}

// String returns the class name used in reports and JSON.
func (c ErrorClass) String() string {
	if c < 0 || c >= numClasses {
		return "invalid"
	}
	return classNames[c]
}

// Classify returns the class an error is counted in. Safe from any goroutine.
func Classify(err error) ErrorClass {
	var re *ftpclient.ReplyError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		if re.Code >= 400 && re.Code < 500 {
			return Class4xx
		}
		if re.Code >= 500 {
			return Class5xx
		}
		return ClassOther
	case errors.Is(err, ErrCorruptData):
		return ClassCorrupt
	case errors.Is(err, ErrNoSession):
		return ClassNoSession
	case errors.Is(err, ftpclient.ErrShortData), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ClassShort
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	}
	return ClassOther
}
