// fill_linux.go: an Entry straight from a stat(2) result, for listings that never build
// an fs.FileInfo (vfs.DirLister).

//go:build linux

package proto

import (
	"syscall"
	"time"

	"github.com/fastftp/fastftp/internal/unixmode"
)

// FillEntryStat fills e from a raw stat result, as FillEntry does from an fs.FileInfo,
// allocating nothing. e.Name is set to name as given.
func FillEntryStat(e *Entry, name string, st *syscall.Stat_t) {
	e.Name = name
	e.Size = st.Size
	e.ModTime = time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	e.Mode = unixmode.FileMode(st.Mode)
	fillSys(e, st)
}
