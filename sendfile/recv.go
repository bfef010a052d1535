// Recv: data socket to file (or any writer), by splice(2) when it can, else by buffer.

package sendfile

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"
)

// Recv copies src to dst until src's EOF and returns the bytes written to dst.
//
// When dst is an *os.File not opened with O_APPEND (splice(2) refuses those: open APPE
// targets without it and seek to the end), src is a *net.TCPConn (or a wrapper exposing its
// socket through syscall.Conn), Supported() is true and neither Disable nor ASCII is set,
// the bytes move by splice(2) in Chunk-sized calls; otherwise through a pooled buffer.
//
// Cancelling ctx unblocks a read promptly (it sets a past deadline on src) and Recv returns
// ctx.Err() wrapped; a write to dst cannot be interrupted. Errors are wrapped with the path
// and bytes moved; ErrStalled means the Stall timeout hit. With Stall set, Recv replaces
// src's read deadline and clears it at the end; after a cancellation src keeps a past
// deadline (close it). A wrapper that transforms bytes (TLS) must not implement
// syscall.Conn. Recv must not run concurrently with other reads from src. Safe to call
// from any goroutine; it blocks until done.
func Recv(ctx context.Context, dst io.Writer, src net.Conn, o *Options) (int64, error) {
	var x xfer
	if err := x.begin(ctx, src, o, false, "recv"); err != nil {
		return 0, err
	}
	if f, ok := dst.(*os.File); ok && !x.o.Disable && !x.o.ASCII && spliceOK() && spliceSrc(src) && !isAppend(f) {
		x.path = pathZeroCopyRecv
		return x.finish(recvSplice(&x, f, src))
	}
	if x.o.ASCII {
		return x.finish(recvASCII(&x, dst, src))
	}
	return x.finish(recvBuffer(&x, dst, src))
}

// spliceSrc reports whether the standard library can splice from src: a TCP socket
// reachable through syscall.Conn.
func spliceSrc(src net.Conn) bool {
	if _, ok := src.(*net.TCPConn); ok {
		return true
	}
	_, sc := src.(syscall.Conn)
	_, tcp := src.LocalAddr().(*net.TCPAddr)
	return sc && tcp
}

// recvSplice moves src into f in Chunk-sized splice(2) calls (through the standard
// library's pooled pipe), each one granted by the Pacer first. os.File.ReadFrom stops
// short only at EOF.
func recvSplice(x *xfer, f *os.File, src net.Conn) (string, error) {
	chunk := x.o.chunkSize()
	lr := &io.LimitedReader{R: src} // one allocation per Recv, reused for every call
	for {
		n, err := x.grant(chunk)
		if err != nil {
			return "pacer", err
		}
		if err := x.arm(); err != nil {
			return "set deadline", err
		}
		lr.N = int64(n)
		w, err := f.ReadFrom(lr)
		x.spend(int(w))
		x.account(w, true)
		if err != nil {
			if x.retryable(err, w) {
				continue
			}
			return "splice", err
		}
		if w < int64(n) {
			return "", nil
		}
	}
}

// recvBuffer copies src to dst through a pooled buffer.
func recvBuffer(x *xfer, dst io.Writer, src net.Conn) (string, error) {
	bp := getBuf(x.o.chunkSize())
	defer putBuf(bp)
	buf := *bp
	for {
		r, stage, err := x.readSome(buf)
		if r > 0 {
			w, werr := dst.Write(buf[:r])
			x.account(int64(w), false)
			if werr == nil && w < r {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return "write destination", werr
			}
		}
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return stage, err
		}
	}
}

// recvASCII copies src to dst converting CRLF to LF.
func recvASCII(x *xfer, dst io.Writer, src net.Conn) (string, error) {
	chunk := x.o.chunkSize()
	in, out := getBuf(chunk), getBuf(chunk+1)
	defer putBuf(in)
	defer putBuf(out)
	pendingCR := false
	for {
		r, stage, err := x.readSome(*in)
		conv := (*out)[:0]
		if r > 0 {
			conv, pendingCR = appendLF(conv, (*in)[:r], pendingCR)
		}
		if err == io.EOF && pendingCR {
			conv = append(conv, '\r') // a lone CR at the very end is data
		}
		if len(conv) > 0 {
			w, werr := dst.Write(conv)
			x.account(int64(w), false)
			if werr == nil && w < len(conv) {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return "write destination", werr
			}
		}
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return stage, err
		}
	}
}

// readSome reads at most len(buf) Pacer-granted bytes from the conn. A stall deadline
// that expired after some bytes arrived is not an error (the next call re-arms it).
func (x *xfer) readSome(buf []byte) (int, string, error) {
	n, err := x.grant(len(buf))
	if err != nil {
		return 0, "pacer", err
	}
	if err := x.arm(); err != nil {
		return 0, "set deadline", err
	}
	r, err := x.conn.Read(buf[:n])
	x.spend(r)
	if err != nil && x.retryable(err, int64(r)) {
		err = nil
	}
	return r, "read", err
}
