// fill_linux.go: an Entry straight from a stat(2) result, for listings that never build
// an fs.FileInfo (vfs.DirLister).

//go:build linux

package proto

import (
	"io/fs"
	"syscall"
	"time"
)

// FillEntryStat fills e from a raw stat result, as FillEntry does from an fs.FileInfo,
// allocating nothing. e.Name is set to name as given.
func FillEntryStat(e *Entry, name string, st *syscall.Stat_t) {
	e.Name = name
	e.Size = st.Size
	e.ModTime = time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	m := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	}
	if st.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if st.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	e.Mode = m
	fillSys(e, st)
}
