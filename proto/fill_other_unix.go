// fill_other_unix.go: FillEntryStat on the Unix systems other than Linux, whose
// syscall.Stat_t names and sizes its fields differently (Mode is a uint16 on darwin and
// FreeBSD, the modification time is Mtimespec there); internal/unixmode hides that.
// fill_linux.go is the Linux version.

//go:build darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos

package proto

import (
	"syscall"

	"github.com/fastftp/fastftp/internal/unixmode"
)

// FillEntryStat fills e from a raw stat result, as FillEntry does from an fs.FileInfo,
// allocating nothing. e.Name is set to name as given.
func FillEntryStat(e *Entry, name string, st *syscall.Stat_t) {
	e.Name = name
	e.Size = st.Size
	e.ModTime = unixmode.Mtime(st)
	e.Mode = unixmode.Mode(st)
	fillSys(e, st)
}
