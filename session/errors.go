// Errors as replies. The one mapping of errors to FTP replies is transfer.ErrorReply
// (transfer/errors.go): storage calls on the control connection and every stage of a
// transfer go through it. What stays here are the classes only checksums have (HASH, XCRC
// ...): their errors are the session's, and so is their "aborted" text.

package session

import (
	"context"
	"errors"

	xfer "github.com/fastftp/fastftp/transfer"
)

// The session's own errors, mapped to replies by errorReply.
var (
	// errHashRange: a checksum range past the end of the file.
	errHashRange = errors.New("range beyond the end of the file")
	// errHashShort: the file shrank while it was hashed.
	errHashShort = errors.New("file shrank while it was hashed")
)

// stage is where an error answered on the control connection happened. Transfer stages
// are transfer.Stage's.
type stage uint8

const (
	stageStorage stage = iota // a storage call (CWD, MKD, DELE ...)
	stageDigest               // opening and reading a file for HASH, XCRC ...
)

// digestClasses are the checksum's own classes, tried before the storage classes of
// transfer.ErrorReply, which answers every other error of a digest as it answers a storage
// call (a missing file is 550 "No such file or directory." in both).
var digestClasses = []struct {
	class string
	is    func(error) bool
	code  int
	text  string
	named bool
}{
	{"aborted", nil, 426, "Checksum aborted.", false}, // matched by the context, not the error
	{"range beyond the end", isErr(errHashRange), 554, "Invalid range: beyond the end of the file.", false},
	{"file changed while hashed", isErr(errHashShort), 451, "file changed while it was hashed; try again.", true},
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// errorReply maps err, which happened at stage st on virtual path p, to its reply; ctx
// (nil outside digests) tells an abort from a failure, whatever error the abort left behind.
func errorReply(ctx context.Context, st stage, err error, p string) outcome {
	if st == stageDigest && err != nil {
		aborted := ctx != nil && ctx.Err() != nil
		for _, c := range digestClasses {
			if c.is == nil && aborted || c.is != nil && c.is(err) {
				if c.named {
					return outcome{c.code, p + ": " + c.text}
				}
				return outcome{c.code, c.text}
			}
		}
	}
	code, text := xfer.ErrorReply(ctx, xfer.StageStorage, err, p)
	return outcome{code, text}
}

// replyErr answers a failed storage call on the control connection.
func (s *Session) replyErr(err error, vpath string) {
	out := errorReply(context.Background(), stageStorage, err, vpath) // nothing to abort on the control connection
	s.reply(out.code, out.text)
}
