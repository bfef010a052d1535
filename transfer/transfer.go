// The transfer job: Data says where the bytes go, Send/Receive/List move them and return a
// Result, Result.Reply says how the transfer ended on the control connection.

package transfer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
)

// Data says where a transfer's bytes go: how to get the data connection and how to move
// bytes on it. The session fills it on its owner when the transfer starts; the transfer
// goroutine then owns it.
type Data struct {
	Passive *datapath.Passive // the PASV/EPSV listener, or nil for Port
	Port    netip.AddrPort    // the PORT/EPRT target when Passive is nil

	Local  netip.Addr       // the server address the client reached: active dials leave from it
	Remote netip.AddrPort   // the client's control connection: the passive peer check, logs
	Config *datapath.Config // timeouts, foreign peers, TCP_NOTSENT_LOWAT

	// TLS, if set, wraps the data connection (PROT P): the session's handshake with its
	// session-resumption check. It owns c on failure. Its refusal of a connection that
	// did not resume should wrap ErrTLSNotResumed.
	TLS func(ctx context.Context, c net.Conn) (net.Conn, error)

	Deflate int8               // MODE Z: the zlib level plus one; 0 in stream mode
	Engine  *Engine            // nil: the goroutine path (sendfile/splice on this goroutine)
	Copy    *sendfile.Options  // chunk, pacer, stall deadline, progress, TYPE A
	Pace    []*throttle.Bucket // the buckets behind Copy.Pacer, for the engine's own pacer
	Log     *slog.Logger       // for what only costs tuning (TCP_NOTSENT_LOWAT refused)
}

// Close releases a data connection that will not be used (the transfer failed before
// connecting). Send, Receive and List consume d themselves.
func (d *Data) Close() {
	if d.Passive != nil {
		d.Passive.Close()
	}
}

// sendLowat is the TCP_NOTSENT_LOWAT of a RETR's socket. The operator's limit applies to
// every download socket; without one, the downloads the data loops will carry get the
// engine's (64 KiB by default), set at connect, right after accept: set by the engine at
// Submit instead, 300 concurrent RETRs took 0.98 s against 0.69 s (8 alternated rounds;
// BENCHMARKS.md, "The data plane: defaults"). Goroutine-path downloads (TLS, TYPE A,
// MODE Z) get none: there the option doubled their wake-ups and the control plane paid.
func (d *Data) sendLowat() int {
	if n := d.Config.NotSentLowat; n > 0 {
		return n
	}
	if d.Deflate != 0 || d.TLS != nil || d.Copy.ASCII || d.Copy.Disable {
		return 0
	}
	return d.Engine.notSentLowat()
}

// connect opens the data connection and sets TCP_NOTSENT_LOWAT to lowat when it is above
// 0 (only sockets the server sends on: the option concerns the sending side).
func (d *Data) connect(ctx context.Context, lowat int) (net.Conn, error) {
	var c net.Conn
	var err error
	if d.Passive != nil {
		c, err = d.Passive.Accept(ctx, d.Remote.Addr())
	} else {
		c, err = datapath.Dial(ctx, d.Local, d.Port, d.Config)
	}
	if err != nil {
		return c, err
	}
	if lowat > 0 {
		// On the raw socket, before any TLS wrapping. A failure costs only the tuning.
		if err := datapath.SetNotSentLowat(c, lowat); err != nil && d.Log != nil {
			d.Log.Debug("TCP_NOTSENT_LOWAT not set", "remote", d.Remote, "err", err)
		}
	}
	if d.TLS == nil {
		return c, nil
	}
	return d.TLS(ctx, c)
}

// Result is how a transfer ended.
type Result struct {
	Path  string // the virtual path the reply names: for an upload, the name it was stored as
	Stage Stage  // where it ended: StageCopy once the data connection was made
	Err   error  // nil: complete
	Bytes int64  // file (or listing) bytes moved
	// Wire is the bytes that crossed the data connection in MODE Z; -1 in stream mode,
	// where they are Bytes.
	Wire int64
	// Start is when the data connection was ready; zero when no byte could move (then
	// there is nothing to log).
	Start time.Time
	// Waited is how long the data-loop engine's pacer held the transfer back (the
	// goroutine path's waits are on Data.Copy.Pacer).
	Waited time.Duration

	upload upload // what Reply adds for STOR, APPE and STOU
}

// upload is what Reply needs to know of an upload.
type upload struct {
	is, unique, replace bool
}

// Failed is the Result of a transfer that failed before moving bytes, at stage st on
// virtual path p.
func Failed(st Stage, err error, p string) Result {
	return Result{Path: p, Stage: st, Err: err, Wire: -1}
}

