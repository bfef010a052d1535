//go:build linux

// The data-loop engine (package dataloop) for file transfers, when Env.DataLoops > 0:
// RETR, STOR, APPE and STOU move their bytes on a few event loops instead of a goroutine
// blocking in sendfile/splice. Other systems keep the goroutine path (dataloop_other.go).

package session

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

// dataEngine is the server's engine; nil (or Env.DataLoops 0) means the goroutine path.
type dataEngine struct{ e *dataloop.Engine }

func newDataEngine(loops int) (*dataEngine, error) {
	e, err := dataloop.New(dataloop.Config{Loops: loops}) // Chunk: the engine's default
	if err != nil {
		return nil, err
	}
	return &dataEngine{e}, nil
}

func (d *dataEngine) close() {
	if d != nil {
		d.e.Close()
	}
}

func (d *dataEngine) bytes() int64 {
	if d == nil {
		return 0
	}
	return d.e.Stats().Bytes
}

// onEngine moves a file transfer's bytes on the engine: f from off to conn (download) or
// conn to f at off (upload). ran is false when the engine refused the job (TLS data
// connection, TYPE A, a File that is not an *os.File, no engine): the caller then uses
// sendfile.Send/Recv and still owns conn. When ran is true the engine has closed conn.
func (s *Session) onEngine(ctx context.Context, conn net.Conn, f vfs.File, p string, off int64, upload bool,
	opts *sendfile.Options, pace []*throttle.Bucket) (n int64, ran bool, err error) {
	eng := s.env.eng
	of, ok := f.(*os.File)
	if eng == nil || !ok || opts.ASCII || opts.Disable {
		return 0, false, nil
	}
	pacer := dataloop.Buckets(byBurst(pace)...)
	res, err := eng.e.Run(ctx, dataloop.Job{Name: p, Conn: conn, File: of, Offset: off, Upload: upload,
		ASCII: opts.ASCII, Pacer: pacer, Stall: opts.Stall, Progress: opts.Progress})
	switch {
	case errors.Is(err, dataloop.ErrNotEligible):
		return 0, false, nil
	case err != nil:
		// Not started for another reason (ctx already ended by ABOR, ErrClosed at shutdown,
		// ErrBadOffset): conn is still ours, and the transfer fails as the goroutine path
		// would fail it (errorReply: 426 when ctx ended, else 451).
		conn.Close()
		return 0, true, err
	}
	if o := s.env.Observer; o != nil {
		if w, ok := pacer.(interface{ Waits() time.Duration }); ok && w.Waits() > 0 {
			o.ThrottleWait(upload, w.Waits())
		}
	}
	n, err = res.Bytes, res.Err
	if errors.Is(err, dataloop.ErrCanceled) && ctx.Err() != nil {
		// ABOR, QUIT or shutdown: the transfer log says "aborted", as on the goroutine path.
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return n, true, err
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

// engineStalled and engineConnErr classify the engine's errors for errorReply (errors.go).
func engineStalled(err error) bool { return errors.Is(err, dataloop.ErrStalled) }
func engineConnErr(err error) bool { return errors.Is(err, dataloop.ErrConn) }
