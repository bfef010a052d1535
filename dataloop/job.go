//go:build linux

// Job, Handle and Result: what a caller submits, how it follows and cancels the transfer,
// and what it gets back.

package dataloop

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// Job describes one transfer. Submit reads it and keeps no reference to it.
type Job struct {
	// Name identifies the transfer in errors (the FTP path).
	Name string
	// Conn is the data connection. It must expose its socket (a *net.TCPConn does; a
	// *tls.Conn does not and is refused). When Submit succeeds the engine has taken a
	// duplicate of the socket and closed Conn: the caller must not use Conn again. The
	// engine closes its duplicate (FIN to the peer) when the transfer ends.
	Conn net.Conn
	// File is a regular file: read from for a download, written to for an upload. The
	// engine works on its own duplicate descriptor, so the caller may close File at any
	// time after Submit returns (and must close it: the engine does not).
	File *os.File
	// Upload moves Conn → File (STOR, APPE); false moves File → Conn (RETR).
	Upload bool
	// Offset is where the transfer starts in File (REST; for APPE the file's size). It is
	// used with pread/pwrite-style offsets: File's own offset is neither used nor moved.
	Offset int64
	// ASCII (TYPE A) needs a conversion the engine does not do: such jobs are refused.
	ASCII bool
	// Pacer throttles the transfer; nil means unlimited.
	Pacer Pacer
	// Stall fails the transfer with ErrStalled when no byte moves for this long (time
	// parked on the Pacer or on a page-cache readahead does not count). 0: no limit.
	Stall time.Duration
	// Progress, if non-nil, has the bytes moved added as they move (for STAT), besides
	// Handle.Progress.
	Progress *atomic.Int64
	// Done, if non-nil, is called once with the result, ON THE LOOP GOROUTINE: it must not
	// block or call Engine.Close (post to the session's owner, e.g. gnet AsyncWrite or a
	// buffered channel). Every descriptor the engine held is closed before it runs.
	Done func(Result)
}

// Result is the outcome of a transfer.
type Result struct {
	// Bytes is how many bytes reached the destination (socket for a download, file for an
	// upload).
	Bytes int64
	// Err is nil on success, else wraps ErrStalled, ErrCanceled, ErrClosed or a
	// *os.SyscallError, with the direction, name and bytes moved in its text.
	Err error
}

// Handle follows one submitted transfer. Every method is safe from any goroutine.
type Handle struct {
	progress atomic.Int64
	canceled atomic.Bool
	done     chan struct{}
	res      Result // written once by the loop before done is closed
	j        *job
}

// Cancel asks the loop to stop the transfer (ABOR): the result's error wraps ErrCanceled
// unless the transfer had already ended. It returns at once; Wait or Done tell when the
// transfer has stopped. Safe from any goroutine, any number of times.
func (h *Handle) Cancel() {
	if h.canceled.CompareAndSwap(false, true) {
		h.j.l.post(msg{kind: msgCancel, j: h.j})
	}
}

// Progress returns the bytes moved so far. Safe from any goroutine.
func (h *Handle) Progress() int64 { return h.progress.Load() }

// Done returns a channel closed when the transfer has ended and Result is available.
// Safe from any goroutine.
func (h *Handle) Done() <-chan struct{} { return h.done }

// Result returns the outcome; it must be called only after Done is closed. Safe from any
// goroutine.
func (h *Handle) Result() Result { return h.res }

// Wait blocks until the transfer ends and returns its result. If ctx ends first it cancels
// the transfer and still waits for it to stop (a loop stops a cancelled transfer within an
// iteration). Safe from any goroutine; blocks, so never call it on an event loop.
func (h *Handle) Wait(ctx context.Context) Result {
	select {
	case <-h.done:
	case <-ctx.Done():
		h.Cancel()
		<-h.done
	}
	return h.res
}

// Run submits j and waits for it: the drop-in for sendfile.Send/Recv on a transfer
// goroutine, which then sleeps parked instead of being runnable. ErrNotEligible (and any
// Submit error) is returned before anything happened: the caller still owns j.Conn.
// Safe from any goroutine; blocks.
func (e *Engine) Run(ctx context.Context, j Job) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	h, err := e.Submit(j)
	if err != nil {
		return Result{}, err
	}
	return h.Wait(ctx), nil
}
