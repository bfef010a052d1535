// Per-transfer bookkeeping shared by Send and Recv: cancellation, stall deadlines, pacing
// credit, progress and error wrapping.

package sendfile

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it unblocks any pending I/O on a conn.
var aLongTimeAgo = time.Unix(1, 0)

// Names of the copy paths, for error messages.
const (
	pathZeroCopySend = "sendfile"
	pathZeroCopyRecv = "splice"
	pathBuffer       = "buffer"
)

// xfer is the state of one Send or Recv. It lives on the transfer goroutine's stack (or
// heap, if the compiler says so) and is used by that goroutine only, except for the ctx
// callback, which touches only conn.
type xfer struct {
	ctx      context.Context
	conn     net.Conn  // the socket side: deadlines are applied here
	o        *Options  // never nil
	write    bool      // conn is written (Send) rather than read (Recv)
	armed    bool      // a stall deadline was set and must be cleared at the end
	credit   int       // bytes granted by the Pacer and not yet moved
	moved    int64     // bytes written to dst
	last     time.Time // when the stall clock last restarted: a byte moved, or a call began
	retrying bool      // the last call ended at a stall tick: the next one continues its clock
	stopCtx  func() bool
	op, path string
}

var defaultOptions Options

// begin prepares a transfer on conn. It fails if ctx is already done; otherwise the caller
// must call finish exactly once afterwards.
func (x *xfer) begin(ctx context.Context, conn net.Conn, o *Options, write bool, op string) error {
	if o == nil {
		o = &defaultOptions
	}
	*x = xfer{ctx: ctx, conn: conn, o: o, write: write, op: op, path: pathBuffer}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sendfile: %s not started: %w", op, err)
	}
	if ctx.Done() != nil {
		// A past deadline wakes the goroutine blocked in sendfile/splice/read/write; arm
		// re-checks ctx after every deadline it sets, so this one is never overwritten
		// unnoticed.
		x.stopCtx = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	}
	return nil
}

// grant returns how many bytes (1..want) may move now, waiting on the Pacer if the credit
// left from the last grant is spent.
func (x *xfer) grant(want int) (int, error) {
	p := x.o.Pacer
	if p == nil {
		return want, nil
	}
	if x.credit == 0 {
		n, err := p.Wait(x.ctx, want)
		if err != nil {
			return 0, err
		}
		if x.o.Stall > 0 {
			x.last = time.Now() // time spent waiting for a grant is not a stall
		}
		if n <= 0 {
			return 0, errBadGrant
		}
		x.credit = n
	}
	return min(x.credit, want), nil
}

// stallTicks is how many deadlines a stall timeout is cut into. A blocked call returns at
// each tick; if some bytes moved during it, the stall clock restarts then. Without ticks a
// call that moved a few bytes and then blocked (a client that stopped reading, whose
// kernel still took a last trickle) would only be noticed one whole Stall later, so a stall
// could take 2*Stall or more to report; with them it takes at most Stall + Stall/8 after
// the last byte moved. A tick costs one wake-up of a blocked transfer.
const stallTicks = 8

// arm sets the deadline for the next call: the next tick, or the moment the transfer will
// have moved nothing for Stall, whichever comes first. The stall clock runs only while the
// transfer is blocked on the network: a call that does not continue a ticked-out one
// restarts it, so time spent between calls (waiting for the Pacer, reading a slow disk,
// producing a listing) never counts. It reports ctx's error if it was cancelled meanwhile
// (the cancel callback's past deadline may have been overwritten).
func (x *xfer) arm() error {
	if x.o.Stall <= 0 {
		return nil
	}
	now := time.Now()
	if !x.retrying {
		x.last = now
	}
	x.retrying = false
	d := now.Add(x.o.Stall / stallTicks)
	if end := x.last.Add(x.o.Stall); end.Before(d) {
		d = end
	}
	var err error
	if x.write {
		err = x.conn.SetWriteDeadline(d)
	} else {
		err = x.conn.SetReadDeadline(d)
	}
	x.armed = true
	if err != nil {
		return err
	}
	return x.ctx.Err()
}

// spend records that n bytes crossed the network: they come off the Pacer's credit and
// restart the stall clock.
func (x *xfer) spend(n int) {
	if n <= 0 {
		return
	}
	if x.o.Pacer != nil {
		x.credit = max(x.credit-n, 0)
	}
	if x.o.Stall > 0 {
		x.last = time.Now()
	}
}

// account records n bytes written to dst.
func (x *xfer) account(n int64, zeroCopy bool) {
	if n <= 0 {
		return
	}
	x.moved += n
	if p := x.o.Progress; p != nil {
		p.Add(n)
	}
	if c := x.o.counts; c != nil {
		if zeroCopy {
			c.zeroCopy.Add(n)
		} else {
			c.buffer.Add(n)
		}
	}
}

// retryable reports whether err is a stall-tick deadline to carry on after: the transfer
// moved a byte less than Stall ago (spend restarted the clock if this very call moved
// some), so it has not stalled yet; the next call re-arms and continues the clock.
func (x *xfer) retryable(err error, n int64) bool {
	x.retrying = x.o.Stall > 0 && x.ctx.Err() == nil && errors.Is(err, os.ErrDeadlineExceeded) &&
		(n > 0 || time.Since(x.last) < x.o.Stall)
	return x.retrying
}

// finish releases the ctx callback, clears a stall deadline and turns err into the error
// Send/Recv return: ctx's error if it was cancelled, ErrStalled for an expired stall
// deadline, else err with the direction, path, stage and bytes moved.
func (x *xfer) finish(stage string, err error) (int64, error) {
	if x.stopCtx != nil {
		x.stopCtx()
	}
	if x.armed && x.ctx.Err() == nil {
		if x.write {
			_ = x.conn.SetWriteDeadline(time.Time{})
		} else {
			_ = x.conn.SetReadDeadline(time.Time{})
		}
	}
	if err == nil {
		return x.moved, nil
	}
	if cerr := x.ctx.Err(); cerr != nil {
		return x.moved, fmt.Errorf("sendfile: %s via %s cancelled after %d bytes: %w", x.op, x.path, x.moved, cerr)
	}
	if x.o.Stall > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		return x.moved, fmt.Errorf("sendfile: %s via %s after %d bytes: %w", x.op, x.path, x.moved, ErrStalled)
	}
	return x.moved, fmt.Errorf("sendfile: %s via %s: %s after %d bytes: %w", x.op, x.path, stage, x.moved, err)
}
