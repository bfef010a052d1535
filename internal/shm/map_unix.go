//go:build unix

package shm

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func mmap(f *os.File, size int) ([]byte, error) {
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shm: mmap %s (%d bytes): %w", f.Name(), size, err)
	}
	return mem, nil
}

func munmap(mem []byte) error { return syscall.Munmap(mem) }

// alive reports whether process pid exists (an unreaped zombie counts as alive: the
// supervisor reaps its workers at once).
func alive(pid uint32) bool {
	return !errors.Is(syscall.Kill(int(pid), 0), syscall.ESRCH)
}
