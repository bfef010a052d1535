// Local: the host directory jailed under a root, its lifetime (Close while sessions run)
// and the dispatch between the openat2 fast path and the os.Root fallback.

package vfs

import (
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// LocalOptions tunes NewLocalOptions. The zero value is what NewLocal uses.
type LocalOptions struct {
	// DisableOpenat2 forces the os.Root code path even where openat2(2) works: for tests
	// and benchmarks of the fallback, or a kernel whose openat2 misbehaves.
	DisableOpenat2 bool
	// Owner, when set, makes every file and directory created through the Local belong to
	// Owner's uid and gid (system users served by a root process); see owner_unix.go.
	Owner *Owner
}

// Local serves a host directory. Every method is safe for concurrent use by any number of
// goroutines and may block on the disk. Users sharing a home should share one Local: it
// holds two descriptors for the root (an os.Root and, on the fast path, an O_PATH handle),
// not one per login. Files and Dirs it returned stay usable after Close.
//
// How each method resolves paths (both ways refuse to leave the root, whatever the
// symbolic links on disk):
//   - fast path (openat2 available): Open, OpenFile, OpenDir, Stat and Lstat are one
//     openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS) relative to the root handle (plus
//     fstat for Stat/Lstat); Mkdir, Remove, Rmdir and Rename open the parent directory
//     with openat2 and call mkdirat/unlinkat/renameat on the last component, which never
//     follows a final symbolic link.
//   - fallback: os.Root does the same, walking the components one openat at a time.
//     This is the only path on systems other than Linux (openat2_other.go), where the
//     parent directory for the *at calls is opened O_RDONLY instead of O_PATH.
//   - Chmod and Chtimes use os.Root in both modes: they must follow a final symbolic link,
//     which the *at calls cannot do safely on every kernel.
type Local struct {
	root  *os.Root
	dir   *os.File // O_PATH handle of the root for openat2; nil on the fallback path
	dirfd int      // dir's descriptor, valid while a call holds a reference
	fast  bool
	owner *Owner // nil: created entries keep the process's owner

	// calls counts methods in flight; closedBit is set by Close. The descriptors are
	// closed when both hold, so a Close racing a session never lets a call resolve a path
	// against a reused descriptor number.
	calls     atomic.Int64
	closeOnce sync.Once
	closeErr  error
}

const closedBit = 1 << 62

var _ FS = (*Local)(nil)

// NewLocal opens root, which must exist and be a directory; the error names it. The
// openat2 fast path is used when the kernel supports it (probed once per process).
// Safe from any goroutine.
func NewLocal(root string) (*Local, error) {
	return NewLocalOptions(root, LocalOptions{})
}

// NewLocalOptions is NewLocal with options. Safe from any goroutine.
func NewLocalOptions(root string, o LocalOptions) (*Local, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, &fs.PathError{Op: "open root", Path: root, Err: underlying(err)}
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "open root", Path: root, Err: syscall.ENOTDIR}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, &fs.PathError{Op: "open root", Path: root, Err: underlying(err)}
	}
	l := &Local{root: r, dirfd: -1, owner: o.Owner}
	if o.DisableOpenat2 || !haveOpenat2 {
		return l, nil
	}
	if err := l.openRootAt2(root); err != nil {
		r.Close()
		return nil, err
	}
	return l, nil
}

// UsesOpenat2 reports whether l resolves paths with openat2(2) rather than os.Root.
// Safe from any goroutine.
func (l *Local) UsesOpenat2() bool { return l.fast }

// Close releases the root's descriptors once the calls in flight have returned; later
// calls fail with ErrClosed. Files and Dirs already returned are unaffected. Safe from any
// goroutine; a second Close returns an error matching fs.ErrClosed.
func (l *Local) Close() error {
	for {
		s := l.calls.Load()
		if s&closedBit != 0 {
			return &fs.PathError{Op: "close", Path: "/", Err: ErrClosed}
		}
		if l.calls.CompareAndSwap(s, s|closedBit) {
			if s != 0 {
				return nil // the last call in flight closes the descriptors
			}
			l.closeFDs()
			return l.closeErr // written inside closeOnce, which Do waited for
		}
	}
}

func (l *Local) closeFDs() {
	l.closeOnce.Do(func() {
		l.closeErr = l.root.Close()
		if l.dir != nil {
			if err := l.dir.Close(); l.closeErr == nil {
				l.closeErr = err
			}
		}
	})
}

// enter validates a virtual path, takes a reference on the descriptors and returns the
// path relative to the root ("/" maps to "."). Every successful enter is paired with leave,
// whose use of l after the syscall also keeps l (and its handles) reachable.
func (l *Local) enter(op, name string) (string, error) {
	if len(name) == 0 || name[0] != '/' {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrNotAbsolute}
	}
	if backslashSeparates && strings.IndexByte(name, '\\') >= 0 {
		// Windows would resolve "/a\..\b" as "/b" while the session checked the
		// permissions of a path under "/a": refuse, as no file name there can hold one.
		// (A constant: compiled out on Unix, where a backslash is an ordinary byte.)
		return "", &fs.PathError{Op: op, Path: name, Err: syscall.EINVAL}
	}
	if l.calls.Add(1)&closedBit != 0 {
		l.leave()
		return "", &fs.PathError{Op: op, Path: name, Err: ErrClosed}
	}
	if len(name) == 1 {
		return ".", nil
	}
	return name[1:], nil
}

