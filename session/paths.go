// Virtual path resolution and the mapping of storage errors to FTP replies.

package session

import (
	"errors"
	"io/fs"
	"path"
	"syscall"
	"unicode/utf8"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// resolve turns a client path into a clean absolute virtual path. ".." can never climb above
// "/", and the FS maps "/" to the user's root, so no argument reaches outside it.
func (s *Session) resolve(arg []byte) string {
	if len(arg) > 0 && arg[0] == '/' {
		return path.Clean(string(arg))
	}
	return path.Clean(s.login.cwd + "/" + string(arg))
}

// creatable answers 553 for a new name that is not valid UTF-8. FEAT announces UTF8, so
// such a name cannot be shown to clients as it is; existing files with legacy-encoded names
// stay reachable (RETR, CWD, DELE take any bytes), they just cannot be created.
func (s *Session) creatable(vpath string) bool {
	if utf8.ValidString(vpath) {
		return true
	}
	s.reply(553, "File name not allowed: not valid UTF-8.")
	return false
}

// can reports whether the user holds perm on vpath, answering 550 when not.
func (s *Session) can(perm auth.Perm, vpath string) bool {
	if s.login.user.PermFor(vpath).Has(perm) {
		return true
	}
	s.reply(550, "Not enough privileges.")
	return false
}

// fsError maps a storage error to a reply. The text names the virtual path, never a host path.
func fsError(err error, vpath string) (int, string) {
	var msg string
	code := 550
	switch {
	case errors.Is(err, vfs.ErrEscape):
		msg = "Permission denied (outside the root)."
	case errors.Is(err, fs.ErrNotExist):
		msg = "No such file or directory."
	case errors.Is(err, fs.ErrPermission):
		msg = "Permission denied."
	case errors.Is(err, fs.ErrExist):
		msg = "File exists."
	case errors.Is(err, syscall.ENOTEMPTY):
		msg = "Directory not empty."
	case errors.Is(err, syscall.ENOTDIR):
		msg = "Not a directory."
	case errors.Is(err, syscall.EISDIR):
		msg = "Is a directory."
	case errors.Is(err, syscall.ENAMETOOLONG):
		msg = "File name too long."
	case errors.Is(err, syscall.ENOSPC):
		code, msg = 452, "Insufficient storage space."
	case errors.Is(err, syscall.EDQUOT):
		code, msg = 552, "Disk quota exceeded."
	case errors.Is(err, syscall.EINVAL):
		code, msg = 553, "File name not allowed."
	default:
		msg = "Operation failed."
	}
	return code, vpath + ": " + msg
}

func (s *Session) replyErr(err error, vpath string) {
	code, text := fsError(err, vpath)
	s.reply(code, text)
}
