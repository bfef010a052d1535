// Reply parsing for the client side: FTP replies (RFC 959 §4.2, net/textproto's rules) read
// from []byte without allocating.

package bench

import (
	"bufio"
	"bytes"
)

// maxReplyText bounds how much of a reply's last line is kept when the line is longer than
// the control connection's read buffer; only short replies (227, 229, 213) are ever parsed.
const maxReplyText = 128

// replyCode returns the code of a reply line, or 0 when the line does not start with three
// digits followed by ' ', '-' or the end of the line.
func replyCode(line []byte) (code int, sep byte) {
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

// lineText returns the text after the "ddd " or "ddd-" prefix of a reply line.
func lineText(line []byte) []byte {
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
	code, sep := replyCode(first)
	if code == 0 {
		return 0, 0, nil, ErrMalformedReply
	}
	if sep == ' ' {
		return code, i + 1, lineText(first), nil
	}
	off := i + 1
	for {
		j := bytes.IndexByte(p[off:], '\n')
		if j < 0 {
			return 0, 0, nil, nil
		}
		line := p[off : off+j+1]
		off += j + 1
		if c, s := replyCode(line); c == code && s == ' ' {
			return code, off, lineText(line), nil
		}
	}
}

// replyReader reads replies from a buffered control connection. Owned by one goroutine.
type replyReader struct {
	scratch [maxReplyText]byte
}

// read reads one complete reply from r. text is the last line's text; it lives until the
// next read from r or the next call. Lines longer than r's buffer are consumed in pieces.
func (rr *replyReader) read(r *bufio.Reader) (code int, text []byte, err error) {
	line, long, err := rr.readLine(r)
	if err != nil {
		return 0, nil, err
	}
	code, sep := replyCode(line)
	if code == 0 {
		return 0, nil, ErrMalformedReply
	}
	if sep == ' ' {
		text, err = rr.finish(r, line, long)
		return code, text, err
	}
	if long {
		if err := skipLine(r); err != nil {
			return 0, nil, err
		}
	}
	for {
		line, long, err = rr.readLine(r)
		if err != nil {
			return 0, nil, err
		}
		if c, s := replyCode(line); c == code && s == ' ' {
			text, err = rr.finish(r, line, long)
			return code, text, err
		}
		if long {
			if err := skipLine(r); err != nil {
				return 0, nil, err
			}
		}
	}
}

// finish returns the text of the last line; a line longer than the buffer is copied
// (truncated) into scratch before the rest of it is skipped.
func (rr *replyReader) finish(r *bufio.Reader, line []byte, long bool) ([]byte, error) {
	if !long {
		return lineText(line), nil
	}
	n := copy(rr.scratch[:], line)
	if err := skipLine(r); err != nil {
		return nil, err
	}
	if n <= 4 {
		return nil, nil
	}
	return rr.scratch[4:n], nil
}

// readLine returns the next line, or its first buffer-full when it is longer (long=true).
func (rr *replyReader) readLine(r *bufio.Reader) (line []byte, long bool, err error) {
	line, err = r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return line, true, nil
	}
	return line, false, err
}

// skipLine discards input up to and including the next '\n'.
func skipLine(r *bufio.Reader) error {
	for {
		_, err := r.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}
