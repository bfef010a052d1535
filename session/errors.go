// The one mapping of errors to FTP replies (as ftpserverlib's errors.go): storage calls on
// the control connection, every stage of a transfer and of a digest go through errorReply,
// which finds the error's class in one table and the reply for the stage it happened at.

package session

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"

	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/vfs"
)

// The session's own errors, mapped to replies by errorReply.
var (
	// errBadRest: a REST offset past the end of the file (RETR, or a STOR resuming).
	errBadRest = errors.New("REST offset beyond end of file")
	// errShrank: the file being sent lost bytes (truncated) before they were sent.
	errShrank = errors.New("file shrank during the transfer")
	// errHashRange: a checksum range past the end of the file.
	errHashRange = errors.New("range beyond the end of the file")
	// errHashShort: the file shrank while it was hashed.
	errHashShort = errors.New("file shrank while it was hashed")
	// errBadZStream: a MODE Z upload that is not a complete zlib stream (modez.go).
	errBadZStream = errors.New("not a valid zlib stream")
)

// stage is where an error happened: the same error means different things in each place.
type stage uint8

const (
	stageStorage stage = iota // a storage call answered on the control connection (CWD, MKD, DELE ...)
	stageOpen                 // opening a transfer's file or directory
	stageConnect              // making the data connection and its TLS handshake
	stageCopy                 // moving a transfer's bytes
	stageDigest               // opening and reading a file for HASH, XCRC ...
	numStages
)

// answer is one reply of the table. A named one puts "<path>: " before the text, so the
// client sees which virtual path failed (never a host path).
type answer struct {
	code  int
	text  string
	named bool
}

func named(code int, text string) answer { return answer{code, text, true} }
func bare(code int, text string) answer  { return answer{code, text, false} }

// byStage is a class's replies, indexed by stage.
type byStage = [numStages]answer

// errorClasses is the table: the classes of errors in the order they are tried, each with
// its reply per stage. A stage left out answers as stageStorage when it opens or reads a
// file (stageOpen, stageDigest), else as the stage's default (stageDefaults).
//
// Order matters where an error belongs to two classes: full storage comes first (never the
// client's doing, whatever wraps it), then the data connection's failures (a *net.OpError
// wrapping EPERM is the connection's, not a permission problem), then the storage classes
// (ENOTEMPTY before EEXIST, which it also matches).
var errorClasses = []struct {
	class string
	is    func(error) bool
	at    byStage
}{
	{"aborted", nil, byStage{ // ABOR, QUIT or shutdown: matched by the context, not the error
		stageStorage: bare(426, "Transfer aborted."),
		stageConnect: bare(426, "Transfer aborted."),
		stageCopy:    bare(426, "Transfer aborted."),
		stageDigest:  bare(426, "Checksum aborted."),
	}},
	{"no space", isErr(syscall.ENOSPC), byStage{
		stageStorage: named(452, "Insufficient storage space."),
		stageCopy:    bare(452, "Insufficient storage space."),
	}},
	{"quota", isErr(syscall.EDQUOT), byStage{
		stageStorage: named(552, "Disk quota exceeded."),
		stageCopy:    bare(552, "Disk quota exceeded."),
	}},
	{"TLS not resumed", isErr(ErrNoReuse), byStage{
		stageConnect: bare(522, "Data connection refused: it must resume the TLS session of your control connection"+
			" (clients that cannot, such as Python's ftplib, need the server started with --tls-no-session-reuse)."),
	}},
	{"stalled", func(err error) bool { return errors.Is(err, sendfile.ErrStalled) || engineStalled(err) }, byStage{
		stageCopy: bare(426, "Data connection stalled; transfer aborted."),
	}},
	{"TLS failure", tlsAlert, byStage{
		stageConnect: bare(522, "TLS handshake on the data connection failed."),
		stageCopy:    bare(426, "Connection closed; transfer aborted."),
	}},
	{"handshake timeout", isErr(context.DeadlineExceeded), byStage{
		stageConnect: bare(522, "TLS handshake on the data connection failed."),
	}},
	{"connection closed", func(err error) bool { return peerGone(err) || engineConnErr(err) }, byStage{
		stageCopy: bare(426, "Connection closed; transfer aborted."),
	}},
	{"outside the root", isErr(vfs.ErrEscape), byStage{
		stageStorage: named(550, "Permission denied (outside the root)."),
	}},
	{"not found", isErr(fs.ErrNotExist), byStage{
		stageStorage: named(550, "No such file or directory."),
	}},
	{"permission", isErr(fs.ErrPermission), byStage{
		stageStorage: named(550, "Permission denied."),
	}},
	{"not empty", isErr(syscall.ENOTEMPTY), byStage{
		stageStorage: named(550, "Directory not empty."),
	}},
	{"exists", isErr(fs.ErrExist), byStage{
		stageStorage: named(550, "File exists."),
	}},
	{"not a directory", isErr(syscall.ENOTDIR), byStage{
		stageStorage: named(550, "Not a directory."),
	}},
	{"is a directory", isErr(syscall.EISDIR), byStage{
		stageStorage: named(550, "Is a directory."),
	}},
	{"name too long", isErr(syscall.ENAMETOOLONG), byStage{
		stageStorage: named(550, "File name too long."),
	}},
	{"name not allowed", isErr(syscall.EINVAL), byStage{
		stageStorage: named(553, "File name not allowed."),
	}},
	{"REST beyond the end", isErr(errBadRest), byStage{
		stageStorage: bare(554, "Invalid REST parameter: beyond the end of the file."),
	}},
	{"file shrank", isErr(errShrank), byStage{
		stageCopy: named(451, "file shrank during the transfer; fewer bytes were sent than announced."),
	}},
	{"bad MODE Z stream", isErr(errBadZStream), byStage{
		stageCopy: bare(451, "Compressed data is not a valid zlib stream (MODE Z); transfer aborted."),
	}},
	{"range beyond the end", isErr(errHashRange), byStage{
		stageDigest: bare(554, "Invalid range: beyond the end of the file."),
	}},
	{"file changed while hashed", isErr(errHashShort), byStage{
		stageDigest: named(451, "file changed while it was hashed; try again."),
	}},
}

