// fill_unix_test.go: FillEntry with and without a Unix stat result.

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos || aix

package proto

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

type fakeInfo struct{ sys any }

func (fakeInfo) Name() string       { return "fake" }
func (fakeInfo) Size() int64        { return 42 }
func (fakeInfo) Mode() fs.FileMode  { return 0o640 }
func (fakeInfo) ModTime() time.Time { return time.Unix(1700000000, 0) }
func (fakeInfo) IsDir() bool        { return false }
func (f fakeInfo) Sys() any         { return f.sys }

func TestFillEntry(t *testing.T) {
	var e Entry
	e.UID = 77 // must be reset
	FillEntry(&e, "shown", fakeInfo{})
	want := Entry{Name: "shown", Size: 42, Mode: 0o640, ModTime: time.Unix(1700000000, 0), Nlink: 1}
	if e != want {
		t.Fatalf("without Stat_t: got %+v, want %+v", e, want)
	}
	FillEntry(&e, "typed-nil", fakeInfo{sys: (*syscall.Stat_t)(nil)})
	if e.Nlink != 1 || e.Ino != 0 {
		t.Fatalf("typed nil Stat_t: got %+v", e)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "file")
	if err := os.WriteFile(p, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(p, filepath.Join(dir, "hardlink")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	FillEntry(&e, "file", fi)
	st := fi.Sys().(*syscall.Stat_t)
	if e.Name != "file" || e.Size != 5 || e.Mode != 0o600 || !e.ModTime.Equal(fi.ModTime()) ||
		e.Nlink != 2 || e.UID != uint32(os.Getuid()) || e.GID != uint32(os.Getgid()) ||
		e.Ino != uint64(st.Ino) || e.Ino == 0 || e.Dev != uint64(st.Dev) {
		t.Fatalf("from os.Stat: got %+v", e)
	}
}
