// local_unix.go: the parts of Local that speak POSIX: the openat2 fast path's handle,
// stat and open (Linux; openat2_other.go stubs openat2 on the other Unixes), and the
// *at calls (mkdirat, unlinkat, renameat) that create, remove and rename beneath an open
// parent directory on both paths. local_windows.go has the os.Root-only counterparts.

//go:build unix

package vfs

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// oNofollow asks stat not to follow a final symbolic link; oDirectory makes an open fail
// with ENOTDIR unless it names a directory.
const (
	oNofollow  = unix.O_NOFOLLOW
	oDirectory = unix.O_DIRECTORY
)

// backslashSeparates is false: a backslash is an ordinary byte of a Unix file name.
const backslashSeparates = false

// openRootAt2 opens the O_PATH handle of root for openat2 and sets l.fast when the
// kernel accepts openat2 on it; otherwise l stays on os.Root. An error means root could
// not be opened consistently; the caller closes l.root.
func (l *Local) openRootAt2(root string) error {
	fd, err := unix.Open(root, oPath|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open root", Path: root, Err: err}
	}
	// Both handles must name the same directory: root could be renamed and replaced
	// between the two opens.
	var st unix.Stat_t
	rfi, err := l.root.Stat(".")
	if err == nil {
		err = unix.Fstat(fd, &st)
	}
	if err != nil || !sameInode(rfi, &st) {
		unix.Close(fd)
		if err == nil {
			err = syscall.ESTALE
		}
		return &fs.PathError{Op: "open root", Path: root, Err: underlying(err)}
	}
	if !openat2Works(fd) {
		unix.Close(fd)
		return nil // the kernel refuses openat2: stay on os.Root
	}
	l.dir = os.NewFile(uintptr(fd), root)
	l.dirfd = fd
	l.fast = true
	return nil
}

// sameInode reports whether fi (from os) and st describe the same file.
func sameInode(fi fs.FileInfo, st *unix.Stat_t) bool {
	s, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(s.Dev) == uint64(st.Dev) && uint64(s.Ino) == uint64(st.Ino)
}

// statAt2 is stat on the fast path: one openat2 of rel with O_PATH, then fstat.
func (l *Local) statAt2(op, name, rel string, nofollow int) (fs.FileInfo, error) {
	fd, err := openat2(l.dirfd, rel, oPath|nofollow, 0)
	if err != nil {
		return nil, at2Error(op, name, err)
	}
	fi := &fileInfo{name: baseName(name)}
	err = fstat(fd, &fi.sys)
	unix.Close(fd)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return fi, nil
}

// openAt2 is openRel on the fast path; the file's Name is the virtual path.
func (l *Local) openAt2(op, name, rel string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := openat2(l.dirfd, rel, flag, syscallMode(perm))
	if err != nil {
		return nil, at2Error(op, name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Mkdir creates the directory name with perm (before the umask). A final symbolic link
// is not followed (EEXIST). Safe from any goroutine.
func (l *Local) Mkdir(name string, perm fs.FileMode) error {
	return l.atParent("mkdir", name, func(dirfd int, base string) error {
		err := ignoringEINTR(func() error { return unix.Mkdirat(dirfd, base, syscallMode(perm)) })
		if err == nil && l.owner != nil {
			err = l.owner.chownNewDir(dirfd, base)
		}
		return err
	})
}

// Remove removes a file or symbolic link (never its target). A directory gives EISDIR.
// Safe from any goroutine.
func (l *Local) Remove(name string) error {
	if name == "/" {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EISDIR}
	}
	return l.atParent("remove", name, func(dirfd int, base string) error {
		return ignoringEINTR(func() error { return unix.Unlinkat(dirfd, base, 0) })
	})
}

// Rmdir removes an empty directory. A file or symbolic link gives ENOTDIR, a non-empty
// directory ENOTEMPTY, the root EBUSY. Safe from any goroutine.
func (l *Local) Rmdir(name string) error {
	if name == "/" {
		return &fs.PathError{Op: "rmdir", Path: name, Err: syscall.EBUSY}
	}
	return l.atParent("rmdir", name, func(dirfd int, base string) error {
		return ignoringEINTR(func() error { return unix.Unlinkat(dirfd, base, unix.AT_REMOVEDIR) })
	})
}

// Rename renames from to to with renameat(2): a file at to is replaced, symbolic links
// in the last components are renamed or replaced themselves, never followed. Errors
// resolving either parent name that side's path; errors of renameat itself name
// "from -> to". Safe from any goroutine.
func (l *Local) Rename(from, to string) error {
	return l.atParent("rename", from, func(fromfd int, fromBase string) error {
		err := l.atParent("rename", to, func(tofd int, toBase string) error {
			err := ignoringEINTR(func() error { return unix.Renameat(fromfd, fromBase, tofd, toBase) })
			if err != nil {
				return &fs.PathError{Op: "rename", Path: from + " -> " + to, Err: err}
			}
			return nil
		})
		return err
	})
}

// atParent opens the directory holding name's last component (following symbolic links
// inside the root) and calls fn with its descriptor and that component. fn's errors that
// are not already *fs.PathError are labelled with op and name.
func (l *Local) atParent(op, name string, fn func(dirfd int, base string) error) error {
	rel, err := l.enter(op, name)
	if err != nil {
		return err
	}
	defer l.leave()
	parent, base := splitRel(rel)
	var dirfd int
	switch {
	case l.fast && parent == ".":
		dirfd = l.dirfd
	case l.fast:
		dirfd, err = openat2(l.dirfd, parent, oPath|unix.O_DIRECTORY, 0)
		if err != nil {
			return at2Error(op, name, err)
		}
		defer unix.Close(dirfd)
	default:
		f, err := l.root.OpenFile(parent, oPath|unix.O_DIRECTORY, 0)
		if err != nil {
			return rootError(op, name, err)
		}
		defer f.Close() // after fn: f owns dirfd
		dirfd = int(f.Fd())
	}
	if err := fn(dirfd, base); err != nil {
		if _, ok := err.(*fs.PathError); ok {
			return err
		}
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

// syscallMode converts permission bits and setuid/setgid/sticky to the kernel's layout.
func syscallMode(m fs.FileMode) uint32 {
	o := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		o |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		o |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		o |= syscall.S_ISVTX
	}
	return o
}

func ignoringEINTR(fn func() error) error {
	for {
		err := fn()
		if err != syscall.EINTR {
			return err
		}
	}
}

// at2Error labels an error of openat2(2). RESOLVE_BENEATH reports a resolution that
// would leave the root (an absolute symbolic link, or ".." above the root) as EXDEV.
func at2Error(op, name string, err error) error {
	if err == syscall.EXDEV {
		err = ErrEscape
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// splitRel splits a root-relative path into its parent ("." at the top) and last
// component.
func splitRel(rel string) (parent, base string) {
	for i := len(rel) - 1; i >= 0; i-- {
		if rel[i] == '/' {
			return rel[:i], rel[i+1:]
		}
	}
	return ".", rel
}

// baseName is path.Base for a cleaned absolute path: "/" stays "/".
func baseName(name string) string {
	if name == "/" {
		return name
	}
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[i+1:]
		}
	}
	return name
}
