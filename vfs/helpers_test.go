// Test helpers shared by every system's vfs tests: the two code paths, a generated file,
// an opened Local and the checks on its errors. The POSIX fixture (symbolic links in and
// out of the root) is newFixture in local_test.go.

package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mode is one of the two ways a Local resolves paths.
type mode struct {
	name string
	opt  LocalOptions
}

var modes = []mode{
	{"openat2", LocalOptions{}},
	{"osroot", LocalOptions{DisableOpenat2: true}},
}

// forModes runs fn once per code path. The openat2 run is skipped where the kernel lacks
// openat2, so both runs prove their path is the one taken.
func forModes(t *testing.T, fn func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

// fixture is a jail root and a sibling directory outside it.
type fixture struct {
	base, root, outside string
}

func mustWrite(t testing.TB, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func openLocal(t testing.TB, root string, m mode) *Local {
	t.Helper()
	l, err := NewLocalOptions(root, m.opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := !m.opt.DisableOpenat2; l.UsesOpenat2() != want {
		if want {
			l.Close()
			t.Skip("openat2 not available on this kernel")
		}
		t.Fatalf("UsesOpenat2() = %v, want %v", l.UsesOpenat2(), want)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// checkErr asserts err is a *fs.PathError naming vpath, matching target, and free of the
// host directory.
func checkErr(t *testing.T, f fixture, err error, vpath string, target error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", vpath, target)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: %T %v is not *fs.PathError", vpath, err, err)
	}
	if pe.Path != vpath {
		t.Errorf("PathError.Path = %q, want %q", pe.Path, vpath)
	}
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v does not match %v", vpath, err, target)
	}
	if strings.Contains(err.Error(), f.base) {
		t.Errorf("error leaks the host path: %v", err)
	}
}

func readAll(t *testing.T, file File) string {
	t.Helper()
	b, err := io.ReadAll(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
