// Jail tests: symbolic links pointing outside the root (absolute and relative, in the
// middle of a path and as its last component) are refused by every method on both code
// paths, and nothing outside the root is created, changed or removed.

//go:build unix

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// checkEscape asserts err is ErrEscape (and fs.ErrPermission) for vpath.
func checkEscape(t *testing.T, f fixture, err error, vpath string) {
	t.Helper()
	checkErr(t, f, err, vpath, ErrEscape)
	if err != nil && !errors.Is(err, fs.ErrPermission) {
		t.Errorf("%s: %v does not match fs.ErrPermission", vpath, err)
	}
}

// outsideUntouched asserts the directory outside the root still holds exactly
// secret.txt with its content and mode.
func outsideUntouched(t *testing.T, f fixture) {
	t.Helper()
	ents, err := os.ReadDir(f.outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "secret.txt" {
		t.Fatalf("outside directory changed: %v", ents)
	}
	fi, err := os.Stat(filepath.Join(f.outside, "secret.txt"))
	if err != nil || fi.Mode().Perm() != 0o644 || fi.ModTime().Year() < 2020 {
		t.Fatalf("secret.txt changed: %v, %v", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.outside, "secret.txt")); string(b) != "secret" {
		t.Fatalf("secret.txt content changed: %q", b)
	}
}

func TestEscapes(t *testing.T) {
	f := newFixture(t)
	// Links to /etc are only ever read through: should the jail fail, a destructive call
	// must hit the test's own outside directory, never the machine.
	readOnly := []string{
		"/out_abs/passwd", // absolute link to /etc in the middle
		"/out_abs",        // absolute link to /etc as the last component
	}
	// Paths that must be refused when the last component is followed.
	followed := []string{
		"/out_rel/secret.txt",     // relative link in the middle
		"/out_abs_dir/secret.txt", // absolute link in the middle
		"/out_file",               // relative link as the last component
		"/out_abs_dir",            // absolute link as the last component
		"/in_abs/inner.txt",       // absolute link, even one pointing inside the root
	}
	// Paths whose parent resolves outside the root.
	middle := []string{"/out_rel/secret.txt", "/out_abs_dir/secret.txt"}

	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		for _, vpath := range append(readOnly, followed...) {
			_, err := l.Open(vpath)
			checkEscape(t, f, err, vpath)
			_, err = l.Stat(vpath)
			checkEscape(t, f, err, vpath)
		}
		_, err := l.Lstat("/out_abs/passwd")
		checkEscape(t, f, err, "/out_abs/passwd")
		for _, vpath := range followed {
			_, err := l.OpenFile(vpath, os.O_WRONLY|os.O_CREATE, 0o666)
			checkEscape(t, f, err, vpath)
			checkEscape(t, f, l.Chmod(vpath, 0o777), vpath)
			checkEscape(t, f, l.Chtimes(vpath, time.Unix(0, 0)), vpath)
		}
		for _, vpath := range []string{"/out_rel", "/out_abs", "/out_abs_dir"} {
			_, err := l.OpenDir(vpath)
			checkEscape(t, f, err, vpath)
		}
		for _, vpath := range middle {
			_, err := l.Lstat(vpath)
			checkEscape(t, f, err, vpath)
			checkEscape(t, f, l.Remove(vpath), vpath)
			checkEscape(t, f, l.Rmdir(vpath), vpath)
			checkEscape(t, f, l.Mkdir(vpath+"-dir", 0o777), vpath+"-dir")
			checkEscape(t, f, l.Rename(vpath, "/stolen"), vpath)
			checkEscape(t, f, l.Rename("/file.txt", vpath+"-planted"), vpath+"-planted")
		}

		// O_CREATE through a dangling link or a link in the middle creates nothing outside.
		for _, vpath := range []string{"/out_dangling", "/out_rel/new.txt", "/out_abs_dir/new.txt"} {
			_, err = l.OpenFile(vpath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
			checkEscape(t, f, err, vpath)
		}
		// Last-component links are not followed by Lstat, Mkdir or Rename.
		fi, err := l.Lstat("/out_file")
		if err != nil || fi.Mode().Type() != fs.ModeSymlink {
			t.Errorf("Lstat(/out_file) = %v, %v", fi, err)
		}
		checkErr(t, f, l.Mkdir("/out_rel", 0o777), "/out_rel", fs.ErrExist)
		outsideUntouched(t, f)
	})

	// Destructive last-component cases, once per mode on fresh links: the link itself is
	// removed or replaced and the target stays.
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		link := "victim-link-" + m.name
		mustSymlink(t, "../outside/secret.txt", filepath.Join(f.root, link))
		if err := l.Remove("/" + link); err != nil {
			t.Fatal(err)
		}
		mustSymlink(t, "../outside", filepath.Join(f.root, link))
		mustWrite(t, filepath.Join(f.root, "src-"+m.name), "mine")
		if err := l.Rename("/src-"+m.name, "/"+link); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(filepath.Join(f.root, link)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("rename onto a link: %v, %v", fi, err)
		}
		mustSymlink(t, "../outside/secret.txt", filepath.Join(f.root, link+"2"))
		if err := l.Rename("/"+link+"2", "/moved-link-"+m.name); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(filepath.Join(f.root, "moved-link-"+m.name)); err != nil || fi.Mode().Type() != fs.ModeSymlink {
			t.Errorf("renaming a link moved %v, %v", fi, err)
		}
		outsideUntouched(t, f)
	})
}

// TestInsideLinks: links that stay inside the root work, including ".." within it.
func TestInsideLinks(t *testing.T) {
	f := newFixture(t)
	mustSymlink(t, "../../../../sub", filepath.Join(f.root, "a", "b", "c", "d", "top"))
	mustSymlink(t, "../../../../../sub", filepath.Join(f.root, "a", "b", "c", "d", "over"))
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		file, err := l.Open("/a/b/c/d/top/inner.txt")
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, file); got != "inner" {
			t.Errorf("read %q", got)
		}
		file.Close()
		d, err := l.OpenDir("/a/b/c/d/top")
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		// One ".." too many climbs above the root.
		_, err = l.Open("/a/b/c/d/over/inner.txt")
		checkEscape(t, f, err, "/a/b/c/d/over/inner.txt")
	})
}
