// Linux: a Version from the stat result the vfs and os packages put in FileInfo.Sys.

package filecache

import (
	"io/fs"
	"syscall"
)

// VersionOf returns fi's version and true when fi describes a regular file backed by a
// syscall.Stat_t (local storage); false otherwise, and the file is not cached.
func VersionOf(fi fs.FileInfo) (Version, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return Version{}, false
	}
	return VersionOfStat(st)
}

// VersionOfStat is VersionOf for a raw stat result.
func VersionOfStat(st *syscall.Stat_t) (Version, bool) {
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return Version{}, false
	}
	return Version{Dev: st.Dev, Ino: st.Ino, Size: st.Size,
		Mtime: st.Mtim.Sec*1e9 + st.Mtim.Nsec, Ctime: st.Ctim.Sec*1e9 + st.Ctim.Nsec}, true
}
