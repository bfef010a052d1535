//go:build linux

// The data-loop engine (package dataloop) for file transfers, when the server runs one:
// RETR, STOR, APPE and STOU move their bytes on a few event loops instead of a goroutine
// blocking in sendfile/splice. Other systems keep the goroutine path (engine_other.go).

package transfer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"time"

	"github.com/fastftp/fastftp/dataloop"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
)

// Engine is the server's data-loop engine. A nil *Engine is valid and means the
// goroutine path for every transfer. Safe from any goroutine.
type Engine struct {
	e     *dataloop.Engine
	lowat int // TCP_NOTSENT_LOWAT for the downloads it carries (Send sets it)
}

// NewEngine starts an engine as c says.
func NewEngine(c EngineConfig) (*Engine, error) {
	e, err := dataloop.New(dataloop.Config{Loops: c.Loops, Writers: c.Writers}) // Chunk: the engine's default
	if err != nil {
		return nil, err
	}
	return &Engine{e: e, lowat: c.NotSentLowat}, nil
}

// notSentLowat is the TCP_NOTSENT_LOWAT for a download the engine will carry; 0 without an
// engine.
func (e *Engine) notSentLowat() int {
	if e == nil {
		return 0
	}
	return e.lowat
}

// Close stops the engine; transfers still on it fail.
func (e *Engine) Close() {
	if e != nil {
		e.e.Close()
	}
}

// Bytes is what the engine has moved since it started.
func (e *Engine) Bytes() int64 {
	if e == nil {
		return 0
	}
	return e.e.Stats().Bytes
}

// run moves a file transfer's bytes on the engine: f from off to conn (download) or conn
// to f at off (upload). ran is false when the engine refused the job (TLS data connection,
// TYPE A, a File that is not an *os.File, no engine): the caller then uses
// sendfile.Send/Recv and still owns conn. When ran is true the engine has closed conn.
// waited is how long the engine's pacer held the transfer back.
func (e *Engine) run(ctx context.Context, conn net.Conn, f vfs.File, p string, off int64, upload bool,
	opts *sendfile.Options, pace []*throttle.Bucket) (n int64, ran bool, waited time.Duration, err error) {
	of, ok := f.(*os.File)
	if e == nil || !ok || opts.ASCII || opts.Disable {
		return 0, false, 0, nil
	}
	pacer := dataloop.Buckets(byBurst(pace)...)
	res, err := e.e.Run(ctx, dataloop.Job{Name: p, Conn: conn, File: of, Offset: off, Upload: upload,
		ASCII: opts.ASCII, Pacer: pacer, Stall: opts.Stall, Progress: opts.Progress})
	switch {
	case errors.Is(err, dataloop.ErrNotEligible):
		return 0, false, 0, nil
	case err != nil:
		// Not started for another reason (ctx already ended by ABOR, ErrClosed at shutdown,
		// ErrBadOffset): conn is still ours, and the transfer fails as the goroutine path
		// would fail it (ErrorReply: 426 when ctx ended, else 451).
		conn.Close()
		return 0, true, 0, err
	}
	if w, ok := pacer.(interface{ Waits() time.Duration }); ok {
		waited = w.Waits()
	}
	n, err = res.Bytes, res.Err
	if errors.Is(err, dataloop.ErrCanceled) && ctx.Err() != nil {
		// ABOR, QUIT or shutdown: the transfer log says "aborted", as on the goroutine path.
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return n, true, waited, err
}

// byBurst orders the limited buckets smallest burst first, unlimited ones after them:
// dataloop.Buckets asks each bucket for what the previous one granted, so a bucket before
// one with a smaller burst would be charged bytes that never move.
func byBurst(bs []*throttle.Bucket) []*throttle.Bucket {
	out := make([]*throttle.Bucket, 0, len(bs))
	for _, b := range bs {
		if b != nil {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b *throttle.Bucket) int {
		x, y := a.Burst(), b.Burst()
		switch {
		case x == y:
			return 0
		case x == 0:
			return 1
		case y == 0:
			return -1
		case x < y:
			return -1
		}
		return 1
	})
	return out
}

// engineStalled and engineConnErr classify the engine's errors for ErrorReply (errors.go).
func engineStalled(err error) bool { return errors.Is(err, dataloop.ErrStalled) }
func engineConnErr(err error) bool { return errors.Is(err, dataloop.ErrConn) }
