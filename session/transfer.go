// Transfers: RETR STOR APPE STOU LIST NLST MLSD. Each runs in its own goroutine (never on an
// event loop) and reports back to the owner through Post.

package session

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
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

// dataSource is how the transfer gets its connection: a passive listener or a PORT target.
type dataSource struct {
	pasv *datapath.Passive
	port netip.AddrPort
	tls  *tls.Config // PROT P: handshake as the TLS server after connecting
	// pace holds the buckets behind the transfer's Pacer (global, host, user, session), for the
	// data-loop engine (onEngine).
	pace []*throttle.Bucket
	// deflate is the MODE Z compression level plus one; 0 in stream mode (modez.go).
	deflate int8
}

func (d dataSource) close() {
	if d.pasv != nil {
		d.pasv.Close()
	}
}

// outcome is a transfer's final reply.
type outcome struct {
	code int
	text string
}

// startTransfer claims the data source and runs body on a new goroutine. It answers 425 and
// changes nothing else when no PASV/PORT came first.
func (s *Session) startTransfer(v proto.Verb, p string, body func(ctx context.Context, ds dataSource, o *sendfile.Options) outcome) {
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
	var dataTLS *tls.Config
	if s.conn.protP && s.env.TLS != nil {
		dataTLS = s.dataTLSConfig()
	}
	ds := dataSource{pasv: next.pasv, port: next.port, tls: dataTLS, deflate: zlevel}
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
	ds.pace = buckets
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
				ds.close()
				end(outcome{451, "Internal error; transfer aborted."})
			}
		}()
		end(body(ctx, ds, opts))
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

