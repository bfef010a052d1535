// The optional allocation-free listing extension of FS.

package vfs

import "syscall"

// DirLister is an optional FS extension (found by type assertion): ListDir calls fn for
// each entry of the directory name except "." and "..", with the entry's name (valid only
// during the call) and its lstat result. Entries that vanish while listed are skipped, as
// ls does. An error from fn stops the listing and is returned.
type DirLister interface {
	ListDir(name string, fn func(name []byte, st *syscall.Stat_t) error) error
}

// LinkReader is an optional FS extension (found by type assertion): Readlink returns the
// target of the symbolic link name as stored, unresolved (it may name a path outside the
// root; LIST shows it as ls does and never follows it). name's last component is not
// followed; a name that is not a link gives an error matching fs.ErrInvalid (EINVAL).
type LinkReader interface {
	Readlink(name string) (string, error)
}
