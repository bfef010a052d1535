package shm

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// newFile makes an anonymous memory file of size bytes (memfd: no path, freed with its
// last descriptor and mapping).
func newFile(size int) (*os.File, error) {
	fd, err := unix.MemfdCreate("fastftpd-limits", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("shm: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "memfd:fastftpd-limits")
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("shm: size the limits table to %d bytes: %w", size, err)
	}
	return f, nil
}
