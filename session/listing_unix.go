// listing_unix.go: the allocation-free listing through vfs.DirLister, whose entries are
// raw syscall.Stat_t values (Unix only; listing_windows.go has none).

//go:build unix

package session

import (
	"errors"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/internal/listcache"
	"github.com/fastftp/fastftp/internal/unixmode"
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

// cacheKey fills k for this request and reports whether its listing may be cached: only
// a directory of a vfs.Local (whose listing is the directory's content, the same for
// every user who can see it; an embedder's FS may show each user something else), not
// modified within listcache.MinAge (coarse timestamps could hide a second change).
func (r *listReq) cacheKey(k *listcache.Key, now time.Time) bool {
	if _, ok := r.fsys.(*vfs.Local); !ok || !r.fi.IsDir() {
		return false
	}
	st, ok := r.fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	mtime := unixmode.Mtime(st)
	if age := now.Sub(mtime); age < listcache.MinAge {
		return false // includes a future mtime
	}
	*k = listcache.Key{
		Dev: uint64(st.Dev), Ino: uint64(st.Ino),
		Mtime: mtime.UnixNano(), Ctime: unixmode.Ctime(st).UnixNano(),
	}
	switch r.kind {
	case listLong:
		// The dates depend on the time zone, the owners on whether names are shown.
		k.Kind = listcache.LIST
		k.View = r.env.Loc.String() // no copy: the Location's own name
		if r.env.Listing.Names != nil {
			k.Flags |= keyNames
		}
	case listName:
		k.Kind = listcache.NLST
	default:
		// perm facts depend on the user's permissions at this path and below it.
		k.Kind = listcache.MLSD
		k.View = mlsdView(r.facts, r.p, r.user)
	}
	return true
}
