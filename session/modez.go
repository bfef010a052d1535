// MODE Z (draft-preston-ftpext-deflate, as proftpd's mod_deflate, lftp and FileZilla speak
// it): MODE Z / MODE S, OPTS MODE Z LEVEL n, and the zlib (RFC 1950) wrapping of a
// transfer's data stream (RETR STOR APPE STOU LIST NLST MLSD). Compression happens in user
// space, so a MODE Z transfer never takes sendfile(2), splice(2) or the data-loop engine:
// zero copy cannot apply to bytes that must be transformed. It still goes through
// sendfile.Writer/Reader, so pacing, the stall deadline, ABOR and STAT progress (wire
// bytes) work as for any transfer. Its CPU cost per GiB is in BENCHMARKS.md "MODE Z".

package session

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
)

// defaultZLevel is zlib's own default, the one the draft and proftpd use; it is also the
// highest level a client may ask for unless configured: measured (BENCHMARKS.md "MODE Z"),
// level 9 costs about 18 times the CPU of level 6 on text for about 2% less on the wire.
const defaultZLevel = 6

func (e *Env) initModeZ() {
	if e.ModeZMax <= 0 {
		e.ModeZMax = runtime.NumCPU()
	}
	if e.ModeZMaxLevel <= 0 || e.ModeZMaxLevel > 9 {
		e.ModeZMaxLevel = defaultZLevel
	}
}

// connection.zmode: zOn is MODE Z; the bits under zLevelMask hold OPTS MODE Z LEVEL n as
// n+1 (0: the default level).
const (
	zOn        = 0x80
	zLevelMask = 0x0f
)

// zLevel is the compression level of the session's next MODE Z transfer.
func (s *Session) zLevel() int {
	if l := s.conn.zmode & zLevelMask; l > 0 {
		return int(l) - 1
	}
	return min(defaultZLevel, s.env.ModeZMaxLevel)
}

