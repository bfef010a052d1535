//go:build linux || darwin || freebsd

// statfs_unix.go: free space for AVBL, where golang.org/x/sys/unix has Fstatfs with the
// same field names.

package session

import (
	"os"

	"golang.org/x/sys/unix"
)

// statfsAvail returns the bytes available to unprivileged users on fd's file system.
func statfsAvail(fd uintptr) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(fd), &st); err != nil {
		return 0, os.NewSyscallError("fstatfs", err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
