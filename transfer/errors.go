// The one mapping of errors to FTP replies (as ftpserverlib's errors.go): storage calls on
// the control connection and every stage of a transfer go through ErrorReply, which finds
// the error's class in one table and the reply for the stage it happened at. The session
// adds only the classes of its checksum commands (session/errors.go) and asks this table
// for the rest.

package transfer

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

// Errors of a transfer, mapped to replies by ErrorReply.
var (
	// ErrBadRest: a REST offset past the end of the file (RETR, or a STOR resuming).
	ErrBadRest = errors.New("REST offset beyond end of file")
	// ErrShrank: the file being sent lost bytes (truncated) before they were sent.
	ErrShrank = errors.New("file shrank during the transfer")
	// ErrBadZStream: a MODE Z upload that is not a complete zlib stream (modez.go).
	ErrBadZStream = errors.New("not a valid zlib stream")
	// ErrTLSNotResumed: Data.TLS refused a PROT P data connection because it did not resume
	// the control connection's TLS session (session.ErrNoReuse is this error), so that the
	// reply can say what the client must do.
	ErrTLSNotResumed = errors.New("data connection did not resume the control connection's TLS session")
)

// Stage is where an error happened: the same error means different things in each place.
type Stage uint8

const (
	StageStorage Stage = iota // a storage call answered on the control connection (CWD, MKD, DELE ...)
	StageOpen                 // opening a transfer's file or directory
	StageConnect              // making the data connection and its TLS handshake
	StageCopy                 // moving a transfer's bytes
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
// its reply per stage. A stage left out answers as StageStorage when it opens a file
// (StageOpen), else as the stage's default (stageDefaults).
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
		StageStorage: bare(426, "Transfer aborted."),
		StageConnect: bare(426, "Transfer aborted."),
		StageCopy:    bare(426, "Transfer aborted."),
	}},
	{"no space", isErr(syscall.ENOSPC), byStage{
		StageStorage: named(452, "Insufficient storage space."),
		StageCopy:    bare(452, "Insufficient storage space."),
	}},
	{"quota", isErr(syscall.EDQUOT), byStage{
		StageStorage: named(552, "Disk quota exceeded."),
		StageCopy:    bare(552, "Disk quota exceeded."),
	}},
	{"TLS not resumed", isErr(ErrTLSNotResumed), byStage{
		StageConnect: bare(522, "Data connection refused: it must resume the TLS session of your control connection"+
			" (clients that cannot, such as Python's ftplib, need the server started with --tls-no-session-reuse)."),
	}},
	{"stalled", func(err error) bool { return errors.Is(err, sendfile.ErrStalled) || engineStalled(err) }, byStage{
		StageCopy: bare(426, "Data connection stalled; transfer aborted."),
	}},
	{"TLS failure", tlsAlert, byStage{
		StageConnect: bare(522, "TLS handshake on the data connection failed."),
		StageCopy:    bare(426, "Connection closed; transfer aborted."),
	}},
	{"handshake timeout", isErr(context.DeadlineExceeded), byStage{
		StageConnect: bare(522, "TLS handshake on the data connection failed."),
	}},
	{"connection closed", func(err error) bool { return peerGone(err) || engineConnErr(err) }, byStage{
		StageCopy: bare(426, "Connection closed; transfer aborted."),
	}},
	{"outside the root", isErr(vfs.ErrEscape), byStage{
		StageStorage: named(550, "Permission denied (outside the root)."),
	}},
	{"not found", isErr(fs.ErrNotExist), byStage{
		StageStorage: named(550, "No such file or directory."),
	}},
	{"permission", isErr(fs.ErrPermission), byStage{
		StageStorage: named(550, "Permission denied."),
	}},
	{"not empty", isErr(syscall.ENOTEMPTY), byStage{
		StageStorage: named(550, "Directory not empty."),
	}},
	{"exists", isErr(fs.ErrExist), byStage{
		StageStorage: named(550, "File exists."),
	}},
	{"not a directory", isErr(syscall.ENOTDIR), byStage{
		StageStorage: named(550, "Not a directory."),
	}},
	{"is a directory", isErr(syscall.EISDIR), byStage{
		StageStorage: named(550, "Is a directory."),
	}},
	{"name too long", isErr(syscall.ENAMETOOLONG), byStage{
		StageStorage: named(550, "File name too long."),
	}},
	{"name not allowed", isErr(syscall.EINVAL), byStage{
		StageStorage: named(553, "File name not allowed."),
	}},
	{"REST beyond the end", isErr(ErrBadRest), byStage{
		StageStorage: bare(554, "Invalid REST parameter: beyond the end of the file."),
	}},
	{"file shrank", isErr(ErrShrank), byStage{
		StageCopy: named(451, "file shrank during the transfer; fewer bytes were sent than announced."),
	}},
	{"bad MODE Z stream", isErr(ErrBadZStream), byStage{
		StageCopy: bare(451, "Compressed data is not a valid zlib stream (MODE Z); transfer aborted."),
	}},
}

// stageDefaults answers an error that no class claims at that stage.
var stageDefaults = byStage{
	StageStorage: named(550, "Operation failed."),
	StageOpen:    named(550, "Operation failed."),
	StageConnect: bare(425, "Can't open data connection."),
	StageCopy:    bare(451, "Local error; transfer aborted."),
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// ErrorReply is the one mapping of an error to the reply that reports it: err happened at
// stage st on virtual path p; ctx (nil outside transfers) tells an abort from a failure,
// whatever error the abort left behind. A nil error at StageCopy is the transfer's success.
// Safe from any goroutine.
func ErrorReply(ctx context.Context, st Stage, err error, p string) (code int, text string) {
	if err == nil {
		return 226, "Transfer complete."
	}
	aborted := ctx != nil && ctx.Err() != nil
	for i := range errorClasses {
		c := &errorClasses[i]
		if c.is == nil && !aborted || c.is != nil && !c.is(err) {
			continue
		}
		a := c.at[st]
		if a.code == 0 && st == StageOpen {
			a = c.at[StageStorage]
		}
		if a.code != 0 {
			return a.reply(p)
		}
		break // the class has no meaning of its own here: the stage's default
	}
	return stageDefaults[st].reply(p)
}

func (a answer) reply(p string) (int, string) {
	if a.named {
		return a.code, p + ": " + a.text
	}
	return a.code, a.text
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