func (l *Local) leave() {
	if l.calls.Add(-1) == closedBit {
		l.closeFDs()
	}
}

// Stat describes name, following symbolic links inside the root. Safe from any goroutine.
func (l *Local) Stat(name string) (fs.FileInfo, error) {
	return l.stat("stat", name, 0)
}

// Lstat describes name without following a final symbolic link. Safe from any goroutine.
func (l *Local) Lstat(name string) (fs.FileInfo, error) {
	return l.stat("lstat", name, oNofollow)
}

func (l *Local) stat(op, name string, nofollow int) (fs.FileInfo, error) {
	rel, err := l.enter(op, name)
	if err != nil {
		return nil, err
	}
	defer l.leave()
	if l.fast {
		return l.statAt2(op, name, rel, nofollow)
	}
	var fi fs.FileInfo
	if nofollow != 0 {
		fi, err = l.root.Lstat(rel)
	} else {
		fi, err = l.root.Stat(rel)
	}
	if err != nil {
		return nil, rootError(op, name, err)
	}
	if rel == "." {
		fi = renamedInfo{fi, "/"}
	}
	return fi, nil
}

// Open opens name read-only; the result is an *os.File. Safe from any goroutine.
func (l *Local) Open(name string) (File, error) {
	return l.OpenFile(name, os.O_RDONLY, 0)
}

// OpenFile opens name with os.O_* flags, creating it with perm (before the umask) when
// flag has O_CREATE. The result is an *os.File, so sendfile/splice apply; on the fast path
// its Name is the virtual path, on the fallback path the host path. Safe from any goroutine.
func (l *Local) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := l.openFile("open", name, flag, perm)
	if err != nil {
		return nil, err // a typed nil *os.File must not become a non-nil File
	}
	return f, nil
}

func (l *Local) openFile(op, name string, flag int, perm fs.FileMode) (*os.File, error) {
	rel, err := l.enter(op, name)
	if err != nil {
		return nil, err
	}
	defer l.leave()
	if l.owner != nil && flag&os.O_CREATE != 0 {
		return l.openOwned(op, name, rel, flag, perm)
	}
	return l.openRel(op, name, rel, flag, perm)
}

// openRel opens the root-relative path rel; op and name label errors.
func (l *Local) openRel(op, name, rel string, flag int, perm fs.FileMode) (*os.File, error) {
	if l.fast {
		return l.openAt2(op, name, rel, flag, perm)
	}
	f, err := l.root.OpenFile(rel, flag, perm)
	if err != nil {
		return nil, rootError(op, name, err)
	}
	return f, nil
}

// OpenDir opens the directory name for streaming with ReadDir. Entries' Info does one
// fstatat relative to the open directory, so it stays inside the root. Safe from any
// goroutine; the Dir is used by one goroutine at a time.
func (l *Local) OpenDir(name string) (Dir, error) {
	f, err := l.openFile("opendir", name, os.O_RDONLY|oDirectory, 0)
	if err != nil {
		return nil, err
	}
	if oDirectory == 0 {
		// No O_DIRECTORY (Windows), where a plain file opens too: refuse it as open(2)
		// would, so LIST of a file and NLST behave as on Unix. Constant: compiled out
		// elsewhere.
		if fi, err := f.Stat(); err != nil || !fi.IsDir() {
			f.Close()
			if err == nil {
				err = syscall.ENOTDIR
			}
			return nil, &fs.PathError{Op: "opendir", Path: name, Err: underlying(err)}
		}
	}
	d := &localDir{f: f, name: name}
	if l.fast {
		// An os.NewFile directory's DirEntry.Info would lstat "<Name>/<entry>" from the
		// process's cwd: wrong and outside the jail. Route Info through the descriptor.
		rc, err := f.SyscallConn()
		if err != nil {
			f.Close()
			return nil, &fs.PathError{Op: "opendir", Path: name, Err: underlying(err)}
		}
		d.rc = rc
	}
	return d, nil
}

// Chmod sets the permission bits (and setuid, setgid, sticky) of name, following
// symbolic links inside the root. Safe from any goroutine.
func (l *Local) Chmod(name string, mode fs.FileMode) error {
	rel, err := l.enter("chmod", name)
	if err != nil {
		return err
	}
	defer l.leave()
	if err := l.root.Chmod(rel, mode); err != nil {
		return rootError("chmod", name, err)
	}
	return nil
}

// Chtimes sets the modification and access times of name to mtime, following symbolic
// links inside the root. Safe from any goroutine.
func (l *Local) Chtimes(name string, mtime time.Time) error {
	rel, err := l.enter("chtimes", name)
	if err != nil {
		return err
	}
	defer l.leave()
	if err := l.root.Chtimes(rel, mtime, mtime); err != nil {
		return rootError("chtimes", name, err)
	}
	return nil
}

// renamedInfo gives the root its virtual name "/" (os.Root calls it ".").
type renamedInfo struct {
	fs.FileInfo
	name string
}

func (r renamedInfo) Name() string { return r.name }
