// Transfer errors through the one mapping of errors to replies (errors.go), for files and listings.
package session

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/sendfile"
)

func TestTransferReply(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	wrap := func(err error) error { return fmt.Errorf("sendfile: send via buffer: write after 9 bytes: %w", err) }
	cases := []struct {
		name string
		ctx  context.Context
		st   stage
		err  error
		code int
	}{
		{"ok", live, stageCopy, nil, 226},
		{"aborted while copying", done, stageCopy, wrap(context.Canceled), 426},
		{"aborted while connecting", done, stageConnect, datapath.ErrTimeout, 426},
		{"missing file", live, stageOpen, &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}, 550},
		{"REST beyond the end", live, stageOpen, errBadRest, 554},
		{"no data connection", live, stageConnect, datapath.ErrTimeout, 425},
		{"TLS not resumed", live, stageConnect, ErrNoReuse, 522},
		{"stalled client", live, stageCopy, wrap(sendfile.ErrStalled), 426},
		{"client reset", live, stageCopy, wrap(os.NewSyscallError("sendfile", syscall.ECONNRESET)), 426},
		{"client gone", live, stageCopy, wrap(&net.OpError{Op: "write", Err: syscall.EPIPE}), 426},
		{"upload cut short", live, stageCopy, wrap(io.ErrUnexpectedEOF), 426},
		{"disk full", live, stageCopy, wrap(os.NewSyscallError("splice", syscall.ENOSPC)), 452},
		{"quota", live, stageCopy, wrap(syscall.EDQUOT), 552},
		{"disk error", live, stageCopy, wrap(os.NewSyscallError("sendfile", syscall.EIO)), 451},
		{"directory read error", live, stageCopy, wrap(&fs.PathError{Op: "readdirent", Path: "/d", Err: syscall.EIO}), 451},
	}
	for _, c := range cases {
		if got := errorReply(c.ctx, c.st, c.err, "/x"); got.code != c.code {
			t.Errorf("%s: %d %q, want %d", c.name, got.code, got.text, c.code)
		}
	}
}
