// Linux: the open-file cache's path check is one fstatat (vfs.Local.StatRaw).

package session

import (
	"syscall"

	"github.com/fastftp/fastftp/internal/filecache"
	"github.com/fastftp/fastftp/vfs"
)

// pathVersion stats p and returns its version; false when it cannot be had (the caller
// then opens p as usual, which reports any error).
func pathVersion(l *vfs.Local, p string) (filecache.Version, bool) {
	var st syscall.Stat_t
	if l.StatRaw(p, &st) != nil {
		return filecache.Version{}, false
	}
	return filecache.VersionOfStat(&st)
}
