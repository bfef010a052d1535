// readlink.go: Local.Readlink, a symbolic link's stored target for LIST's "name -> target"
// (Unix: readlinkat inside the root; on Windows Local has no LinkReader and LIST shows no
// targets).

//go:build unix

package vfs

import (
	"syscall"

	"golang.org/x/sys/unix"
)

var _ LinkReader = (*Local)(nil)

// maxLinkTarget bounds the target read: PATH_MAX, which no kernel exceeds for a link.
const maxLinkTarget = 4096

// Readlink implements LinkReader: readlinkat on the parent directory, opened inside the
// root like every other call. Safe from any goroutine.
func (l *Local) Readlink(name string) (string, error) {
	var target string
	err := l.atParent("readlink", name, func(dirfd int, base string) error {
		var buf [maxLinkTarget]byte
		var n int
		err := ignoringEINTR(func() (err error) {
			n, err = unix.Readlinkat(dirfd, base, buf[:])
			return err
		})
		if err != nil {
			return err
		}
		if n >= len(buf) {
			return syscall.ENAMETOOLONG
		}
		target = string(buf[:n])
		return nil
	})
	return target, err
}
