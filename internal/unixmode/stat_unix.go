// stat_unix.go: syscall.Stat_t accessors common to the Unix systems; the time fields,
// which are named differently, are in stat_mtim.go and stat_mtimespec.go.

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos

package unixmode

import (
	"io/fs"
	"syscall"
)

// Mode is FileMode of st's st_mode, whatever its width on this system (uint32 on Linux,
// uint16 on darwin and FreeBSD).
func Mode(st *syscall.Stat_t) fs.FileMode { return FileMode(uint32(st.Mode)) }

// StatIsDir reports whether st describes a directory.
func StatIsDir(st *syscall.Stat_t) bool { return IsDir(uint32(st.Mode)) }
