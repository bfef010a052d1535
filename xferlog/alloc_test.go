//go:build !race

// alloc_test.go: formatting and logging a record must not allocate.
package xferlog

import (
	"path/filepath"
	"testing"
)

func TestAllocs(t *testing.T) {
	r := rec("/pub/a file with spaces.iso")
	r.Anonymous, r.User = true, "someone@example.org"
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(1000, func() { buf = AppendRecord(buf[:0], r) }); n != 0 {
		t.Errorf("AppendRecord: %v allocs, want 0", n)
	}
	w, err := Open(filepath.Join(t.TempDir(), "xferlog"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := testing.AllocsPerRun(200, func() { w.Log(r) }); n != 0 {
		t.Errorf("Log: %v allocs, want 0", n)
	}
}
