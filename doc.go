// Package fastftp is the library face of the fastftp FTP server engine: Config, a Server
// built from it (New, Serve, ServeTLS, Shutdown), and the interfaces embedders implement.
//
// Where to start:
//
//   - Users: implement Authorizer (one method), or use auth.Static (anonymous and virtual
//     users with bcrypt/argon2id passwords) or sysauth.System (the machine's accounts).
//     An Authorizer that can answer some logins in microseconds may also implement
//     auth.QuickAuthorizer: those are answered without leaving the event loop.
//   - Storage: implement FS (eleven methods on virtual paths), or use vfs.Local, a host
//     directory jailed with openat2(RESOLVE_BENEATH). Files that are *os.File move with
//     sendfile(2)/splice(2); any other File is copied through pooled buffers.
//   - Behaviour: Config.Hooks (pyftpdlib's on_* callbacks, on a bounded pool),
//     Config.SiteCommands (custom SITE subcommands), Config.Metrics, Config.TransferLog.
//
// examples/ holds three small programs that use all of this.
package fastftp

import (
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/vfs"
)

// The extension interfaces, re-exported so this package is the one place to look.
type (
	// Authorizer decides who may log in and returns their User.
	Authorizer = auth.Authorizer
	// User is a logged-in identity: name, filesystem, permissions, limits.
	User = auth.User
	// FS is a user's filesystem; paths are virtual ("/" is the user's root).
	FS = vfs.FS
	// File and Dir are what an FS opens.
	File = vfs.File
	Dir  = vfs.Dir
)
