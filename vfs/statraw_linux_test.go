package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// StatRaw names the same file Open opens, sees a rename over it, and fails on a missing
// name and on a closed Local, on both code paths.
func TestStatRaw(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "f"), []byte("one"), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := NewLocalOptions(root, m.opt)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		f, err := l.Open("/f")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		open := fi.Sys().(*syscall.Stat_t)
		var st syscall.Stat_t
		if err := l.StatRaw("/f", &st); err != nil {
			t.Fatal(err)
		}
		if st.Ino != open.Ino || st.Dev != open.Dev || st.Size != 3 {
			t.Fatalf("StatRaw ino %d size %d, open file ino %d", st.Ino, st.Size, open.Ino)
		}
		if err := os.WriteFile(filepath.Join(root, "g"), []byte("two"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(root, "g"), filepath.Join(root, "f")); err != nil {
			t.Fatal(err)
		}
		if err := l.StatRaw("/f", &st); err != nil || st.Ino == open.Ino {
			t.Fatalf("after rename: err %v, ino %d (open file's %d)", err, st.Ino, open.Ino)
		}
		if err := l.StatRaw("/missing", &st); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("missing: %v", err)
		}
		if err := l.StatRaw("relative", &st); err == nil {
			t.Fatal("a relative name was accepted")
		}
		l.Close()
		if err := l.StatRaw("/f", &st); err == nil {
			t.Fatal("StatRaw on a closed Local succeeded")
		}
	})
}