// stageDefaults answers an error that no class claims at that stage.
var stageDefaults = byStage{
	stageStorage: named(550, "Operation failed."),
	stageOpen:    named(550, "Operation failed."),
	stageConnect: bare(425, "Can't open data connection."),
	stageCopy:    bare(451, "Local error; transfer aborted."),
	stageDigest:  named(550, "Operation failed."),
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// errorReply is the one mapping of an error to the reply that reports it: err happened at
// stage st on virtual path p; ctx (nil outside transfers and digests) tells an abort from a
// failure, whatever error the abort left behind. A nil error at stageCopy is the transfer's
// success.
func errorReply(ctx context.Context, st stage, err error, p string) outcome {
	if err == nil {
		return outcome{226, "Transfer complete."}
	}
	aborted := ctx != nil && ctx.Err() != nil
	for i := range errorClasses {
		c := &errorClasses[i]
		if c.is == nil && !aborted || c.is != nil && !c.is(err) {
			continue
		}
		a := c.at[st]
		if a.code == 0 && (st == stageOpen || st == stageDigest) {
			a = c.at[stageStorage]
		}
		if a.code != 0 {
			return a.outcome(p)
		}
		break // the class has no meaning of its own here: the stage's default
	}
	return stageDefaults[st].outcome(p)
}

func (a answer) outcome(p string) outcome {
	if a.named {
		return outcome{a.code, p + ": " + a.text}
	}
	return outcome{a.code, a.text}
}

// replyErr answers a failed storage call on the control connection.
func (s *Session) replyErr(err error, vpath string) {
	out := errorReply(context.Background(), stageStorage, err, vpath) // nothing to abort on the control connection
	s.reply(out.code, out.text)
}

// tlsAlert tells a failed TLS exchange (a bad record, an alert) from a failed TCP connection.
func tlsAlert(err error) bool {
	var re tls.RecordHeaderError
	var ae tls.AlertError
	return errors.As(err, &re) || errors.As(err, &ae)
}

// peerGone reports whether err is the data connection failing under the transfer (the
// client closed, reset or vanished), as opposed to a local error. It does not ask for
// net.Error: every syscall.Errno implements it, a disk's EIO included.
func peerGone(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) || tlsAlert(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, syscall.ENOTCONN) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}
