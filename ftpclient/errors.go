// Error sentinels and the unexpected-reply error.

package ftpclient

import (
	"errors"
	"strconv"
)

// Sentinel errors. Wrapped errors say which step and which server failed; test with
// errors.Is.
var (
	// ErrMalformedReply: a control line that is not "ddd text" / "ddd-text".
	ErrMalformedReply = errors.New("ftpclient: malformed FTP reply")
	// ErrBadPassiveReply: a 227 or 229 reply whose address cannot be parsed.
	ErrBadPassiveReply = errors.New("ftpclient: unparsable passive-mode reply")
	// ErrShortData: a transfer ended before the expected number of bytes.
	ErrShortData = errors.New("ftpclient: short data")
	// ErrBadConfig: a mode that cannot work (an unknown data mode, PORT over IPv6).
	ErrBadConfig = errors.New("ftpclient: bad configuration")
)

// ReplyError is an unexpected reply to a command. It is returned by value inside an error
// interface only on failure paths, so the hot path does not allocate.
type ReplyError struct {
	Verb string // the command that got the reply
	Code int    // the reply code
	Text string // the reply's last line text
}

// Error implements error.
func (e *ReplyError) Error() string {
	return "ftpclient: " + e.Verb + ": unexpected reply " + strconv.Itoa(e.Code) + " " + e.Text
}

// NewReplyError returns a *ReplyError for verb's reply code and last-line text (copied).
func NewReplyError(verb string, code int, text []byte) error {
	return &ReplyError{Verb: verb, Code: code, Text: string(text)}
}
