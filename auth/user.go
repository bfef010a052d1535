// User: a logged-in identity with its jailed filesystem and its permissions, default and
// per directory.

package auth

import (
	"runtime"
	"strings"

	"github.com/fastftp/fastftp/vfs"
)

// User is a logged-in identity. It is immutable after login (Authorizers hand out the
// same *User to every session of that user), so it is safe to share between goroutines;
// code that wants a different User builds a new one.
type User struct {
	// Name is the login name ("anonymous" for anonymous users).
	Name string
	// FS is the user's jailed filesystem; "/" is their home.
	FS vfs.FS
	// Perm is the default permission set.
	Perm Perm
	// Override holds per-directory permissions (pyftpdlib's override_perm); see PermFor.
	Override []Override
	// LoginMsg is the text of the 230 reply; "" means "Login successful.".
	LoginMsg string
	// QuitMsg is the text of the 221 reply; "" means "Goodbye.".
	QuitMsg string
	// Anonymous marks anonymous access.
	Anonymous bool
	// Limits caps this user's bandwidth and sessions; the zero value means no limit.
	Limits Limits
}

// Limits are per-user caps. Bandwidth limits are shared by all the user's sessions and
// nest inside the server's global limits; each session may have its own on top.
type Limits struct {
	// ReadBytesPerSec caps uploads (bytes the server reads); 0 means unlimited.
	ReadBytesPerSec float64
	// WriteBytesPerSec caps downloads (bytes the server writes); 0 means unlimited.
	WriteBytesPerSec float64
	// MaxSessions caps the user's simultaneous logged-in sessions; 0 means unlimited.
	MaxSessions int
}

// Override gives the directory Dir its own permissions.
type Override struct {
	// Dir is a virtual path, absolute and cleaned ("/pub", not "pub/" or "/pub/.").
	Dir string
	// Perm replaces User.Perm where the override applies.
	Perm Perm
	// Recursive extends the override from Dir and its entries to the whole tree below.
	Recursive bool
}

// PermFor returns the permissions for the virtual path vpath (absolute and cleaned). An
// override on Dir applies to
//   - Dir itself (CWD /pub, LIST /pub, RMD /pub use /pub's override),
//   - every entry directly in Dir, files and subdirectories alike (RETR /pub/f,
//     MKD /pub/new, RMD /pub/sub),
//   - and, when Recursive, everything below Dir.
//
// The override with the longest Dir among those that apply wins (the first listed among
// equal Dirs); with none, u.Perm. Unlike pyftpdlib, which looks at the disk and exempts
// existing subdirectories of a non-recursive override's Dir, the rule depends on the path
// alone: no stat, no race, no blocking. Safe from any goroutine; does not allocate.
func (u *User) PermFor(vpath string) Perm {
	best, bestLen := u.Perm, -1
	parent := parentOf(vpath)
	for i := range u.Override {
		o := &u.Override[i]
		if len(o.Dir) <= bestLen {
			continue
		}
		if samePath(o.Dir, vpath) || samePath(o.Dir, parent) || (o.Recursive && isBelow(vpath, o.Dir)) {
			best, bestLen = o.Perm, len(o.Dir)
		}
	}
	return best
}

// Has reports whether the user holds every permission in q for vpath: PermFor(vpath).Has(q).
// Safe from any goroutine.
func (u *User) Has(vpath string, q Perm) bool { return u.PermFor(vpath).Has(q) }

// parentOf returns the directory holding vpath ("/" for "/" and "/x").
func parentOf(vpath string) string {
	for i := len(vpath) - 1; i > 0; i-- {
		if vpath[i] == '/' {
			return vpath[:i]
		}
	}
	return "/"
}

// foldCase: the file systems Windows and macOS use by default ignore case, so /PRIVATE
// and /private are one directory there, and an override of /private must apply to both
// (compared byte for byte, a client could step around a restriction by changing case).
// A variable so that tests on Linux can exercise the folding.
var foldCase = runtime.GOOS == "windows" || runtime.GOOS == "darwin"

// samePath compares virtual paths as the platform's file systems do.
func samePath(a, b string) bool {
	if foldCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// isBelow reports whether vpath lies strictly below the directory dir.
func isBelow(vpath, dir string) bool {
	if dir == "/" {
		return len(vpath) > 1
	}
	return len(vpath) > len(dir) && vpath[len(dir)] == '/' && samePath(vpath[:len(dir)], dir)
}
