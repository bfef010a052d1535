// Virtual path resolution and the checks on a path before a command uses it.

package session

import (
	"path"
	"unicode/utf8"

	"github.com/fastftp/fastftp/auth"
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