// optsModeZ answers OPTS MODE Z [LEVEL n]: without a pair it resets the level to the
// default (as proftpd does). Only LEVEL is supported; the draft's other options
// (ENGINE, BLOCKSIZE ...) get 501 as in proftpd.
func (s *Session) optsModeZ(val []byte) {
	if !s.env.ModeZ {
		s.reply(501, "Invalid OPTS argument: MODE Z is not enabled.")
		return
	}
	mode, pairs, _ := bytes.Cut(bytes.TrimSpace(val), []byte{' '})
	if !asciiEqualFold(mode, "Z") {
		s.reply(501, "Invalid OPTS MODE argument: only MODE Z has options.")
		return
	}
	pairs = bytes.TrimSpace(pairs)
	if len(pairs) == 0 {
		s.conn.zmode &^= zLevelMask
		s.reply(200, "MODE Z options reset to the defaults.")
		return
	}
	key, v, _ := bytes.Cut(pairs, []byte{' '})
	if !asciiEqualFold(key, "LEVEL") {
		s.reply(501, "Unsupported MODE Z option: only LEVEL is.")
		return
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
	if err != nil || n < 0 || n > s.env.ModeZMaxLevel {
		s.reply(501, "MODE Z LEVEL must be 0 to "+strconv.Itoa(s.env.ModeZMaxLevel)+".")
		return
	}
	s.conn.zmode = s.conn.zmode&zOn | uint8(n+1)
	s.reply(200, "MODE Z LEVEL set to "+strconv.Itoa(n)+".")
}

// claimModeZ takes one of the server's ModeZMax compression slots for a transfer in MODE Z
// and returns the level plus one (0 in stream mode) and the slot's release. Past the
// bound the transfer gets 425 and the data connection is dropped: falling back to stream
// mode is not possible (the client would inflate plain bytes), and proftpd has no bound to
// copy. A file transfer under TYPE A gets 504: the ASCII conversion is not done in MODE Z.
func (s *Session) claimModeZ(v proto.Verb, next *pending) (level int8, release func(), ok bool) {
	if s.conn.zmode&zOn == 0 {
		return 0, func() {}, true
	}
	file := v == proto.RETR || v == proto.STOR || v == proto.APPE || v == proto.STOU
	refuse := func(code int, text string) (int8, func(), bool) {
		if next.pasv != nil {
			next.pasv.Close()
		}
		next.pasv, next.port = nil, netipZero
		s.reply(code, text)
		return 0, nil, false
	}
	if file && s.login.ascii {
		return refuse(504, "MODE Z file transfers need TYPE I.")
	}
	bound := int64(s.env.ModeZMax)
	if s.env.zActive.Add(1) > bound {
		s.env.zActive.Add(-1)
		s.env.Log.Warn("transfer refused: too many MODE Z transfers", "remote", s.conn.remote,
			"user", s.userString(), "verb", v.String(), "max", bound)
		return refuse(425, "Too many compressed (MODE Z) transfers at once (at most "+
			strconv.FormatInt(bound, 10)+"); try again later or use MODE S.")
	}
	return int8(s.zLevel() + 1), func() { s.env.zActive.Add(-1) }, true
}

// zWriters pools compressors by level: a flate compressor holds about 1 MiB of state.
var zWriters [10]sync.Pool

var zBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// zStream is a zlib compressor writing through a 64 KiB buffer (flate emits a few hundred
// bytes per write, each would be a system call) to the data connection's Writer.
type zStream struct {
	zw    *zlib.Writer
	bw    *bufio.Writer
	level int
	in    int64 // bytes given to Write (before compression)
}

func newZStream(dst io.Writer, level int) *zStream {
	bw := zBufs.Get().(*bufio.Writer)
	bw.Reset(dst)
	z := &zStream{bw: bw, level: level}
	if w, ok := zWriters[level].Get().(*zlib.Writer); ok {
		w.Reset(bw)
		z.zw = w
	} else {
		z.zw, _ = zlib.NewWriterLevel(bw, level) // level is 0-9: no error
	}
	return z
}

func (z *zStream) Write(p []byte) (int, error) {
	n, err := z.zw.Write(p)
	z.in += int64(n)
	return n, err
}

// close ends the zlib stream (final block and Adler-32) and flushes it; release returns
// the buffers to their pools whether or not close ran.
func (z *zStream) close() error {
	if err := z.zw.Close(); err != nil {
		return err
	}
	return z.bw.Flush()
}

func (z *zStream) release() {
	z.bw.Reset(nil)
	zBufs.Put(z.bw)
	zWriters[z.level].Put(z.zw)
}

// readOnly hides *os.File's WriterTo from io.CopyBuffer, which would otherwise bypass
// the pooled buffer.
type readOnly struct{ io.Reader }

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// sendDeflate sends src compressed at level over conn. It returns the bytes read from src
// and the bytes written to conn.
func sendDeflate(ctx context.Context, conn net.Conn, src io.Reader, opts *sendfile.Options, level int) (file, wire int64, err error) {
	dw, err := sendfile.NewWriter(ctx, conn, opts)
	if err != nil {
		return 0, 0, err
	}
	z := newZStream(dw, level)
	bp := copyBufs.Get().(*[]byte)
	file, err = io.CopyBuffer(z, readOnly{src}, *bp)
	copyBufs.Put(bp)
	if err == nil {
		err = z.close()
	}
	z.release()
	wire, err = dw.Finish(err)
	return file, wire, err
}

// zReaders pools decompressors with their socket-side read buffer.
var zReaders sync.Pool

type zSource struct {
	br *bufio.Reader
	zr io.ReadCloser
}

// recvInflate reads a zlib stream from conn and writes what it inflates to dst as it
// goes, through one 64 KiB buffer: a decompression bomb costs disk (subject to the usual
// quota and ENOSPC replies), never memory. It returns the bytes written to dst and read
// from conn. An empty data stream is an empty file. A stream that is not zlib, is cut
// short or fails its checksum is errBadZStream.
func recvInflate(ctx context.Context, conn net.Conn, dst io.Writer, opts *sendfile.Options) (file, wire int64, err error) {
	r, err := sendfile.NewReader(ctx, conn, opts)
	if err != nil {
		return 0, 0, err
	}
	src, _ := zReaders.Get().(*zSource)
	if src == nil {
		src = &zSource{br: bufio.NewReaderSize(r, 64<<10)}
	} else {
		src.br.Reset(r)
	}
	defer func() { src.br.Reset(nil); zReaders.Put(src) }()
	if _, perr := src.br.Peek(1); perr == io.EOF {
		wire, err = r.Finish(nil)
		return 0, wire, err
	}
	if src.zr == nil {
		src.zr, err = zlib.NewReader(src.br)
	} else {
		err = src.zr.(zlib.Resetter).Reset(src.br, nil)
	}
	if err == nil {
		bp := copyBufs.Get().(*[]byte)
		file, err = io.CopyBuffer(dst, src.zr, *bp)
		copyBufs.Put(bp)
	}
	if badZ(err) {
		err = fmt.Errorf("%w: %w", errBadZStream, err)
	}
	wire, err = r.Finish(err)
	return file, wire, err
}

// badZ reports whether err is the inflater's verdict on the data (not a socket or disk
// failure, which keep their own replies).
func badZ(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) ||
		errors.Is(err, zlib.ErrDictionary) || errors.As(err, &corrupt) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
