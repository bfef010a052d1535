// fillstat_test.go: FillEntryStat, where it exists (the systems whose listings have a raw
// syscall.Stat_t), fills what FillEntry fills.

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos

package proto

import (
	"os"
	"syscall"
	"testing"
)

// TestFillEntryStatMatchesFillEntry: the raw-stat path fills the same Entry as FileInfo.
func TestFillEntryStatMatchesFillEntry(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/x"
	os.WriteFile(p, []byte("hello"), 0o4751)
	os.Chmod(p, 0o4751)
	os.Symlink("x", dir+"/l")
	for _, name := range []string{"x", "l", "."} {
		fi, err := os.Lstat(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var a, b Entry
		FillEntry(&a, name, fi)
		FillEntryStat(&b, name, fi.Sys().(*syscall.Stat_t))
		if a != b {
			t.Errorf("%s: FillEntry %+v, FillEntryStat %+v", name, a, b)
		}
	}
}
