// notices.go: texts the operator puts in front of users, as vsftpd's dirmessage_enable /
// message_file (shown in the 250 reply to CWD) and banner_file-like welcome text (shown in
// the 230 reply after login). Both are files written by someone else than the server, so
// each is bounded (noticeMaxBytes, noticeMaxLines) and sanitized: every line becomes one
// continuation line starting with a space, which no client can read as the reply's end
// (RFC 959 4.2), with control characters (CR and LF included) and Telnet IAC removed.

package session

import (
	"bytes"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// Bounds of a notice: the first noticeMaxBytes of the file, at most noticeMaxLines lines.
// Each line is at most noticeMaxBytes long, well under what clients read as one line.
const (
	noticeMaxBytes = 4 << 10
	noticeMaxLines = 50
)

// notices holds the current DirMessage name and the encoded Welcome lines.
type notices struct {
	dirMessage string
	welcome    []byte // continuation lines, ready to append; nil: none
}

// ErrBadMessageName: a DirMessage that is not a plain file name.
var ErrBadMessageName = errors.New("directory message name must be a file name without '/' (such as .message)")

// CheckMessageName reports whether name can be a DirMessage: "" (off) or one file name.
// Safe from any goroutine.
func CheckMessageName(name string) error {
	if name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return ErrBadMessageName
	}
	return nil
}

// SetNotices changes the directory message file name ("" off) and the welcome text (""
// none) for the CWDs and logins that follow. An invalid name changes nothing. Safe from any
// goroutine, after Start.
func (e *Env) SetNotices(dirMessage, welcome string) error {
	if err := CheckMessageName(dirMessage); err != nil {
		return err
	}
	e.notices.Store(&notices{dirMessage: dirMessage, welcome: appendNoticeLines(nil, []byte(welcome))})
	return nil
}

// appendNoticeLines appends text as continuation lines: " line\r\n" per line, within the
// bounds, control characters dropped (a tab becomes a space), trailing blank lines dropped.
func appendNoticeLines(dst []byte, text []byte) []byte {
	if len(text) > noticeMaxBytes {
		text = text[:noticeMaxBytes]
	}
	start, end := len(dst), len(dst) // end: past the last line with text
	lines := 0
	for len(text) > 0 && lines < noticeMaxLines {
		line, rest, _ := bytes.Cut(text, []byte{'\n'})
		text = rest
		lines++
		dst = append(dst, ' ')
		blank := true
		for _, c := range line {
			switch {
			case c == '\t':
				c = ' '
			case c < 0x20 || c == 0x7f || c == 0xff: // CR, LF, ESC, NUL ... and Telnet IAC
				continue
			}
			dst = append(dst, c)
			blank = blank && c == ' '
		}
		dst = append(dst, '\r', '\n')
		if !blank {
			end = len(dst)
		}
	}
	if end == start {
		return dst[:start]
	}
	return dst[:end]
}

// readDirMessage returns the directory message of dir as continuation lines, or nil when
// it is off, missing, not a regular file or unreadable (a message is a courtesy: it never
// fails the CWD). It opens the file through the user's FS, so a message that is a symbolic
// link out of the root is not followed. Runs on the worker pool.
func readDirMessage(fsys vfs.FS, dir, name string) []byte {
	if name == "" {
		return nil
	}
	f, err := fsys.Open(path.Join(dir, name))
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	var buf [noticeMaxBytes]byte
	n, err := io.ReadFull(f, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil
	}
	return appendNoticeLines(nil, buf[:n])
}

// noticeStart opens a multi-line reply with code-title and the notice's lines; the
// command's usual reply, which follows, closes it. Without lines it writes nothing. Owner
// only.
func (s *Session) noticeStart(code int, title string, lines []byte) {
	if len(lines) == 0 {
		return
	}
	o := s.t.Out()
	*o = append(proto.AppendReplyStart(*o, code, title), lines...)
}
