// The one mapping of errors to replies (errors.go): every class of the table at the stages
// where it means something, with the exact reply, for files, listings and storage calls.

package transfer

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
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
		code, text := ErrorReply(c.ctx, c.st, c.err, "/f")
		if code != c.code || text != c.text {
			t.Errorf("%s at stage %d (%v): %d %q, want %d %q", c.class, c.st, c.err, code, text, c.code, c.text)
		}
	}
}

type errorCase struct {
	class string
	ctx   context.Context
	st    Stage
	err   error
	code  int
	text  string
}

func errorCases(done context.Context, pathErr, copyErr func(error) error) []errorCase {
	return []errorCase{
		{"aborted", done, StageCopy, copyErr(context.Canceled), 426, "Transfer aborted."},
		{"aborted", done, StageOpen, pathErr(syscall.ENOENT), 426, "Transfer aborted."},
		{"aborted", done, StageConnect, datapath.ErrTimeout, 426, "Transfer aborted."},
		// ENOSPC and EDQUOT: one row each, named on the control connection, bare while copying
		// (the upload's reply adds the path and the bytes received).
		{"no space", nil, StageStorage, pathErr(syscall.ENOSPC), 452, "/f: Insufficient storage space."},
		{"no space", nil, StageOpen, pathErr(syscall.ENOSPC), 452, "/f: Insufficient storage space."},
		{"no space", nil, StageCopy, copyErr(os.NewSyscallError("splice", syscall.ENOSPC)), 452, "Insufficient storage space."},
		{"no space", nil, StageCopy, &net.OpError{Op: "write", Err: syscall.ENOSPC}, 452, "Insufficient storage space."},
		{"quota", nil, StageStorage, pathErr(syscall.EDQUOT), 552, "/f: Disk quota exceeded."},
		{"quota", nil, StageCopy, copyErr(syscall.EDQUOT), 552, "Disk quota exceeded."},
		{"TLS not resumed", nil, StageConnect, ErrTLSNotResumed, 522, "Data connection refused: it must resume the TLS session of your control connection" +
			" (clients that cannot, such as Python's ftplib, need the server started with --tls-no-session-reuse)."},
		{"stalled", nil, StageCopy, copyErr(sendfile.ErrStalled), 426, "Data connection stalled; transfer aborted."},
		{"TLS failure", nil, StageConnect, tls.RecordHeaderError{Msg: "not a TLS record"}, 522, "TLS handshake on the data connection failed."},
		{"TLS failure", nil, StageConnect, fmt.Errorf("handshake: %w", tls.AlertError(40)), 522, "TLS handshake on the data connection failed."},
		{"TLS failure", nil, StageCopy, copyErr(tls.AlertError(20)), 426, "Connection closed; transfer aborted."},
		{"handshake timeout", nil, StageConnect, context.DeadlineExceeded, 522, "TLS handshake on the data connection failed."},
		{"handshake timeout", nil, StageCopy, copyErr(context.DeadlineExceeded), 451, "Local error; transfer aborted."},
		{"connection closed", nil, StageCopy, copyErr(&net.OpError{Op: "write", Err: syscall.EPIPE}), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, StageCopy, copyErr(net.ErrClosed), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, StageCopy, copyErr(os.ErrDeadlineExceeded), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, StageCopy, copyErr(io.ErrUnexpectedEOF), 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, StageCopy, copyErr(os.NewSyscallError("sendfile", syscall.ETIMEDOUT)), 426, "Connection closed; transfer aborted."},
		// A refused data connection is the connection's failure, not a permission problem.
		{"connection closed", nil, StageCopy, &net.OpError{Op: "write", Err: syscall.EPERM}, 426, "Connection closed; transfer aborted."},
		{"connection closed", nil, StageConnect, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, 425, "Can't open data connection."},
		{"outside the root", nil, StageStorage, pathErr(vfs.ErrEscape), 550, "/f: Permission denied (outside the root)."},
		{"not found", nil, StageStorage, pathErr(syscall.ENOENT), 550, "/f: No such file or directory."},
		{"not found", nil, StageOpen, pathErr(fs.ErrNotExist), 550, "/f: No such file or directory."},
		{"permission", nil, StageStorage, pathErr(syscall.EACCES), 550, "/f: Permission denied."},
		{"permission", nil, StageStorage, pathErr(syscall.EPERM), 550, "/f: Permission denied."},
		{"permission", nil, StageCopy, copyErr(pathErr(syscall.EACCES)), 451, "Local error; transfer aborted."},
		// ENOTEMPTY also matches fs.ErrExist: its row comes first (it used to say "File exists.").
		{"not empty", nil, StageStorage, pathErr(syscall.ENOTEMPTY), 550, "/f: Directory not empty."},
		{"exists", nil, StageStorage, pathErr(syscall.EEXIST), 550, "/f: File exists."},
		{"not a directory", nil, StageStorage, pathErr(syscall.ENOTDIR), 550, "/f: Not a directory."},
		{"is a directory", nil, StageOpen, syscall.EISDIR, 550, "/f: Is a directory."},
		{"name too long", nil, StageStorage, pathErr(syscall.ENAMETOOLONG), 550, "/f: File name too long."},
		{"name not allowed", nil, StageStorage, pathErr(syscall.EINVAL), 553, "/f: File name not allowed."},
		{"REST beyond the end", nil, StageOpen, ErrBadRest, 554, "Invalid REST parameter: beyond the end of the file."},
		{"bad MODE Z stream", nil, StageCopy, fmt.Errorf("%w: zlib: invalid header", ErrBadZStream), 451,
			"Compressed data is not a valid zlib stream (MODE Z); transfer aborted."},
		{"file shrank", nil, StageCopy, fmt.Errorf("%w: sent 5 of 9 bytes", ErrShrank), 451,
			"/f: file shrank during the transfer; fewer bytes were sent than announced."},
		// No class: each stage's default.
		{"", nil, StageStorage, pathErr(syscall.EIO), 550, "/f: Operation failed."},
		{"", nil, StageConnect, datapath.ErrTimeout, 425, "Can't open data connection."},
		{"", nil, StageCopy, copyErr(os.NewSyscallError("sendfile", syscall.EIO)), 451, "Local error; transfer aborted."},
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

func TestTransferReply(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	wrap := func(err error) error { return fmt.Errorf("sendfile: send via buffer: write after 9 bytes: %w", err) }
	cases := []struct {
		name string
		ctx  context.Context
		st   Stage
		err  error
		code int
	}{
		{"ok", live, StageCopy, nil, 226},
		{"aborted while copying", done, StageCopy, wrap(context.Canceled), 426},
		{"aborted while connecting", done, StageConnect, datapath.ErrTimeout, 426},
		{"missing file", live, StageOpen, &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}, 550},
		{"REST beyond the end", live, StageOpen, ErrBadRest, 554},
		{"no data connection", live, StageConnect, datapath.ErrTimeout, 425},
		{"TLS not resumed", live, StageConnect, ErrTLSNotResumed, 522},
		{"stalled client", live, StageCopy, wrap(sendfile.ErrStalled), 426},
		{"client reset", live, StageCopy, wrap(os.NewSyscallError("sendfile", syscall.ECONNRESET)), 426},
		{"client gone", live, StageCopy, wrap(&net.OpError{Op: "write", Err: syscall.EPIPE}), 426},
		{"upload cut short", live, StageCopy, wrap(io.ErrUnexpectedEOF), 426},
		{"disk full", live, StageCopy, wrap(os.NewSyscallError("splice", syscall.ENOSPC)), 452},
		{"quota", live, StageCopy, wrap(syscall.EDQUOT), 552},
		{"disk error", live, StageCopy, wrap(os.NewSyscallError("sendfile", syscall.EIO)), 451},
		{"directory read error", live, StageCopy, wrap(&fs.PathError{Op: "readdirent", Path: "/d", Err: syscall.EIO}), 451},
	}
	for _, c := range cases {
		if code, text := ErrorReply(c.ctx, c.st, c.err, "/x"); code != c.code {
			t.Errorf("%s: %d %q, want %d", c.name, code, text, c.code)
		}
	}
}
