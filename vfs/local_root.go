// local_root.go: Mkdir, Remove/Rmdir and Rename through os.Root alone, for systems
// without the POSIX *at calls (Windows: local_windows.go). Compiled everywhere so the
// Linux tests run them too (root_test.go); Unix's Local uses the *at forms in
// local_unix.go instead.

package vfs

import (
	"io/fs"
	"syscall"
)

// mkdirRoot creates the directory name with perm (before the umask).
func (l *Local) mkdirRoot(name string, perm fs.FileMode) error {
	rel, err := l.enter("mkdir", name)
	if err != nil {
		return err
	}
	defer l.leave()
	if err := l.root.Mkdir(rel, perm); err != nil {
		return rootError("mkdir", name, err)
	}
	return nil
}

// removeRoot is Remove (dir false: a directory gives EISDIR) or Rmdir (dir true: anything
// but a directory gives ENOTDIR, the root EBUSY). os.Root.Remove takes either kind, so the
// kind is checked first with Lstat. Without unlinkat's flag the check and the removal are
// two steps: an entry swapped for an empty directory or a file in between is removed
// although the command named the other kind. Both are inside the root, so the jail holds;
// only the kind check can be raced.
func (l *Local) removeRoot(op, name string, dir bool) error {
	if name == "/" {
		if dir {
			return &fs.PathError{Op: op, Path: name, Err: syscall.EBUSY}
		}
		return &fs.PathError{Op: op, Path: name, Err: syscall.EISDIR}
	}
	rel, err := l.enter(op, name)
	if err != nil {
		return err
	}
	defer l.leave()
	fi, err := l.root.Lstat(rel)
	if err != nil {
		return rootError(op, name, err)
	}
	switch isDir := fi.IsDir(); {
	case dir && !isDir:
		return &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
	case !dir && isDir:
		return &fs.PathError{Op: op, Path: name, Err: syscall.EISDIR}
	}
	if err := l.root.Remove(rel); err != nil {
		return rootError(op, name, err)
	}
	return nil
}

// renameRoot renames from to to, replacing a file at to. Errors name "from -> to".
func (l *Local) renameRoot(from, to string) error {
	fromRel, err := l.enter("rename", from)
	if err != nil {
		return err
	}
	defer l.leave()
	toRel, err := l.enter("rename", to)
	if err != nil {
		return err
	}
	defer l.leave()
	if err := l.root.Rename(fromRel, toRel); err != nil {
		return rootError("rename", from+" -> "+to, err)
	}
	return nil
}
