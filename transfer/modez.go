// MODE Z's data stream (draft-preston-ftpext-deflate): the zlib (RFC 1950) wrapping of a
// transfer's bytes, between the file and sendfile.Writer (downloads, listings) or
// sendfile.Reader (uploads), so pacing, the stall deadline, ABOR and progress count wire
// bytes. Compression happens in user space: a MODE Z transfer never takes sendfile(2),
// splice(2) or the data-loop engine. The commands (MODE Z, OPTS MODE Z) and the bound on
// concurrent compressed transfers stay in session/modez.go.

package transfer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/fastftp/fastftp/sendfile"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
)

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
// short or fails its checksum is ErrBadZStream.
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
		err = fmt.Errorf("%w: %w", ErrBadZStream, err)
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
