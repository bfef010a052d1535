// The optional allocation-free listing extension of FS. Unix only: it hands out a
// syscall.Stat_t, which Windows lacks.

//go:build unix

package vfs

import "syscall"

// DirLister is an optional FS extension (found by type assertion): ListDir calls fn for
// each entry of the directory name except "." and "..", with the entry's name (valid only
// during the call) and its lstat result. Entries that vanish while listed are skipped, as
// ls does. An error from fn stops the listing and is returned.
type DirLister interface {
	ListDir(name string, fn func(name []byte, st *syscall.Stat_t) error) error
}
