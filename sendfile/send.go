// Send: file (or any reader) to data socket, by sendfile(2) when it can, else by buffer.

package sendfile

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"
)

// Send copies src (from its current offset: the caller Seeks for REST) to dst until EOF and
// returns the bytes written to dst.
//
// When src is an *os.File holding a regular file, dst is a *net.TCPConn (or any net.Conn
// exposing its socket through syscall.Conn), Supported() is true and neither Disable nor
// ASCII is set, the bytes move by sendfile(2) in Chunk-sized calls; otherwise (or if the
// kernel refuses this file) through a pooled buffer of Chunk bytes (ASCII: plus 2*Chunk).
//
// Cancelling ctx unblocks a write promptly (it sets a past deadline on dst) and Send
// returns ctx.Err() wrapped; a read from a src that is not a file cannot be interrupted.
// Errors are wrapped with the path and bytes moved; ErrStalled means the Stall timeout hit.
// With Stall set, Send replaces dst's write deadline and clears it at the end; after a
// cancellation dst keeps a past deadline (close it). A wrapper that transforms bytes (TLS)
// must not implement syscall.Conn, or sendfile would bypass it. Send must not run
// concurrently with other writes to dst, and src must stay open until it returns. Safe to
// call from any goroutine; it blocks until done.
func Send(ctx context.Context, dst net.Conn, src io.Reader, o *Options) (int64, error) {
	var x xfer
	if err := x.begin(ctx, dst, o, true, "send"); err != nil {
		return 0, err
	}
	if f, ok := src.(*os.File); ok && !x.o.Disable && !x.o.ASCII && sendfileOK() {
		if sc, ok := dst.(syscall.Conn); ok && isRegular(f) {
			if op, err := newSendfileOp(sc, f); err == nil {
				x.path = pathZeroCopySend
				stage, err := sendZeroCopy(&x, op)
				if err == nil || x.moved > 0 || !unsupported(err) {
					return x.finish(stage, err)
				}
				x.path = pathBuffer // the kernel refused this pair before any byte moved
			}
		}
	}
	if x.o.ASCII {
		return x.finish(sendASCII(&x, src))
	}
	return x.finish(sendBuffer(&x, src))
}

// isRegular reports whether f is a regular file: sendfile(2) from pipes and some devices
// fails, and reads from them may block where a deadline on the socket cannot help.
func isRegular(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// sendZeroCopy moves the file to the conn in Chunk-sized sendfile(2) calls, each one
// granted by the Pacer first.
func sendZeroCopy(x *xfer, op *sendfileOp) (string, error) {
	chunk := x.o.chunkSize()
	for {
		n, err := x.grant(chunk)
		if err != nil {
			return "pacer", err
		}
		if err := x.arm(); err != nil {
			return "set deadline", err
		}
		w, err := op.move(n)
		x.spend(w)
		x.account(int64(w), true)
		if err != nil {
			if x.retryable(err, int64(w)) {
				continue
			}
			return "sendfile", err
		}
		if w < n {
			return "", nil // EOF
		}
	}
}

// sendBuffer copies src to the conn through a pooled buffer.
func sendBuffer(x *xfer, src io.Reader) (string, error) {
	bp := getBuf(x.o.chunkSize())
	defer putBuf(bp)
	buf := *bp
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if err := x.writeAll(buf[:n]); err != nil {
				return "write", err
			}
		}
		if rerr == io.EOF {
			return "", nil
		}
		if rerr != nil {
			return "read source", rerr
		}
	}
}

// sendASCII copies src to the conn converting LF to CRLF.
func sendASCII(x *xfer, src io.Reader) (string, error) {
	chunk := x.o.chunkSize()
	in, out := getBuf(chunk), getBuf(2*chunk)
	defer putBuf(in)
	defer putBuf(out)
	prevCR := false
	for {
		n, rerr := src.Read(*in)
		if n > 0 {
			var conv []byte
			conv, prevCR = appendCRLF((*out)[:0], (*in)[:n], prevCR)
			if err := x.writeAll(conv); err != nil {
				return "write", err
			}
		}
		if rerr == io.EOF {
			return "", nil
		}
		if rerr != nil {
			return "read source", rerr
		}
	}
}

// writeAll writes p to the conn in Pacer-granted pieces, re-arming the stall deadline
// before each write.
func (x *xfer) writeAll(p []byte) error {
	for len(p) > 0 {
		n, err := x.grant(len(p))
		if err != nil {
			return err
		}
		if err := x.arm(); err != nil {
			return err
		}
		w, err := x.conn.Write(p[:n])
		x.spend(w)
		x.account(int64(w), false)
		p = p[w:]
		if err != nil && !x.retryable(err, int64(w)) {
			return err
		}
	}
	return nil
}
