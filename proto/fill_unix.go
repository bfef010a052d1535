// fill_unix.go: FillEntry's link count, owner and inode from a Unix stat result.

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos || aix

package proto

import "syscall"

func fillSys(e *Entry, sys any) {
	st, ok := sys.(*syscall.Stat_t)
	if !ok || st == nil {
		return
	}
	e.Nlink = uint64(st.Nlink)
	e.UID = uint32(st.Uid)
	e.GID = uint32(st.Gid)
	e.Dev = uint64(st.Dev)
	e.Ino = uint64(st.Ino)
}
