// Reply parsing: FTP replies (RFC 959 §4.2, net/textproto's rules) read from []byte or a
// bufio.Reader without allocating.

package ftpclient

import (
	"bufio"
	"bytes"
)

// maxReplyText bounds how much of a reply's last line is kept when the line is longer than
// the control connection's read buffer; only short replies (227, 229, 213) are ever parsed.
const maxReplyText = 128

// ReplyCode returns the code of a reply line and its separator (' ' ends a reply, '-' opens
// a multi-line one), or 0 when the line does not start with three digits followed by ' ',
// '-' or the end of the line. Safe from any goroutine; does not allocate.
func ReplyCode(line []byte) (code int, sep byte) {
	if len(line) < 3 {
		return 0, 0
	}
	a, b, c := line[0]-'0', line[1]-'0', line[2]-'0'
	if a < 1 || a > 6 || b > 9 || c > 9 {
		return 0, 0
	}
	sep = ' '
	if len(line) > 3 {
		sep = line[3]
		if sep == '\r' || sep == '\n' {
			sep = ' '
		} else if sep != ' ' && sep != '-' {
			return 0, 0
		}
	}
	return int(a)*100 + int(b)*10 + int(c), sep
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	return line
}

// ReplyText returns the text after the "ddd " or "ddd-" prefix of a reply line, without
// its line end: a sub-slice of line.
func ReplyText(line []byte) []byte {
	line = trimEOL(line)
	if len(line) <= 4 {
		return nil
	}
	return line[4:]
}

// ScanReply looks for one complete reply at the start of p. It returns the reply code, the
// number of bytes the reply occupies (0 while p does not yet hold a complete reply) and the
// text of its last line without the code and line end. A multi-line reply starts with
// "ddd-" and ends at the first line that starts with the same "ddd ". text is a sub-slice
// of p and lives as long as p. ScanReply does not allocate and is safe from any goroutine.
func ScanReply(p []byte) (code int, n int, text []byte, err error) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		return 0, 0, nil, nil
	}
	first := p[:i+1]
	code, sep := ReplyCode(first)
	if code == 0 {
		return 0, 0, nil, ErrMalformedReply
	}
	if sep == ' ' {
		return code, i + 1, ReplyText(first), nil
	}
	off := i + 1
	for {
		j := bytes.IndexByte(p[off:], '\n')
		if j < 0 {
			return 0, 0, nil, nil
		}
		line := p[off : off+j+1]
		off += j + 1
		if c, s := ReplyCode(line); c == code && s == ' ' {
			return code, off, ReplyText(line), nil
		}
	}
}

// ReplyReader reads replies from a buffered control connection. The zero value is ready;
// owned by one goroutine.
type ReplyReader struct {
	scratch [maxReplyText]byte
	keep    []byte // ReadAppend's destination while keeping is set
	keeping bool
}

// Read reads one complete reply from r (RFC 959 §4.2: a multi-line reply starts with
// "ddd-" and ends at the first line starting "ddd "). text is the last line's text; it
// lives until the next read from r or the next call. Lines longer than r's buffer are
// consumed in pieces. Read does not allocate.
func (rr *ReplyReader) Read(r *bufio.Reader) (code int, text []byte, err error) {
	rr.keeping = false
	return rr.read(r)
}

// ReadAppend reads one reply as Read does and appends every byte of it, line ends
// included, to dst: for callers that need the whole of a multi-line reply (FEAT, STAT,
// HELP) or check its framing. On error, reply holds what was read of it. It allocates
// only when dst grows.
func (rr *ReplyReader) ReadAppend(r *bufio.Reader, dst []byte) (code int, reply []byte, err error) {
	rr.keep, rr.keeping = dst, true
	code, _, err = rr.read(r)
	reply, rr.keep, rr.keeping = rr.keep, nil, false
	return code, reply, err
}

func (rr *ReplyReader) read(r *bufio.Reader) (code int, text []byte, err error) {
	line, long, err := rr.readLine(r)
	if err != nil {
		return 0, nil, err
	}
	code, sep := ReplyCode(line)
	if code == 0 {
		return 0, nil, ErrMalformedReply
	}
	if sep == ' ' {
		text, err = rr.finish(r, line, long)
		return code, text, err
	}
	if long {
		if err := rr.skipLine(r); err != nil {
			return 0, nil, err
		}
	}
	for {
		line, long, err = rr.readLine(r)
		if err != nil {
			return 0, nil, err
		}
		if c, s := ReplyCode(line); c == code && s == ' ' {
			text, err = rr.finish(r, line, long)
			return code, text, err
		}
		if long {
			if err := rr.skipLine(r); err != nil {
				return 0, nil, err
			}
		}
	}
}

// finish returns the text of the last line; a line longer than the buffer is copied
// (truncated) into scratch before the rest of it is skipped.
func (rr *ReplyReader) finish(r *bufio.Reader, line []byte, long bool) ([]byte, error) {
	if !long {
		return ReplyText(line), nil
	}
	n := copy(rr.scratch[:], line)
	if err := rr.skipLine(r); err != nil {
		return nil, err
	}
	if n <= 4 {
		return nil, nil
	}
	return rr.scratch[4:n], nil
}

// readLine returns the next line, or its first buffer-full when it is longer (long=true).
func (rr *ReplyReader) readLine(r *bufio.Reader) (line []byte, long bool, err error) {
	line, err = r.ReadSlice('\n')
	rr.append(line)
	if err == bufio.ErrBufferFull {
		return line, true, nil
	}
	return line, false, err
}

// skipLine discards input up to and including the next '\n'.
func (rr *ReplyReader) skipLine(r *bufio.Reader) error {
	for {
		p, err := r.ReadSlice('\n')
		rr.append(p)
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// append keeps p for ReadAppend.
func (rr *ReplyReader) append(p []byte) {
	if rr.keeping {
		rr.keep = append(rr.keep, p...)
	}
}
