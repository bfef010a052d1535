// Transfers: RETR STOR APPE STOU LIST NLST MLSD. The session checks and claims (permission,
// one transfer at a time, limits, MODE Z slots), opens the file, sends the 150, asks package
// transfer to move the bytes and logs the Result. Each runs in its own goroutine (never on
// an event loop) and reports back to the owner through Post.

package session

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"path"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/sendfile"
	xfer "github.com/fastftp/fastftp/transfer"
)

// transfer is the state of the running transfer. aborted is owner-only; progress is read by
// STAT on the owner while the transfer goroutine adds to it.
type transfer struct {
	verb     proto.Verb
	path     string
	cancel   context.CancelFunc
	aborted  bool
	progress atomic.Int64
}

// outcome is a transfer's final reply.
type outcome struct {
	code int
	text string
}

// replyOf is the reply to a transfer's result (transfer.Result.Reply).
func replyOf(ctx context.Context, r xfer.Result) outcome {
	code, text := r.Reply(ctx)
	return outcome{code, text}
}

// startTransfer claims the data source and runs body on a new goroutine. It answers 425 and
// changes nothing else when no PASV/PORT came first.
func (s *Session) startTransfer(v proto.Verb, p string, body func(ctx context.Context, d *xfer.Data) outcome) {
	next := s.login.next
	if next == nil || (next.pasv == nil && !next.port.IsValid()) {
		s.reply(425, "Use PORT or PASV first.")
		return
	}
	if s.dataTLSRequired() {
		return
	}
	zlevel, unZ, ok := s.claimModeZ(v, next)
	if !ok {
		return
	}
	unlimit, ok := s.claimTransferSlot(v, next)
	if !ok {
		unZ()
		return
	}
	data := &xfer.Data{Passive: next.pasv, Port: next.port, Local: s.conn.local, Remote: s.conn.remote,
		Config: &s.env.Data, Deflate: zlevel, Engine: s.env.eng, Log: s.env.Log}
	if s.conn.protP && s.env.TLS != nil {
		data.TLS = s.dataTLS(s.dataTLSConfig())
	}
	next.pasv, next.port, next.rest = nil, netipZero, 0
	ctx, cancel := context.WithCancel(context.Background())
	x := &transfer{verb: v, path: p, cancel: cancel}
	d := s.xfers()
	d.running = x
	s.current.busy = true
	s.conn.watch(watchTransferring, true)
	opts := s.copyOptions(x)
	upload := v == proto.STOR || v == proto.APPE || v == proto.STOU
	if upload && opts.Chunk < uploadChunk {
		opts.Chunk = uploadChunk
	}
	own := &d.writeBucket
	if upload {
		own = &d.readBucket
	}
	pacer, buckets, release := s.env.gov.pacer(upload, s.login.gov, s.conn.remote.Addr(), own)
	opts.Pacer = pacer
	data.Copy, data.Pace = opts, buckets
	if o := s.env.Observer; o != nil {
		lim, rel := pacer, release
		release = func() {
			if w, ok := lim.(interface{ Waits() time.Duration }); ok && w.Waits() > 0 {
				o.ThrottleWait(upload, w.Waits())
			}
			rel()
		}
	}
	s.env.xfers.add()
	// end reports the outcome to the owner. The pacer is released first: the next transfer
	// may start as soon as the owner has the outcome, and it reuses the session's bucket,
	// which a late release would drop from the buckets SetRates updates.
	end := func(out outcome) {
		cancel()
		release()
		unlimit()
		unZ()
		s.conn.watch(watchTransferring, false)
		s.post(func() { s.endTransfer(x, out) })
	}
	go func() {
		defer s.env.xfers.done()
		defer func() {
			// A bug in one transfer must not take down every session of the server.
			if r := recover(); r != nil {
				s.env.Log.Error("panic in transfer", "remote", s.conn.remote, "path", p, "panic", r, "stack", string(debug.Stack()))
				data.Close()
				end(outcome{451, "Internal error; transfer aborted."})
			}
		}()
		end(body(ctx, data))
	}()
}

func (s *Session) endTransfer(x *transfer, out outcome) {
	s.data.running = nil
	s.current.busy = false
	s.conn.last.Store(s.env.now())
	if x.aborted {
		if out.code == 226 {
			s.reply(226, out.text)
		} else {
			s.reply(426, "Transfer aborted via ABOR.")
		}
		s.reply(226, "ABOR command successful.")
	} else {
		s.reply(out.code, out.text)
	}
	s.commandDone()
	if s.current.quitting {
		s.goodbye()
	}
}

