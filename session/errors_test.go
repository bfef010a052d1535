package session

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/vfs"
)

// TestErrorReplyClasses: one case per class of the table, with the exact reply, at the
// stages where the class means something; TestErrorReplyCoversEveryClass holds the table
// and these cases together.
func TestErrorReplyClasses(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	pathErr := func(e error) error { return &fs.PathError{Op: "open", Path: "/f", Err: e} }
	copyErr := func(e error) error { return fmt.Errorf("sendfile: send /f after 9 bytes: %w", e) }
	for _, c := range errorCases(done, pathErr, copyErr) {
		got := errorReply(c.ctx, c.st, c.err, "/f")
		if got.code != c.code || got.text != c.text {
			t.Errorf("%s at stage %d (%v): %d %q, want %d %q", c.class, c.st, c.err, got.code, got.text, c.code, c.text)
		}
	}
}

type errorCase struct {
	class string
	ctx   context.Context
	st    stage
	err   error
	code  int
	text  string
}

func errorCases(done context.Context, pathErr, copyErr func(error) error) []errorCase {
	return []errorCase{
		{"aborted", done, stageCopy, copyErr(context.Canceled), 426, "Transfer aborted."},
		{"aborted", done, stageOpen, pathErr(syscall.ENOENT), 426, "Transfer aborted."},
		{"aborted", done, stageConnect, datapath.ErrTimeout, 426, "Transfer aborted."},
		{"aborted", done, stageDigest, context.Canceled, 426, "Checksum aborted."},
		// ENOSPC and EDQUOT: one row each, named on the control connection, bare while copying
		// (the upload's reply adds the path and the bytes received).
		{"no space", nil, stageStorage, pathErr(syscall.ENOSPC), 452, "/f: Insufficient storage space."},
		{"no space", nil, stageOpen, pathErr(syscall.ENOSPC), 452, "/f: Insufficient storage space."},
		{"no space", nil, stageCopy, copyErr(os.NewSyscallError("splice", syscall.ENOSPC)), 452, "Insufficient storage space."},
		{"no space", nil, stageCopy, &net.OpError{Op: "write", Err: syscall.ENOSPC}, 452, "Insufficient storage space."},
		{"quota", nil, stageStorage, pathErr(syscall.EDQUOT), 552, "/f: Disk quota exceeded."},
		{"quota", nil, stageCopy, copyErr(syscall.EDQUOT), 552, "Disk quota exceeded."},
		{"TLS not resumed", nil, stageConnect, ErrNoReuse, 522, "Data connection refused: it must resume the TLS session of your control connection" +
			" (clients that cannot, such as Python's ftplib, need the server started with --tls-no-session-reuse)."},
		{"stalled", nil, stageCopy, copyErr(sendfile.ErrStalled), 426, "Data connection stalled; transfer aborted."},
		{"TLS failure", nil, stageConnect, tls.RecordHeaderError{Msg: "not a TLS record"}, 522, "TLS handshake on the data connection failed."},
		{"TLS failure", nil, stageConnect, fmt.Errorf("handshake: %w", tls.AlertError(40)), 522, "TLS handshake on the data connection failed."},
		{"TLS failure", nil, stageCopy, copyErr(tls.AlertError(20)), 426, "Connection closed; transfer aborted."},
		{"handshake timeout", nil, stageConnect, context.DeadlineExceeded, 522, "TLS handshake on the data connection failed."},
		{"handshake timeout", nil, stageCopy, copyErr(context.DeadlineExceeded), 451, "Local error; transfer aborted."},
		{"connection closed", nil, stageCopy, copyErr(&net.OpError{Op: "write", Err: syscall.EPIPE}), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, stageCopy, copyErr(net.ErrClosed), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, stageCopy, copyErr(os.ErrDeadlineExceeded), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, stageCopy, copyErr(io.ErrUnexpectedEOF), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, stageCopy, copyErr(os.NewSyscallError("sendfile", syscall.ETIMEDOUT)), 426, "Connection closed; transfer aborted."},
		// A refused data connection is the connection's failure, not a permission problem.
		{"connection closed", nil, stageCopy, &net.OpError{Op: "write", Err: syscall.EPERM}, 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, stageConnect, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, 425, "Can't open data connection."},
		{"outside the root", nil, stageStorage, pathErr(vfs.ErrEscape), 550, "/f: Permission denied (outside the root)."},
		{"not found", nil, stageStorage, pathErr(syscall.ENOENT), 550, "/f: No such file or directory."},
		{"not found", nil, stageOpen, pathErr(fs.ErrNotExist), 550, "/f: No such file or directory."},
		{"not found", nil, stageDigest, pathErr(syscall.ENOENT), 550, "/f: No such file or directory."},
		{"permission", nil, stageStorage, pathErr(syscall.EACCES), 550, "/f: Permission denied."},
		{"permission", nil, stageStorage, pathErr(syscall.EPERM), 550, "/f: Permission denied."},
		{"permission", nil, stageCopy, copyErr(pathErr(syscall.EACCES)), 451, "Local error; transfer aborted."},
		// ENOTEMPTY also matches fs.ErrExist: its row comes first (it used to say "File exists.").
		{"not empty", nil, stageStorage, pathErr(syscall.ENOTEMPTY), 550, "/f: Directory not empty."},
		{"exists", nil, stageStorage, pathErr(syscall.EEXIST), 550, "/f: File exists."},
		{"not a directory", nil, stageStorage, pathErr(syscall.ENOTDIR), 550, "/f: Not a directory."},
		{"is a directory", nil, stageOpen, syscall.EISDIR, 550, "/f: Is a directory."},
		{"name too long", nil, stageStorage, pathErr(syscall.ENAMETOOLONG), 550, "/f: File name too long."},
		{"name not allowed", nil, stageStorage, pathErr(syscall.EINVAL), 553, "/f: File name not allowed."},
		{"REST beyond the end", nil, stageOpen, errBadRest, 554, "Invalid REST parameter: beyond the end of the file."},
		{"bad MODE Z stream", nil, stageCopy, fmt.Errorf("%w: zlib: invalid header", errBadZStream), 451,
			"Compressed data is not a valid zlib stream (MODE Z); transfer aborted."},
		{"file shrank", nil, stageCopy, fmt.Errorf("%w: sent 5 of 9 bytes", errShrank), 451,
			"/f: file shrank during the transfer; fewer bytes were sent than announced."},
		{"range beyond the end", nil, stageDigest, errHashRange, 554, "Invalid range: beyond the end of the file."},
		{"file changed while hashed", nil, stageDigest, errHashShort, 451, "/f: file changed while it was hashed; try again."},
		// No class: each stage's default.
		{"", nil, stageStorage, pathErr(syscall.EIO), 550, "/f: Operation failed."},
		{"", nil, stageConnect, datapath.ErrTimeout, 425, "Can't open data connection."},
		{"", nil, stageCopy, copyErr(os.NewSyscallError("sendfile", syscall.EIO)), 451, "Local error; transfer aborted."},
		{"", nil, stageDigest, pathErr(syscall.EIO), 550, "/f: Operation failed."},
	}
}

