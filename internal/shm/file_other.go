//go:build unix && !linux

package shm

import (
	"fmt"
	"os"
)

// newFile makes an unlinked temporary file of size bytes (no memfd outside Linux).
func newFile(size int) (*os.File, error) {
	f, err := os.CreateTemp("", "fastftpd-limits-*")
	if err != nil {
		return nil, fmt.Errorf("shm: limits table file: %w", err)
	}
	os.Remove(f.Name())
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("shm: size the limits table %s to %d bytes: %w", f.Name(), size, err)
	}
	return f, nil
}
