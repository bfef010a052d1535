// owner_unix.go: giving new files and directories to the Local's Owner without ever
// chowning something the process did not just create. Only POSIX calls (openat with
// O_EXCL and O_NOFOLLOW, fchown, unlinkat), so it works the same on Linux, darwin and the
// BSDs; the one Linux-only piece, openat2, is only reached on the fast path.

//go:build unix

package vfs

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openOwned is openFile for a flag with O_CREATE on a Local with an Owner. Only a file
// this call creates is chowned: it first opens with O_EXCL (created: fchown the
// descriptor), and on EEXIST opens the existing file without O_CREATE, leaving its owner
// alone. A file removed between the two opens is retried a few times.
func (l *Local) openOwned(op, name, rel string, flag int, perm fs.FileMode) (*os.File, error) {
	if flag&os.O_EXCL != 0 {
		return l.openCreated(op, name, rel, flag, perm)
	}
	for range 3 {
		f, err := l.openCreated(op, name, rel, flag|os.O_EXCL, perm)
		if err == nil || !isErrno(err, syscall.EEXIST) {
			return f, err
		}
		f, err = l.openRel(op, name, rel, flag&^os.O_CREATE, perm)
		if err == nil || !isErrno(err, syscall.ENOENT) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: op, Path: name, Err: syscall.EAGAIN}
}

// openCreated opens with O_CREATE|O_EXCL and gives the new file to the owner; if that
// fails, the file is removed again so no entry owned by the server is left behind.
func (l *Local) openCreated(op, name, rel string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := l.openRel(op, name, rel, flag, perm)
	if err != nil {
		return nil, err
	}
	if err := f.Chown(l.owner.UID, l.owner.GID); err != nil {
		f.Close()
		l.removeRel(rel)
		return nil, &fs.PathError{Op: "chown", Path: name, Err: underlying(err)}
	}
	return f, nil
}

// removeRel unlinks rel, best effort (cleanup after a failed chown).
func (l *Local) removeRel(rel string) {
	if l.fast {
		parent, base := splitRel(rel)
		dirfd := l.dirfd
		if parent != "." {
			fd, err := openat2(l.dirfd, parent, oPath|unix.O_DIRECTORY, 0)
			if err != nil {
				return
			}
			defer unix.Close(fd)
			dirfd = fd
		}
		unix.Unlinkat(dirfd, base, 0)
		return
	}
	l.root.Remove(rel)
}

// chownNewDir gives the directory base, just created in dirfd, to o. It opens base
// without following a symbolic link and checks that it is a directory still owned by
// this process, so a name swapped in between mkdirat and here (a link to a file the
// process may chown) is never chowned. On failure the directory is removed.
func (o *Owner) chownNewDir(dirfd int, base string) error {
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Uid != uint32(os.Geteuid()) {
		return syscall.EEXIST // not the directory mkdirat made
	}
	if err := unix.Fchown(fd, o.UID, o.GID); err != nil {
		unix.Unlinkat(dirfd, base, unix.AT_REMOVEDIR)
		return err
	}
	return nil
}

// isErrno reports whether err (an *fs.PathError from openRel) carries errno e.
func isErrno(err error, e syscall.Errno) bool {
	pe, ok := err.(*fs.PathError)
	return ok && pe.Err == e
}
