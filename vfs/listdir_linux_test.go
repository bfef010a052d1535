//go:build linux && (amd64 || arm64)

package vfs

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestListDir: every name exactly once, stat results equal to lstat's, in both modes; a
// symlink pointing outside is listed as a link (never followed); a missing directory fails
// with the virtual path.
func TestListDir(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		root := t.TempDir()
		dir := filepath.Join(root, "big")
		os.Mkdir(dir, 0o755)
		const n = 5000
		for i := range n {
			os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), make([]byte, i%7), 0o644)
		}
		os.Symlink("/etc/passwd", filepath.Join(dir, "escape"))
		l := openLocal(t, root, m)
		defer l.Close()
		seen := map[string]int{}
		err := l.ListDir("/big", func(name []byte, st *syscall.Stat_t) error {
			seen[string(name)]++
			fi, err := os.Lstat(filepath.Join(dir, string(name)))
			if err != nil {
				t.Fatalf("lstat %s: %v", name, err)
			}
			want := fi.Sys().(*syscall.Stat_t)
			if st.Ino != want.Ino || st.Size != want.Size || st.Mode != want.Mode {
				t.Fatalf("%s: stat %+v, want %+v", name, st, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != n+1 {
			t.Fatalf("listed %d names, want %d", len(seen), n+1)
		}
		for name, c := range seen {
			if c != 1 || name == "." || name == ".." {
				t.Fatalf("%q listed %d times", name, c)
			}
		}
		err = l.ListDir("/missing", func([]byte, *syscall.Stat_t) error { return nil })
		if pe, ok := err.(*os.PathError); !ok || pe.Path != "/missing" {
			t.Fatalf("missing dir: %v", err)
		}
	})
}

// TestListDirAllocations: the cost of a listing does not grow with the directory.
func TestListDirAllocations(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"small", "large"} {
		os.Mkdir(filepath.Join(root, d), 0o755)
	}
	for i := range 2000 {
		if i < 20 {
			os.WriteFile(filepath.Join(root, "small", strconv.Itoa(i)), nil, 0o644)
		}
		os.WriteFile(filepath.Join(root, "large", strconv.Itoa(i)), nil, 0o644)
	}
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	count := 0
	fn := func([]byte, *syscall.Stat_t) error { count++; return nil }
	small := testing.AllocsPerRun(20, func() { l.ListDir("/small", fn) })
	large := testing.AllocsPerRun(20, func() { l.ListDir("/large", fn) })
	if large > small+2 {
		t.Fatalf("allocations: %v for 20 entries, %v for 2,000: they grow per entry", small, large)
	}
	t.Logf("allocations per listing: %v (20 entries), %v (2,000 entries)", small, large)
}
