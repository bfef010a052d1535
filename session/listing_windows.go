// listing_windows.go: Windows has no vfs.DirLister (no syscall.Stat_t), so every listing
// streams Dir.ReadDir.

package session

import (
	"time"

	"github.com/fastftp/fastftp/internal/listcache"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// listFast never handles the listing here (ok false).
func listFast(vfs.FS, string, int, *proto.Entry, func(*proto.Entry) error) (n int, truncated, ok bool, err error) {
	return 0, false, false, nil
}

// cacheKey: nothing is cached on Windows, where a directory has no inode and change time
// to tell its versions apart (listing_unix.go has the real one).
func (r *listReq) cacheKey(*listcache.Key, time.Time) bool { return false }
