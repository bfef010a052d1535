// StatRaw: one fstatat(2), for comparing a path with a file already open (the open-file
// cache), where the jailed stat (openat2 O_PATH, fstat, close) would cost three calls.

package vfs

import (
	"io/fs"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// StatRaw fills st for name, following symbolic links, with one fstatat relative to the
// root, and no allocation. It does NOT confine resolution beneath the root (no
// RESOLVE_BENEATH): use it only to check whether name still is a file opened earlier
// through Open (same device and inode), never to reach or describe a file for a client.
// A name that resolves outside the root can match nothing opened inside it. Safe from any
// goroutine.
func (l *Local) StatRaw(name string, st *syscall.Stat_t) error {
	rel, err := l.enter("stat", name)
	if err != nil {
		return err
	}
	defer l.leave()
	if !l.fast {
		fi, err := l.stat("stat", name, 0)
		if err != nil {
			return err
		}
		s, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return &fs.PathError{Op: "stat", Path: name, Err: syscall.ENOTSUP}
		}
		*st = *s
		return nil
	}
	ust := (*unix.Stat_t)(unsafe.Pointer(st)) // same layout: fileinfo.go checks the sizes
	for err = unix.Fstatat(l.dirfd, rel, ust, 0); err == unix.EINTR; {
		err = unix.Fstatat(l.dirfd, rel, ust, 0)
	}
	if err != nil {
		return &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return nil
}