// dataTLS is the PROT P wrap of a data connection (wrapData, cmd_tls.go); its refusal of
// a connection that did not resume is ErrNoReuse, which is transfer.ErrTLSNotResumed.
func (s *Session) dataTLS(cfg *tls.Config) func(context.Context, net.Conn) (net.Conn, error) {
	return func(ctx context.Context, c net.Conn) (net.Conn, error) { return s.wrapData(ctx, c, cfg) }
}

func (s *Session) copyOptions(x *transfer) *sendfile.Options {
	o := &sendfile.Options{
		Chunk:    s.env.Chunk,
		Disable:  s.env.DisableSendfile,
		ASCII:    s.login.ascii,
		Progress: &x.progress,
	}
	if s.env.DataTimeout > 0 {
		o.Stall = s.env.DataTimeout
	}
	return o
}

// uploadChunk is the splice(2) size for uploads: measured on loopback, splice only spent
// less CPU than a user-space copy at 1 MiB per call and above (64 KiB suits sendfile).
const uploadChunk = 1 << 20

// prelim sends a 1xx reply from the transfer goroutine.
func (s *Session) prelim(text string) {
	s.post(func() { s.reply(150, text) })
}

// transferEvent reports a finished transfer. It runs on the transfer goroutine, so it uses
// the user captured when the transfer started: the session may be logged out by now.
func (s *Session) transferEvent(u *auth.User, ok, incomplete EventKind, p string, n int64, start time.Time, ascii bool, err error) {
	if s.env.Events == nil {
		return
	}
	k := ok
	if err != nil {
		k = incomplete
	}
	s.env.Events(Event{Kind: k, Time: time.Now(), Remote: s.conn.remote, User: u.Name, Path: p,
		Bytes: n, Duration: time.Since(start), Err: err, ASCII: ascii, Anon: u.Anonymous})
}

// logTransfer writes the transfer's line. result says how it ended: "complete", "aborted"
// (ABOR, or the control connection closed), "closed by client" (a download whose client
// closed the data connection early, as segmented downloaders such as lftp pget and aria2c
// do once they hold their part: not a failure) or "failed"; err is there only when set.
func (s *Session) logTransfer(u *auth.User, dir, p string, n int64, start time.Time, err error, extra ...any) {
	ms := time.Since(start).Milliseconds()
	result := "failed"
	switch {
	case err == nil:
		s.env.Log.Info("transfer", append([]any{"dir", dir, "path", p, "bytes", n, "ms", ms, "remote", s.conn.remote,
			"user", u.Name, "result", "complete"}, extra...)...)
		return
	case errors.Is(err, context.Canceled):
		result = "aborted"
	case dir != "receive" && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)):
		result = "closed by client"
	}
	s.env.Log.Info("transfer", append([]any{"dir", dir, "path", p, "bytes", n, "ms", ms, "remote", s.conn.remote,
		"user", u.Name, "result", result, "err", err}, extra...)...)
}

// finish logs and reports a transfer that got its data connection (a zero Start: nothing
// moved, nothing to log), then returns its reply. It runs on the transfer goroutine.
func (s *Session) finish(ctx context.Context, u *auth.User, dir string, ok, incomplete EventKind, ascii bool, r xfer.Result) outcome {
	if !r.Start.IsZero() {
		if o := s.env.Observer; o != nil && r.Waited > 0 {
			o.ThrottleWait(dir == "receive", r.Waited) // the engine's pacer; the goroutine path's reports at release
		}
		if r.Wire >= 0 {
			s.logTransfer(u, dir, r.Path, r.Bytes, r.Start, r.Err, "wire", r.Wire)
		} else {
			s.logTransfer(u, dir, r.Path, r.Bytes, r.Start, r.Err)
		}
		s.transferEvent(u, ok, incomplete, r.Path, r.Bytes, r.Start, ascii, r.Err)
	}
	return replyOf(ctx, r)
}

// openFailed answers a transfer whose file or directory could not be opened: the data
// connection is never made.
func openFailed(ctx context.Context, d *xfer.Data, err error, p string) outcome {
	d.Close()
	return replyOf(ctx, xfer.Failed(xfer.StageOpen, err, p))
}