// Reply is the transfer's final reply: the one mapping of errors (ErrorReply), plus what
// an upload's reply says of the file. ctx is the transfer's: when it ended (ABOR) the
// reply says aborted whatever error the abort left behind.
func (r *Result) Reply(ctx context.Context) (code int, text string) {
	code, text = ErrorReply(ctx, r.Stage, r.Err, r.Path)
	if !r.upload.is || r.Stage != StageCopy {
		return code, text
	}
	if r.Err == nil {
		if r.upload.unique {
			return 226, "Transfer complete: stored as " + path.Base(r.Path) + "."
		}
		return code, text
	}
	got := strconv.FormatInt(r.Bytes, 10)
	if r.upload.replace {
		return code, text + " " + r.Path + " left unchanged; " + got + " bytes received were discarded."
	}
	return code, text + " " + got + " bytes of " + r.Path + " were received."
}

// Send sends f from its current offset, off, over the data connection (RETR): size is what
// the 150 announced. A file truncated while it is sent ends early at its new EOF and fails
// with ErrShrank: the client must not take the short copy for the whole file. A file that
// grew is sent whole, as it now is. TYPE A changes the byte count: not checked.
func Send(ctx context.Context, d *Data, f vfs.File, p string, off, size int64) Result {
	conn, err := d.connect(ctx, d.sendLowat())
	if err != nil {
		return Failed(StageConnect, err, p)
	}
	r := Result{Path: p, Stage: StageCopy, Wire: -1, Start: time.Now()}
	var ran bool
	if d.Deflate > 0 {
		r.Bytes, r.Wire, err = sendDeflate(ctx, conn, f, d.Copy, int(d.Deflate-1))
	} else {
		r.Bytes, ran, r.Waited, err = d.Engine.run(ctx, conn, f, p, off, false, d.Copy, d.Pace)
		if !ran {
			r.Bytes, err = sendfile.Send(ctx, conn, f, d.Copy)
		}
	}
	if !ran {
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && !d.Copy.ASCII && r.Bytes < size {
		err = fmt.Errorf("%w: sent %d of %d bytes", ErrShrank, r.Bytes, size)
	}
	r.Err = err
	return r
}

// Receive stores what arrives on the data connection into u (STOR, APPE, STOU) and
// applies the upload policy: a replacement is renamed over its target on success and
// removed on failure; a file written in place keeps what arrived, so that it can be
// resumed. Receive closes u.
func Receive(ctx context.Context, d *Data, u *Upload) Result {
	conn, err := d.connect(ctx, 0)
	if err != nil {
		u.discard()
		return Failed(StageConnect, err, u.Target)
	}
	r := Result{Path: u.Target, Stage: StageCopy, Wire: -1, Start: time.Now(),
		upload: upload{is: true, unique: u.mode == Unique, replace: u.temp != ""}}
	var off int64
	if d.Engine != nil && u.resume {
		// OpenUpload left f at REST or, for APPE, at the end: the engine writes there.
		off, err = u.f.Seek(0, io.SeekCurrent)
	}
	ran := false
	if err == nil && d.Deflate > 0 {
		r.Bytes, r.Wire, err = recvInflate(ctx, conn, u.f, d.Copy)
	} else if err == nil {
		r.Bytes, ran, r.Waited, err = d.Engine.run(ctx, conn, u.f, u.Target, off, true, d.Copy, d.Pace)
		if !ran && err == nil {
			r.Bytes, err = sendfile.Recv(ctx, u.f, conn, d.Copy)
		}
	}
	if !ran {
		conn.Close()
	}
	r.Err = u.finish(err)
	return r
}

var listBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// List sends what write writes over the data connection (LIST, NLST, MLSD), buffered, and
// through the same pacing, stall deadline, progress counter and cancellation as a RETR, so
// a client that stops reading gets 426 after the data timeout instead of pinning the
// transfer (and the session) forever. p is the listed path, for the reply.
func List(ctx context.Context, d *Data, p string, write func(io.Writer) error) Result {
	conn, err := d.connect(ctx, d.Config.NotSentLowat)
	if err != nil {
		return Failed(StageConnect, err, p)
	}
	defer conn.Close()
	start := time.Now()
	dw, err := sendfile.NewWriter(ctx, conn, d.Copy)
	if err != nil {
		return Failed(StageCopy, err, p) // not started: nothing to log
	}
	var out io.Writer = dw
	var z *zStream
	if d.Deflate > 0 {
		z = newZStream(dw, int(d.Deflate-1))
		defer z.release()
		out = z
	}
	w := listBufs.Get().(*bufio.Writer)
	w.Reset(out)
	defer func() { w.Reset(nil); listBufs.Put(w) }()
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil && z != nil {
		err = z.close()
	}
	n, err := dw.Finish(err)
	if cerr := conn.Close(); err == nil && cerr != nil {
		err = cerr
	}
	r := Result{Path: p, Stage: StageCopy, Err: err, Bytes: n, Wire: -1, Start: start}
	if z != nil {
		// As for files: Bytes is the listing, Wire what crossed the network.
		r.Bytes, r.Wire = z.in, n
	}
	return r
}