// TestErrorReplyCoversEveryClass fails when a class is added to the table without a case
// above, or a case names a class the table no longer has.
func TestErrorReplyCoversEveryClass(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range errorCases(context.Background(), func(e error) error { return e }, func(e error) error { return e }) {
		tested[c.class] = true
	}
	inTable := map[string]bool{"": true}
	for _, c := range errorClasses {
		inTable[c.class] = true
		if !tested[c.class] {
			t.Errorf("class %q has no case in TestErrorReplyClasses", c.class)
		}
	}
	for class := range tested {
		if !inTable[class] {
			t.Errorf("a case names class %q, which the table does not have", class)
		}
	}
}

// TestStorageErrorsOnTheWire: replies a client sees for storage errors on the control
// connection and when a transfer opens its file, including the two this table corrected
// (RMD of a non-empty directory said "File exists.", STOR onto a directory "Operation
// failed.").
func TestStorageErrorsOnTheWire(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\nMKD d\r\nMKD d/sub\r\n")
	for _, c := range []struct{ cmd, want string }{
		{"RMD d", "550 /d: Directory not empty.\r\n"},
		{"MKD d", "550 /d: File exists.\r\n"},
		{"CWD nowhere", "550 /nowhere: No such file or directory.\r\n"},
		{"DELE nowhere", "550 /nowhere: No such file or directory.\r\n"},
		{"MKD " + strings.Repeat("n", 300), "550 /" + strings.Repeat("n", 300) + ": File name too long.\r\n"},
	} {
		if got := feed(s, ft, c.cmd+"\r\n"); got != c.want {
			t.Errorf("%.20s: %q, want %q", c.cmd, got, c.want)
		}
	}
	// STOR onto a directory fails when it opens the target, before any data connection.
	if got := feed(s, ft, "PASV\r\nSTOR d\r\n"); !strings.HasSuffix(got, "\r\n550 /d: Is a directory.\r\n") {
		t.Errorf("STOR onto a directory: %q, want 550 /d: Is a directory.", got)
	}
}