// connect opens the data connection for a transfer. send is true when the server writes
// to it (RETR, listings): such sockets get the TCP_NOTSENT_LOWAT limit, uploads do not
// (the option only concerns the sending side).
func (s *Session) connect(ctx context.Context, ds dataSource, send bool) (net.Conn, error) {
	var c net.Conn
	var err error
	if ds.pasv != nil {
		c, err = ds.pasv.Accept(ctx, s.conn.remote.Addr())
	} else {
		c, err = datapath.Dial(ctx, s.conn.local, ds.port, &s.env.Data)
	}
	if err != nil {
		return c, err
	}
	if n := s.env.Data.NotSentLowat; send && n > 0 {
		// On the raw socket, before any TLS wrapping. A failure costs only the tuning.
		if err := datapath.SetNotSentLowat(c, n); err != nil {
			s.env.Log.Debug("TCP_NOTSENT_LOWAT not set", "remote", s.conn.remote, "err", err)
		}
	}
	if ds.tls == nil {
		return c, nil
	}
	return s.wrapData(ctx, c, ds.tls)
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

func (s *Session) cmdRETR(arg []byte) {
	p := s.resolve(arg)
	if !s.can(auth.PermRetrieve, p) {
		return
	}
	user, rest := s.login.user, s.restOffset()
	fsys := user.FS
	s.startTransfer(proto.RETR, p, func(ctx context.Context, ds dataSource, opts *sendfile.Options) outcome {
		rf, err := s.env.openRetr(fsys, p) // through the open-file cache (filecache.go)
		if err != nil {
			ds.close()
			return errorReply(ctx, stageOpen, err, p)
		}
		defer rf.release()
		f, fi := rf.f, rf.fi
		switch {
		case fi.IsDir():
			ds.close()
			return errorReply(ctx, stageOpen, syscall.EISDIR, p)
		case rest > fi.Size():
			ds.close()
			return errorReply(ctx, stageOpen, errBadRest, p)
		case rest > 0 || rf.hit: // a cached descriptor is where its last RETR left it
			if _, err := f.Seek(rest, io.SeekStart); err != nil {
				ds.close()
				return errorReply(ctx, stageOpen, err, p)
			}
		}
		s.prelim("Opening data connection for " + p + " (" + strconv.FormatInt(fi.Size()-rest, 10) + " bytes).")
		conn, err := s.connect(ctx, ds, true)
		if err != nil {
			return errorReply(ctx, stageConnect, err, p)
		}
		start := time.Now()
		if ds.deflate > 0 {
			n, wire, err := sendDeflate(ctx, conn, f, opts, int(ds.deflate-1))
			if cerr := conn.Close(); err == nil {
				err = cerr
			}
			if want := fi.Size() - rest; err == nil && n < want {
				err = fmt.Errorf("%w: sent %d of %d bytes", errShrank, n, want)
			}
			s.logTransfer(user, "send", p, n, start, err, "wire", wire)
			s.transferEvent(user, EventFileSent, EventIncompleteFileSent, p, n, start, false, err)
			return errorReply(ctx, stageCopy, err, p)
		}
		n, ran, err := s.onEngine(ctx, conn, f, p, rest, false, opts, ds.pace)
		if !ran {
			n, err = sendfile.Send(ctx, conn, f, opts)
			if cerr := conn.Close(); err == nil {
				err = cerr
			}
		}
		// A file truncated while it was sent ends early at its new EOF: the client must not
		// take the short copy for the whole file (the 150 announced the size). A file that
		// grew is sent whole, as it now is. TYPE A changes the byte count: not checked.
		if want := fi.Size() - rest; err == nil && !opts.ASCII && n < want {
			err = fmt.Errorf("%w: sent %d of %d bytes", errShrank, n, want)
		}
		s.logTransfer(user, "send", p, n, start, err)
		s.transferEvent(user, EventFileSent, EventIncompleteFileSent, p, n, start, opts.ASCII, err)
		return errorReply(ctx, stageCopy, err, p)
	})
}

// Upload modes.
const (
	modeStore  = iota // STOR: replace
	modeAppend        // APPE: append (opened without O_APPEND, which would disable splice)
	modeUnique        // STOU: a new name
)

func (s *Session) cmdSTOR(arg []byte) {
	s.upload(s.resolve(arg), modeStore, auth.PermStore)
}

func (s *Session) cmdAPPE(arg []byte) {
	s.upload(s.resolve(arg), modeAppend, auth.PermAppend)
}

func (s *Session) cmdSTOU(arg []byte) {
	base := "ftp.file"
	if len(arg) > 0 {
		base = string(arg)
	}
	s.upload(s.resolve([]byte(base)), modeUnique, auth.PermStore)
}

// upload runs STOR, APPE and STOU. A STOR that replaces an existing file writes to a
// temporary name beside it and renames on success, so a failed or aborted upload never
// leaves someone else's file truncated. A new file (or a REST/APPE resume) is written in
// place, so an interrupted upload can be resumed; the reply says how much arrived.
func (s *Session) upload(p string, mode int, perm auth.Perm) {
	if !s.creatable(p) || !s.can(perm, p) {
		return
	}
	user, rest := s.login.user, s.restOffset()
	fsys := user.FS
	verb := proto.STOR
	if mode == modeAppend {
		verb = proto.APPE
	} else if mode == modeUnique {
		verb = proto.STOU
	}
	s.startTransfer(verb, p, func(ctx context.Context, ds dataSource, opts *sendfile.Options) outcome {
		f, target, temp, err := openUpload(fsys, p, mode, rest)
		if err != nil {
			ds.close()
			return errorReply(ctx, stageOpen, err, p)
		}
		if mode == modeUnique {
			s.prelim("FILE: " + path.Base(target))
		} else {
			s.prelim("Ready to receive data for " + target + ".")
		}
		conn, err := s.connect(ctx, ds, false)
		if err != nil {
			f.Close()
			if temp != "" {
				fsys.Remove(temp) // nothing arrived: the old file stays as it was
			}
			return errorReply(ctx, stageConnect, err, p)
		}
		start := time.Now()
		var off int64
		if s.env.eng != nil && (mode == modeAppend || rest > 0) {
			// openUpload left f at REST or, for APPE, at the end: the engine writes there.
			off, err = f.Seek(0, io.SeekCurrent)
		}
		n, ran, wire := int64(0), false, int64(-1)
		if err == nil && ds.deflate > 0 {
			n, wire, err = recvInflate(ctx, conn, f, opts)
		} else if err == nil {
			n, ran, err = s.onEngine(ctx, conn, f, target, off, true, opts, ds.pace)
		}
		if !ran && err == nil && ds.deflate == 0 {
			n, err = sendfile.Recv(ctx, f, conn, opts)
		}
		if !ran {
			conn.Close()
		}
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err == nil && temp != "" {
			err = fsys.Rename(temp, target)
		}
		if wire >= 0 {
			s.logTransfer(user, "receive", target, n, start, err, "wire", wire)
		} else {
			s.logTransfer(user, "receive", target, n, start, err)
		}
		s.transferEvent(user, EventFileReceived, EventIncompleteFileReceived, target, n, start, opts.ASCII, err)
		if err == nil {
			if mode == modeUnique {
				return outcome{226, "Transfer complete: stored as " + path.Base(target) + "."}
			}
			return outcome{226, "Transfer complete."}
		}
		out := errorReply(ctx, stageCopy, err, target)
		got := strconv.FormatInt(n, 10)
		if temp != "" {
			fsys.Remove(temp)
			out.text += " " + target + " left unchanged; " + got + " bytes received were discarded."
		} else {
			out.text += " " + got + " bytes of " + target + " were received."
		}
		return out
	})
}

// tempSeq makes temporary upload names unique within the process.
var tempSeq atomic.Uint64

// openUpload opens the file an upload writes to. It returns the file, the final name, and
// the temporary name to rename from on success ("" when writing in place).
func openUpload(fsys vfs.FS, p string, mode int, rest int64) (vfs.File, string, string, error) {
	switch {
	case mode == modeUnique:
		for i := 0; i < 100; i++ {
			name := p
			if i > 0 {
				name = p + "." + strconv.Itoa(i)
			}
			f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return f, name, "", err
		}
		return nil, "", "", &fs.PathError{Op: "stou", Path: p, Err: fs.ErrExist}
	case mode == modeAppend || rest > 0:
		flag := os.O_WRONLY
		if mode == modeAppend {
			flag |= os.O_CREATE
		}
		f, err := fsys.OpenFile(p, flag, 0o666)
		if err != nil {
			return nil, "", "", err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = &fs.PathError{Op: "open", Path: p, Err: fs.ErrInvalid}
		}
		if err == nil && rest > fi.Size() {
			err = errBadRest
		}
		off, whence := rest, io.SeekStart
		if mode == modeAppend {
			off, whence = 0, io.SeekEnd
		}
		if err == nil {
			_, err = f.Seek(off, whence)
		}
		if err != nil {
			f.Close()
			return nil, "", "", err
		}
		return f, p, "", nil
	}
	// STOR of a new name: create it exclusively and write in place.
	f, err := fsys.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return f, p, "", err
	}
	// The name exists: if it is a regular file, write beside it and rename at the end.
	fi, err := fsys.Stat(p)
	if err != nil {
		return nil, "", "", err
	}
	if !fi.Mode().IsRegular() {
		return nil, "", "", &fs.PathError{Op: "stor", Path: p, Err: errIsDir(fi)}
	}
	dir, base := path.Split(p)
	temp := dir + "." + base + ".fastftp-" + strconv.FormatUint(tempSeq.Add(1), 36) + ".part"
	f, err = fsys.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, "", "", err
	}
	return f, p, temp, nil
}

