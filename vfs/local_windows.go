// local_windows.go: Local on Windows, which has neither openat2 nor the POSIX *at calls:
// every method resolves through os.Root (the same jail; Go walks the path one component
// at a time and refuses to leave the root). No Owner: Windows has no chown.

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// haveOpenat2 is false: NewLocalOptions never opens the fast-path handle, so Local.fast
// stays false and the *At2 methods below are never reached.
const haveOpenat2 = false

// oNofollow is only a marker here (stat passes it on to choose Root.Lstat); oDirectory is
// 0 because Windows has no such flag, so OpenDir checks the opened file itself.
const (
	oNofollow  = 1
	oDirectory = 0
)

// errNoFastPath would report a call on the openat2 path, which Windows never takes.
var errNoFastPath = errors.New("openat2 path used on windows")

// errNoOwner reports a Local created with LocalOptions.Owner on Windows, which cannot give
// files to another account. It matches errors.ErrUnsupported.
var errNoOwner error = noOwnerError{}

type noOwnerError struct{}

func (noOwnerError) Error() string        { return "LocalOptions.Owner is not supported on windows" }
func (noOwnerError) Is(target error) bool { return target == errors.ErrUnsupported }

// openRootAt2 keeps l on os.Root.
func (l *Local) openRootAt2(string) error { return nil }

func (l *Local) statAt2(op, name, _ string, _ int) (fs.FileInfo, error) {
	return nil, &fs.PathError{Op: op, Path: name, Err: errNoFastPath}
}

func (l *Local) openAt2(op, name, _ string, _ int, _ fs.FileMode) (*os.File, error) {
	return nil, &fs.PathError{Op: op, Path: name, Err: errNoFastPath}
}

// openOwned refuses: see errNoOwner.
func (l *Local) openOwned(op, name, _ string, _ int, _ fs.FileMode) (*os.File, error) {
	return nil, &fs.PathError{Op: op, Path: name, Err: errNoOwner}
}

// Mkdir creates the directory name with perm (Windows keeps only the read-only bit).
// Safe from any goroutine.
func (l *Local) Mkdir(name string, perm fs.FileMode) error {
	rel, err := l.enter("mkdir", name)
	if err != nil {
		return err
	}
	defer l.leave()
	if l.owner != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: errNoOwner}
	}
	if err := l.root.Mkdir(rel, perm); err != nil {
		return rootError("mkdir", name, err)
	}
	return nil
}

// Remove removes a file or symbolic link (never its target). A directory gives EISDIR.
// Safe from any goroutine.
func (l *Local) Remove(name string) error {
	return l.remove("remove", name, false)
}

// Rmdir removes an empty directory. A file or symbolic link gives ENOTDIR, a non-empty
// directory ENOTEMPTY, the root EBUSY. Safe from any goroutine.
func (l *Local) Rmdir(name string) error {
	return l.remove("rmdir", name, true)
}

// remove is Remove (dir false) or Rmdir (dir true). os.Root.Remove takes either kind, so
// the kind is checked first with Lstat. Without unlinkat's flag that check and the removal
// are two steps: a file swapped for an empty directory in between (or the reverse) is
// removed although DELE (or RMD) named the other kind. Both are inside the root and
// removable by the same user, so the jail holds; only the kind check can be raced.
func (l *Local) remove(op, name string, dir bool) error {
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

// Rename renames from to to, replacing a file at to. Errors name "from -> to". Safe from
// any goroutine.
func (l *Local) Rename(from, to string) error {
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
