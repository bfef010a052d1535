// The openat2(2) fast path: one syscall resolves a whole virtual path beneath the root,
// and a once-per-process probe decides whether the kernel offers it.

package vfs

import (
	"io/fs"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// resolveFlags confine resolution to the root (absolute symlinks and ".." above it give
// EXDEV) and refuse /proc-style magic links, which could jump anywhere.
const resolveFlags = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS

// maxAgain bounds retries of EAGAIN, which openat2 returns when a concurrent rename or
// mount made it unable to prove that ".." stayed beneath the root.
const maxAgain = 16

// openat2 opens rel beneath dirfd. flag takes os.O_* values; O_CLOEXEC is always added.
func openat2(dirfd int, rel string, flag int, mode uint32) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flag) | unix.O_CLOEXEC | unix.O_LARGEFILE,
		Resolve: resolveFlags,
	}
	// openat2 rejects a non-zero mode unless the call can create a file.
	if flag&unix.O_CREAT != 0 || flag&unix.O_TMPFILE == unix.O_TMPFILE {
		how.Mode = uint64(mode)
	}
	for again := 0; ; {
		fd, err := unix.Openat2(dirfd, rel, &how)
		switch {
		case err == nil:
			return fd, nil
		case err == unix.EINTR:
		case err == unix.EAGAIN && again < maxAgain:
			again++
		default:
			return -1, err
		}
	}
}

var probe struct {
	once sync.Once
	ok   bool
}

// openat2Works reports whether openat2 with our resolve flags is usable, trying it once
// per process on dirfd. ENOSYS (kernel < 5.6), EPERM (a seccomp filter) and EINVAL or
// E2BIG (unknown flags or struct size) mean it is not.
func openat2Works(dirfd int) bool {
	probe.once.Do(func() {
		fd, err := openat2(dirfd, ".", unix.O_PATH|unix.O_DIRECTORY, 0)
		if err == nil {
			unix.Close(fd)
		}
		switch err {
		case unix.ENOSYS, unix.EPERM, unix.EINVAL, unix.E2BIG:
			probe.ok = false
		default:
			probe.ok = true
		}
	})
	return probe.ok
}

// sameInode reports whether fi (from os) and st describe the same file.
func sameInode(fi fs.FileInfo, st *unix.Stat_t) bool {
	s, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(s.Dev) == uint64(st.Dev) && uint64(s.Ino) == uint64(st.Ino)
}
