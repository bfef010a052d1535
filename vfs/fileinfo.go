// fileInfo: an fs.FileInfo built from a raw stat on the openat2 path, shaped like os's so
// that Sys() is a *syscall.Stat_t in both modes. Unix only: the fast path exists only
// there.

//go:build unix

package vfs

import (
	"github.com/fastftp/fastftp/internal/unixmode"
	"io/fs"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileInfo describes one file. Its methods are safe from any goroutine (it is immutable
// once returned).
type fileInfo struct {
	name string
	sys  syscall.Stat_t
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.sys.Size }
func (fi *fileInfo) Mode() fs.FileMode  { return unixmode.Mode(&fi.sys) }
func (fi *fileInfo) ModTime() time.Time { return unixmode.Mtime(&fi.sys) }
func (fi *fileInfo) IsDir() bool        { return unixmode.StatIsDir(&fi.sys) }
func (fi *fileInfo) Sys() any           { return &fi.sys }
func (fi *fileInfo) String() string     { return fs.FormatFileInfo(fi) }

// The syscall and x/sys stat structures are both generated from the kernel's struct stat;
// these lines stop the build if their sizes ever differ.
var (
	_ [unsafe.Sizeof(unix.Stat_t{}) - unsafe.Sizeof(syscall.Stat_t{})]struct{}
	_ [unsafe.Sizeof(syscall.Stat_t{}) - unsafe.Sizeof(unix.Stat_t{})]struct{}
)

// fstat fills st for an open descriptor (an O_PATH one included).
func fstat(fd int, st *syscall.Stat_t) error {
	return ignoringEINTR(func() error { return syscall.Fstat(fd, st) })
}

// lstatAt fills st for name relative to dirfd without following a final symbolic link.
// syscall has no exported fstatat on every architecture, so x/sys fills the same memory.
func lstatAt(dirfd int, name string, st *syscall.Stat_t) error {
	ust := (*unix.Stat_t)(unsafe.Pointer(st))
	return ignoringEINTR(func() error { return unix.Fstatat(dirfd, name, ust, unix.AT_SYMLINK_NOFOLLOW) })
}
