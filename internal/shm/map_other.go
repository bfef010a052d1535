//go:build !unix

package shm

import "os"

func newFile(int) (*os.File, error)      { return nil, ErrUnsupported }
func mmap(*os.File, int) ([]byte, error) { return nil, ErrUnsupported }
func munmap([]byte) error                { return nil }

func alive(uint32) bool { return true }
