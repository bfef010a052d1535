// portable_test.go: the FS contract every system keeps, on a tree without symbolic links
// or POSIX modes, so that it also holds for Windows' os.Root-only Local (built and vetted
// by .ci/cross.sh; the test binary runs wherever a Windows build can).

package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestPortableContract(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := t.TempDir()
		f := fixture{base: base, root: filepath.Join(base, "root")}
		mustWrite(t, filepath.Join(f.root, "file.txt"), "hello")
		mustWrite(t, filepath.Join(f.root, "full", "x"), "x")
		mustWrite(t, filepath.Join(base, "outside.txt"), "secret")
		if err := os.Mkdir(filepath.Join(f.root, "empty"), 0o755); err != nil {
			t.Fatal(err)
		}
		l := openLocal(t, f.root, m)

		fi, err := l.Stat("/file.txt")
		if err != nil || fi.Name() != "file.txt" || fi.Size() != 5 || fi.IsDir() {
			t.Fatalf("Stat(/file.txt) = %v, %v", fi, err)
		}
		if fi, err := l.Stat("/"); err != nil || !fi.IsDir() || fi.Name() != "/" {
			t.Errorf("Stat(/) = %v, %v; want a directory named /", fi, err)
		}
		_, err = l.Stat("/missing")
		checkErr(t, f, err, "/missing", fs.ErrNotExist)
		if r, err := l.Open("/"); err != nil {
			t.Errorf("Open(/): %v", err)
		} else {
			r.Close()
		}

		// Write, append, read back.
		w, err := l.OpenFile("/new.txt", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, "abc"); err != nil {
			t.Fatal(err)
		}
		w.Close()
		_, err = l.OpenFile("/new.txt", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		checkErr(t, f, err, "/new.txt", fs.ErrExist)
		if r, err := l.Open("/new.txt"); err != nil || readAll(t, r) != "abc" {
			t.Errorf("reading /new.txt back: %v", err)
		} else {
			r.Close()
		}

		// Listing: names and sizes from Info; a file is not a directory.
		d, err := l.OpenDir("/")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for {
			ents, err := d.ReadDir(2)
			for _, e := range ents {
				info, ierr := e.Info()
				if ierr != nil || info.Name() != e.Name() || info.IsDir() != e.IsDir() {
					t.Errorf("Info(%s) = %v, %v", e.Name(), info, ierr)
				}
				names = append(names, e.Name())
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		d.Close()
		slices.Sort(names)
		if want := []string{"empty", "file.txt", "full", "new.txt"}; !slices.Equal(names, want) {
			t.Errorf("OpenDir(/) names %v, want %v", names, want)
		}
		if d, err := l.OpenDir("/file.txt"); err == nil {
			d.Close()
			t.Error("OpenDir(/file.txt) succeeded on a file")
		}

		// Create, remove and rename, with the kind of each error.
		if err := l.Mkdir("/made", 0o755); err != nil {
			t.Fatal(err)
		}
		checkErr(t, f, l.Mkdir("/made", 0o755), "/made", fs.ErrExist)
		checkErr(t, f, l.Mkdir("/missing/x", 0o755), "/missing/x", fs.ErrNotExist)
		checkErr(t, f, l.Remove("/made"), "/made", syscall.EISDIR)
		checkErr(t, f, l.Rmdir("/file.txt"), "/file.txt", syscall.ENOTDIR)
		checkErr(t, f, l.Rmdir("/full"), "/full", fs.ErrExist) // ENOTEMPTY matches it
		checkErr(t, f, l.Remove("/"), "/", syscall.EISDIR)
		if err := l.Rmdir("/"); err == nil {
			t.Error("Rmdir(/) succeeded")
		}
		if err := l.Rmdir("/made"); err != nil {
			t.Error(err)
		}
		if err := l.Rename("/new.txt", "/file.txt"); err != nil { // replaces
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(f.root, "file.txt")); string(b) != "abc" {
			t.Errorf("file replaced by Rename holds %q", b)
		}
		checkErr(t, f, l.Rename("/missing", "/x"), "/missing -> /x", fs.ErrNotExist)
		if err := l.Remove("/file.txt"); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(filepath.Join(f.root, "file.txt")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Remove left the file: %v", err)
		}

		mt := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		if err := l.Chtimes("/full/x", mt); err != nil {
			t.Fatal(err)
		}
		if fi, err := l.Stat("/full/x"); err != nil || !fi.ModTime().Equal(mt) {
			t.Errorf("ModTime after Chtimes = %v, %v; want %v", fi.ModTime(), err, mt)
		}

		// A link out of the root, where the system lets this user make one that resolves
		// (Windows needs a privilege or developer mode; Wine's links may not resolve).
		link := filepath.Join(f.root, "out")
		if os.Symlink(filepath.Join(base, "outside.txt"), link) == nil && readsSecret(link) {
			_, err := l.Open("/out")
			checkErr(t, f, err, "/out", ErrEscape)
		}

		if backslashSeparates { // Windows: "/full\\..\\file.txt" must not reach /file.txt
			_, err := l.Stat("/full\\..\\file.txt")
			checkErr(t, f, err, "/full\\..\\file.txt", syscall.EINVAL)
		} else if fi, err := l.Stat("/full\\x"); err == nil || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(/full\\x) = %v, %v; want not found (an ordinary name on Unix)", fi, err)
		}

		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = l.Stat("/full")
		checkErr(t, f, err, "/full", ErrClosed)
	})
}

// readsSecret reports whether the host path p reads as the fixture's outside file.
func readsSecret(p string) bool {
	b, err := os.ReadFile(p)
	return err == nil && string(b) == "secret"
}