func (s *Session) cmdRETR(arg []byte) {
	p := s.resolve(arg)
	if !s.can(auth.PermRetrieve, p) {
		return
	}
	user, rest := s.login.user, s.restOffset()
	fsys := user.FS
	s.startTransfer(proto.RETR, p, func(ctx context.Context, d *xfer.Data) outcome {
		rf, err := s.env.openRetr(fsys, p) // through the open-file cache (filecache.go)
		if err != nil {
			return openFailed(ctx, d, err, p)
		}
		defer rf.release()
		f, fi := rf.f, rf.fi
		switch {
		case fi.IsDir():
			err = syscall.EISDIR
		case rest > fi.Size():
			err = xfer.ErrBadRest
		case rest > 0 || rf.hit: // a cached descriptor is where its last RETR left it
			_, err = f.Seek(rest, io.SeekStart)
		}
		if err != nil {
			return openFailed(ctx, d, err, p)
		}
		s.prelim("Opening data connection for " + p + " (" + strconv.FormatInt(fi.Size()-rest, 10) + " bytes).")
		r := xfer.Send(ctx, d, f, p, rest, fi.Size()-rest)
		return s.finish(ctx, user, "send", EventFileSent, EventIncompleteFileSent, d.Copy.ASCII, r)
	})
}

func (s *Session) cmdSTOR(arg []byte) {
	s.upload(s.resolve(arg), xfer.Store, auth.PermStore)
}

func (s *Session) cmdAPPE(arg []byte) {
	s.upload(s.resolve(arg), xfer.Append, auth.PermAppend)
}

func (s *Session) cmdSTOU(arg []byte) {
	base := "ftp.file"
	if len(arg) > 0 {
		base = string(arg)
	}
	s.upload(s.resolve([]byte(base)), xfer.Unique, auth.PermStore)
}

// upload runs STOR, APPE and STOU; the upload policy (a replacement written beside its
// target and renamed, everything else in place) is transfer.OpenUpload's and Receive's.
func (s *Session) upload(p string, mode xfer.Mode, perm auth.Perm) {
	if !s.creatable(p) || !s.can(perm, p) {
		return
	}
	user, rest := s.login.user, s.restOffset()
	fsys := user.FS
	verb := proto.STOR
	if mode == xfer.Append {
		verb = proto.APPE
	} else if mode == xfer.Unique {
		verb = proto.STOU
	}
	s.startTransfer(verb, p, func(ctx context.Context, d *xfer.Data) outcome {
		u, err := xfer.OpenUpload(fsys, p, mode, rest)
		if err != nil {
			return openFailed(ctx, d, err, p)
		}
		if mode == xfer.Unique {
			s.prelim("FILE: " + path.Base(u.Target))
		} else {
			s.prelim("Ready to receive data for " + u.Target + ".")
		}
		r := xfer.Receive(ctx, d, u)
		return s.finish(ctx, user, "receive", EventFileReceived, EventIncompleteFileReceived, d.Copy.ASCII, r)
	})
}

// Listings.
const (
	listLong = iota // LIST
	listName        // NLST
	listMLSD        // MLSD
)

func (s *Session) cmdLIST(arg []byte) { s.list(arg, listLong) }
func (s *Session) cmdNLST(arg []byte) { s.list(arg, listName) }
func (s *Session) cmdMLSD(arg []byte) { s.list(arg, listMLSD) }

// list streams a directory over the data connection (writeListing, listing.go), one batch
// of entries at a time.
func (s *Session) list(arg []byte, kind int) {
	if kind != listMLSD {
		arg = skipListOptions(arg)
	}
	p := s.login.cwd
	if len(arg) > 0 {
		p = s.resolve(arg)
	}
	if !s.can(auth.PermList, p) {
		return
	}
	fsys, facts, user := s.login.user.FS, s.login.facts, s.login.user
	dirPerm := ""
	if kind == listMLSD {
		dirPerm = permFact(user, p, false)
	}
	verb := [...]proto.Verb{proto.LIST, proto.NLST, proto.MLSD}[kind]
	s.startTransfer(verb, p, func(ctx context.Context, d *xfer.Data) outcome {
		fi, err := fsys.Stat(p)
		if err == nil && kind == listMLSD && !fi.IsDir() {
			d.Close()
			return outcome{501, p + ": Not a directory."}
		}
		if err != nil {
			return openFailed(ctx, d, err, p)
		}
		s.prelim("Here comes the directory listing.")
		req := &listReq{ctx: ctx, env: s.env, fsys: fsys, p: p, fi: fi, kind: kind,
			facts: facts, user: user, dirPerm: dirPerm}
		r := xfer.List(ctx, d, p, func(w io.Writer) error { return writeListing(w, req) })
		return s.finish(ctx, user, "list", EventListingSent, EventListingSent, false, r)
	})
}
