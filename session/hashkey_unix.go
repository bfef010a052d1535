// hashkey_unix.go: the checksum cache identifies a file version by its stat (device,
// inode, size, mtime, ctime); hashkey_windows.go has no such identity.

//go:build unix

package session

import (
	"io/fs"
	"syscall"

	"github.com/fastftp/fastftp/internal/hashcache"
	"github.com/fastftp/fastftp/internal/unixmode"
	"github.com/fastftp/fastftp/vfs"
)

// hashKey builds the cache key from the open file's stat (fi); storage without a
// *syscall.Stat_t (an embedder's FS) is not cached, since nothing identifies its files.
func hashKey(_ vfs.File, fi fs.FileInfo, a hashAlgo, start, end int64) (hashcache.Key, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return hashcache.Key{}, false
	}
	return hashcache.Key{
		Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: st.Size,
		Mtime: unixmode.Mtime(st).UnixNano(), Ctime: unixmode.Ctime(st).UnixNano(),
		Start: start, End: end, Algo: uint8(a),
	}, true
}
