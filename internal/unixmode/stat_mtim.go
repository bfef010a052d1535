// stat_mtim.go: the time fields where syscall.Stat_t names them Mtim and Atim (the POSIX
// 2008 names).

//go:build linux || openbsd || dragonfly || solaris || illumos

package unixmode

import (
	"syscall"
	"time"
)

// Mtime is st's modification time.
func Mtime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtim.Unix()) }

// Atime is st's access time.
func Atime(st *syscall.Stat_t) time.Time { return time.Unix(st.Atim.Unix()) }

// Ctime is st's status-change time (a rename over the file, a chmod, a write all move it).
func Ctime(st *syscall.Stat_t) time.Time { return time.Unix(st.Ctim.Unix()) }