func errIsDir(fi fs.FileInfo) error {
	if fi.IsDir() {
		return syscall.EISDIR
	}
	return fs.ErrInvalid
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

var listBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// list streams a directory over the data connection, one batch of entries at a time.
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
	s.startTransfer(verb, p, func(ctx context.Context, ds dataSource, opts *sendfile.Options) outcome {
		fi, err := fsys.Stat(p)
		if err == nil && kind == listMLSD && !fi.IsDir() {
			ds.close()
			return outcome{501, p + ": Not a directory."}
		}
		if err != nil {
			ds.close()
			return errorReply(ctx, stageOpen, err, p)
		}
		s.prelim("Here comes the directory listing.")
		conn, err := s.connect(ctx, ds, true)
		if err != nil {
			return errorReply(ctx, stageConnect, err, p)
		}
		defer conn.Close()
		start := time.Now()
		// The listing goes out through the same pacing, stall deadline, progress counter and
		// cancellation as a RETR, so a client that stops reading gets 426 after the data
		// timeout instead of pinning this goroutine (and the session) forever.
		dw, err := sendfile.NewWriter(ctx, conn, opts)
		if err != nil {
			return errorReply(ctx, stageCopy, err, p)
		}
		var out io.Writer = dw
		var z *zStream
		if ds.deflate > 0 {
			z = newZStream(dw, int(ds.deflate-1))
			defer z.release()
			out = z
		}
		w := listBufs.Get().(*bufio.Writer)
		w.Reset(out)
		defer func() { w.Reset(nil); listBufs.Put(w) }()
		err = writeListing(w, &listReq{ctx: ctx, env: s.env, fsys: fsys, p: p, fi: fi, kind: kind,
			facts: facts, user: user, dirPerm: dirPerm})
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
		if z != nil {
			// As for files: bytes is the listing, wire what crossed the network.
			n, wire := z.in, n
			s.logTransfer(user, "list", p, n, start, err, "wire", wire)
			s.transferEvent(user, EventListingSent, EventListingSent, p, n, start, false, err)
			return errorReply(ctx, stageCopy, err, p)
		}
		s.logTransfer(user, "list", p, n, start, err)
		s.transferEvent(user, EventListingSent, EventListingSent, p, n, start, false, err)
		return errorReply(ctx, stageCopy, err, p)
	})
}
