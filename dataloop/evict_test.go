//go:build linux

// evict drops a file's clean pages from the page cache (disk file systems only).

package dataloop

import (
	"os"

	"golang.org/x/sys/unix"
)

func evict(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
