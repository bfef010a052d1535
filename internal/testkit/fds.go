package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OpenUnder counts this process's descriptors open on files below dir (not dir itself:
// the server keeps each user's root open for openat2). Tests that run the server in their
// own process see its leaked, or deliberately kept, handles here. It skips the test where
// there is no /proc/self/fd.
func OpenUnder(t testing.TB, dir string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(target, dir+"/") {
			n++
		}
	}
	return n
}
