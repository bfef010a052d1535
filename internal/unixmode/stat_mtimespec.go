// stat_mtimespec.go: the time fields where syscall.Stat_t keeps the older BSD names
// Mtimespec and Atimespec (darwin, FreeBSD, NetBSD).

//go:build darwin || freebsd || netbsd

package unixmode

import (
	"syscall"
	"time"
)

// Mtime is st's modification time.
func Mtime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtimespec.Unix()) }

// Atime is st's access time.
func Atime(st *syscall.Stat_t) time.Time { return time.Unix(st.Atimespec.Unix()) }

// Ctime is st's status-change time (a rename over the file, a chmod, a write all move it).
func Ctime(st *syscall.Stat_t) time.Time { return time.Unix(st.Ctimespec.Unix()) }
