// Package vfs defines the storage interface an FTP session needs (FS, File, Dir) and Local,
// which serves a host directory jailed under a root with openat2(2) RESOLVE_BENEATH and
// falls back to os.Root where openat2 is missing (old Linux kernels, seccomp filters, and
// every other system: darwin, the BSDs and Windows always use os.Root).
//
// Differences by system: the allocation-free vfs.DirLister listing (getdents64) exists
// only on linux/amd64 and linux/arm64, so elsewhere sessions list with Dir.ReadDir; on
// the other Unixes, the directory holding an entry to create, remove or rename is opened
// O_RDONLY rather than O_PATH, so it must be readable (see openat2_other.go). Owner works
// on every Unix (fchown). Windows has no *at calls, no chown and no syscall.Stat_t: Local
// creates, removes and renames through os.Root alone (local_root.go, local_windows.go),
// refuses an Owner, has no DirLister, and its FileInfo.Sys() is what package os gives
// there.
//
// Paths given to an FS are FTP virtual paths: slash-separated and absolute ("/" is the
// user's root), already cleaned by the caller with path.Clean. Errors returned by FS methods
// are *fs.PathError values whose Path is that virtual path, never a host path, and whose Err
// keeps the underlying errno, so errors.Is(err, fs.ErrNotExist), fs.ErrPermission,
// fs.ErrExist, syscall.ENOTEMPTY, syscall.EISDIR and syscall.ENOTDIR all work.
package vfs

import (
	"io"
	"io/fs"
	"time"
)

// Sentinel errors. They are compared with errors.Is; FS methods wrap them in *fs.PathError.
var (
	// ErrEscape reports a path that would leave the root: a symbolic link (absolute or
	// relative) resolving outside it, or a ".." climbing above it. It also matches
	// fs.ErrPermission, so code that maps permission errors to an FTP 550 needs no case
	// for it.
	ErrEscape error = escapeError{}
	// ErrClosed reports a method called on a Local after Close. It matches fs.ErrClosed.
	ErrClosed error = closedError{}
	// ErrNotAbsolute reports a virtual path that does not start with "/". It matches
	// fs.ErrInvalid.
	ErrNotAbsolute error = notAbsError{}
)

// The sentinel types carry no data; their Is methods let one sentinel also match the
// standard error a caller already handles.
type (
	escapeError struct{}
	closedError struct{}
	notAbsError struct{}
)

func (escapeError) Error() string        { return "path escapes from the root" }
func (escapeError) Is(target error) bool { return target == fs.ErrPermission }
func (closedError) Error() string        { return "file system closed" }
func (closedError) Is(target error) bool { return target == fs.ErrClosed }
func (notAbsError) Error() string        { return "virtual path is not absolute" }
func (notAbsError) Is(target error) bool { return target == fs.ErrInvalid }

// File is an open file. *os.File implements it. The server uses sendfile(2)/splice(2) only
// when the File is an *os.File, so Local returns *os.File values. A File is used by one
// goroutine at a time (a transfer); Close releases it.
type File interface {
	io.Reader
	io.Writer
	io.Seeker
	io.Closer
	Stat() (fs.FileInfo, error)
}

// Dir streams a directory. ReadDir(n) with n > 0 returns at most n entries per call and
// io.EOF at the end (like *os.File.ReadDir), so a 100,000-entry directory is never held in
// memory. Entries are owned by the caller; an entry's Info may be called until the Dir is
// closed. A Dir is used by one goroutine at a time.
type Dir interface {
	ReadDir(n int) ([]fs.DirEntry, error)
	Close() error
}

// FS is what a session needs from storage. Every method may block (the server calls them
// off its event loops) and must be safe for concurrent use by many sessions. Optional
// extensions are found by type assertion on the FS value.
type FS interface {
	// Stat describes name, following symbolic links that stay inside the root.
	Stat(name string) (fs.FileInfo, error)
	// Lstat describes name without following a final symbolic link.
	Lstat(name string) (fs.FileInfo, error)
	// Open opens name read-only.
	Open(name string) (File, error)
	// OpenFile opens name with os.O_* flags; perm applies when O_CREATE creates the file.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// OpenDir opens the directory name for streaming.
	OpenDir(name string) (Dir, error)
	// Mkdir creates the directory name.
	Mkdir(name string, perm fs.FileMode) error
	// Remove removes a file or symbolic link; a directory is an error (EISDIR).
	Remove(name string) error
	// Rmdir removes an empty directory; a file is an error (ENOTDIR).
	Rmdir(name string) error
	// Rename renames from to to, replacing a file at to.
	Rename(from, to string) error
	// Chmod changes the permission bits of name, following symbolic links inside the root.
	Chmod(name string, mode fs.FileMode) error
	// Chtimes sets the modification and access times of name to mtime.
	Chtimes(name string, mtime time.Time) error
}

// LinkReader is an optional FS extension (found by type assertion; Local has it on Unix): Readlink returns the
// target of the symbolic link name as stored, unresolved (it may name a path outside the
// root; LIST shows it as ls does and never follows it). name's last component is not
// followed; a name that is not a link gives an error matching fs.ErrInvalid (EINVAL).
type LinkReader interface {
	Readlink(name string) (string, error)
}
