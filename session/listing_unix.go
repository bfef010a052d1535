// listing_unix.go: the allocation-free listing through vfs.DirLister, whose entries are
// raw syscall.Stat_t values (Unix only; listing_windows.go has none).

//go:build unix

package session

import (
	"errors"
	"syscall"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// errListFull stops a DirLister listing at its bound.
var errListFull = errors.New("listing reached its bound")

// listFast lists directory p through vfs.DirLister when fsys has it (ok true), with
// listInto's contract for max, n, truncated and fn; e is listInto's reused Entry.
func listFast(fsys vfs.FS, p string, max int, e *proto.Entry, fn func(*proto.Entry) error) (n int, truncated, ok bool, err error) {
	dl, ok := fsys.(vfs.DirLister)
	if !ok {
		return 0, false, false, nil
	}
	// The allocation-free path: names and stat results come from reused buffers.
	err = dl.ListDir(p, func(name []byte, st *syscall.Stat_t) error {
		proto.FillEntryStat(e, bytesString(name), st)
		if err := fn(e); err != nil {
			return err
		}
		if n++; max > 0 && n >= max {
			truncated = true
			return errListFull
		}
		return nil
	})
	if err == errListFull {
		err = nil
	}
	return n, truncated, true, err
}
