// Reader: a data socket read by a consumer that transforms the bytes (MODE Z's inflater),
// under the same pacing, stall deadline, progress and cancellation as Recv.

package sendfile

import (
	"context"
	"io"
	"net"
)

// Reader is Writer's twin for uploads whose bytes cannot go to the file as they arrive:
// a Pacer grants every byte read, a client that stops sending fails the stream with
// ErrStalled after Options.Stall, cancelling ctx unblocks a read at once, and
// Options.Progress counts the bytes read from the socket. It is used by one goroutine:
// Read any number of times, then Finish exactly once.
type Reader struct {
	x   xfer
	err error // first read error (io.EOF included), raw; Finish wraps it
}

// NewReader prepares a stream from src. It fails only if ctx is already done; otherwise the
// caller must call Finish.
func NewReader(ctx context.Context, src net.Conn, o *Options) (*Reader, error) {
	r := &Reader{}
	if err := r.x.begin(ctx, src, o, false, "recv stream"); err != nil {
		return nil, err
	}
	return r, nil
}

// Read reads at most len(p) granted bytes. A stall tick that expires while bytes still
// flow is retried here (bounded: retryable holds only until Stall passes without a byte).
// After an error every later Read returns it again.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, _, err := r.x.readSome(p)
		r.x.account(int64(n), false)
		if err != nil {
			r.err = err
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Finish ends the stream: it clears the stall deadline and releases the ctx callback. It
// returns the bytes read from the socket and, when something failed, an error wrapped as
// Recv's are. A read error other than EOF wins; otherwise consumeErr, the consumer's own
// failure (corrupt compressed data, a full disk), is returned wrapped. It does not close
// src.
func (r *Reader) Finish(consumeErr error) (int64, error) {
	if r.err != nil && r.err != io.EOF {
		return r.x.finish("read", r.err)
	}
	return r.x.finish("consume", consumeErr)
}
