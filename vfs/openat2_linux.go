// The openat2(2) fast path: one syscall resolves a whole virtual path beneath the root,
// and a once-per-process probe decides whether the kernel offers it. Linux only (5.6+);
// openat2_other.go is the stub every other system builds, where Local always takes the
// os.Root path.

package vfs

import (
	"sync"

	"golang.org/x/sys/unix"
)

// haveOpenat2: this system may offer openat2; the kernel is still probed (openat2Works).
const haveOpenat2 = true

// oPath opens a descriptor that only names a file (O_PATH): no read permission is needed
// and no file is really opened, which is all the *at calls and fstat want.
const oPath = unix.O_PATH

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
