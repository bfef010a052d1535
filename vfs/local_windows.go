// local_windows.go: Local on Windows, which has neither openat2 nor the POSIX *at calls:
// every method resolves through os.Root (the same jail; Go walks the path one component
// at a time and refuses to leave the root), creating, removing and renaming with the
// portable forms in local_root.go. No Owner: Windows has no chown.

package vfs

import (
	"errors"
	"io/fs"
	"os"
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

// backslashSeparates: Windows reads a backslash as a path separator, so virtual paths
// holding one are refused (see Local.enter).
const backslashSeparates = true

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
	if l.owner != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: errNoOwner}
	}
	return l.mkdirRoot(name, perm)
}

// Remove removes a file or symbolic link (never its target). A directory gives EISDIR.
// Safe from any goroutine.
func (l *Local) Remove(name string) error { return l.removeRoot("remove", name, false) }

// Rmdir removes an empty directory. A file or symbolic link gives ENOTDIR, the root
// EBUSY. Safe from any goroutine.
func (l *Local) Rmdir(name string) error { return l.removeRoot("rmdir", name, true) }

// Rename renames from to to, replacing a file at to. Safe from any goroutine.
func (l *Local) Rename(from, to string) error { return l.renameRoot(from, to) }
