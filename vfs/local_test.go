// Tests of every Local method on a generated tree, run on both the openat2 and the
// os.Root code paths.

//go:build unix

package vfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fastftp/fastftp/internal/unixmode"
)

func mustSymlink(t testing.TB, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// newFixture builds:
//
//	root/file.txt "hello"          root/sub/inner.txt "inner"    root/empty/
//	root/a/b/c/d/deep.txt "deep"   root/full/x
//	root/in_rel -> sub             root/in_file -> sub/inner.txt
//	root/sub/up -> ../file.txt     root/in_abs -> <root>/sub (absolute: refused)
//	root/out_rel -> ../outside     root/out_file -> ../outside/secret.txt
//	root/out_abs -> /etc           root/out_abs_dir -> <outside>
//	root/out_dangling -> ../outside/new.txt
//	outside/secret.txt "secret"
func newFixture(t testing.TB) fixture {
	t.Helper()
	base := t.TempDir()
	f := fixture{base: base, root: filepath.Join(base, "root"), outside: filepath.Join(base, "outside")}
	mustWrite(t, filepath.Join(f.root, "file.txt"), "hello")
	mustWrite(t, filepath.Join(f.root, "sub", "inner.txt"), "inner")
	mustWrite(t, filepath.Join(f.root, "a", "b", "c", "d", "deep.txt"), "deep")
	mustWrite(t, filepath.Join(f.root, "full", "x"), "x")
	mustWrite(t, filepath.Join(f.outside, "secret.txt"), "secret")
	if err := os.Mkdir(filepath.Join(f.root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, "sub", filepath.Join(f.root, "in_rel"))
	mustSymlink(t, "sub/inner.txt", filepath.Join(f.root, "in_file"))
	mustSymlink(t, "../file.txt", filepath.Join(f.root, "sub", "up"))
	mustSymlink(t, filepath.Join(f.root, "sub"), filepath.Join(f.root, "in_abs"))
	mustSymlink(t, "../outside", filepath.Join(f.root, "out_rel"))
	mustSymlink(t, "../outside/secret.txt", filepath.Join(f.root, "out_file"))
	mustSymlink(t, "/etc", filepath.Join(f.root, "out_abs"))
	mustSymlink(t, f.outside, filepath.Join(f.root, "out_abs_dir"))
	mustSymlink(t, "../outside/new.txt", filepath.Join(f.root, "out_dangling"))
	return f
}

func TestNewLocalErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	mustWrite(t, file, "x")
	for _, tc := range []struct {
		root string
		want error
	}{
		{filepath.Join(dir, "missing"), fs.ErrNotExist},
		{file, syscall.ENOTDIR},
	} {
		_, err := NewLocal(tc.root)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.root) {
			t.Errorf("NewLocal(%q) = %v, want %v naming the directory", tc.root, err, tc.want)
		}
	}
}

func TestStat(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		fi, err := l.Stat("/file.txt")
		if err != nil {
			t.Fatal(err)
		}
		if fi.Name() != "file.txt" || fi.Size() != 5 || fi.IsDir() || fi.Mode() != 0o644 {
			t.Errorf("Stat(/file.txt) = %q size %d dir %v mode %v", fi.Name(), fi.Size(), fi.IsDir(), fi.Mode())
		}
		host, _ := os.Stat(filepath.Join(f.root, "file.txt"))
		if !fi.ModTime().Equal(host.ModTime()) {
			t.Errorf("ModTime %v, want %v", fi.ModTime(), host.ModTime())
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok || st.Ino != host.Sys().(*syscall.Stat_t).Ino {
			t.Errorf("Sys() = %T, want the file's *syscall.Stat_t", fi.Sys())
		}

		fi, err = l.Stat("/")
		if err != nil || !fi.IsDir() || fi.Name() != "/" {
			t.Errorf("Stat(/) = %v, %v; want a directory named /", fi, err)
		}
		fi, err = l.Stat("/a/b/c/d")
		if err != nil || !fi.IsDir() || fi.Mode()&fs.ModeDir == 0 || fi.Name() != "d" {
			t.Errorf("Stat(/a/b/c/d) = %v, %v", fi, err)
		}
		// Symbolic links inside the root are followed, ".." included.
		for vpath, size := range map[string]int64{"/in_file": 5, "/in_rel/inner.txt": 5, "/sub/up": 5} {
			fi, err := l.Stat(vpath)
			if err != nil || fi.Size() != size || fi.Mode().Type() != 0 {
				t.Errorf("Stat(%s) = %v, %v; want a regular file of %d bytes", vpath, fi, err, size)
			}
		}
		_, err = l.Stat("/missing")
		checkErr(t, f, err, "/missing", fs.ErrNotExist)
		_, err = l.Stat("/file.txt/x")
		checkErr(t, f, err, "/file.txt/x", syscall.ENOTDIR)
		_, err = l.Stat("file.txt")
		checkErr(t, f, err, "file.txt", fs.ErrInvalid)
	})
}

func TestLstat(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		fi, err := l.Lstat("/in_file")
		if err != nil || fi.Mode().Type() != fs.ModeSymlink || fi.Name() != "in_file" {
			t.Errorf("Lstat(/in_file) = %v, %v; want a symlink", fi, err)
		}
		// A final link pointing outside is described, not followed.
		fi, err = l.Lstat("/out_abs")
		if err != nil || fi.Mode().Type() != fs.ModeSymlink {
			t.Errorf("Lstat(/out_abs) = %v, %v; want a symlink", fi, err)
		}
		// Links before the last component are followed.
		fi, err = l.Lstat("/in_rel/inner.txt")
		if err != nil || fi.Size() != 5 || !fi.Mode().IsRegular() {
			t.Errorf("Lstat(/in_rel/inner.txt) = %v, %v", fi, err)
		}
		fi, err = l.Lstat("/")
		if err != nil || !fi.IsDir() || fi.Name() != "/" {
			t.Errorf("Lstat(/) = %v, %v", fi, err)
		}
		_, err = l.Lstat("/nope")
		checkErr(t, f, err, "/nope", fs.ErrNotExist)
	})
}

func TestOpen(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		for vpath, want := range map[string]string{
			"/file.txt": "hello", "/a/b/c/d/deep.txt": "deep", "/in_file": "inner",
			"/in_rel/inner.txt": "inner", "/sub/up": "hello",
		} {
			file, err := l.Open(vpath)
			if err != nil {
				t.Fatalf("Open(%s): %v", vpath, err)
			}
			if _, ok := file.(*os.File); !ok {
				t.Errorf("Open returned %T, want *os.File (sendfile needs it)", file)
			}
			if got := readAll(t, file); got != want {
				t.Errorf("Open(%s) read %q, want %q", vpath, got, want)
			}
			fi, err := file.Stat()
			if err != nil || fi.Size() != int64(len(want)) {
				t.Errorf("File.Stat = %v, %v", fi, err)
			}
			if _, err := file.Write([]byte("x")); err == nil {
				t.Errorf("Open(%s) is writable", vpath)
			}
			file.Close()
		}
		if m.opt.DisableOpenat2 == false {
			file, _ := l.Open("/file.txt")
			if name := file.(*os.File).Name(); name != "/file.txt" {
				t.Errorf("Name() = %q, want the virtual path", name)
			}
			file.Close()
		}
		file, err := l.Open("/missing")
		checkErr(t, f, err, "/missing", fs.ErrNotExist)
		if file != nil {
			t.Errorf("Open error returned a non-nil File %#v", file)
		}
	})
}

func TestOpenFile(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		name := "/sub/new-" + m.name
		file, err := l.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := file.Write([]byte("abc")); err != nil {
			t.Fatal(err)
		}
		file.Close()
		host := filepath.Join(f.root, filepath.FromSlash(name))
		b, err := os.ReadFile(host)
		if err != nil || string(b) != "abc" {
			t.Errorf("created file holds %q, %v", b, err)
		}
		if fi, _ := os.Stat(host); fi.Mode().Perm() != 0o666&^0o022 && fi.Mode().Perm() != 0o666 {
			t.Errorf("created with mode %v", fi.Mode())
		}
		_, err = l.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		checkErr(t, f, err, name, fs.ErrExist)

		// Seek + write in place: how APPE and REST+STOR open their targets.
		file, err = l.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if off, err := file.Seek(0, io.SeekEnd); err != nil || off != 3 {
			t.Fatalf("Seek end = %d, %v", off, err)
		}
		file.Write([]byte("de"))
		file.Close()
		if b, _ := os.ReadFile(host); string(b) != "abcde" {
			t.Errorf("after append: %q", b)
		}
		file, err = l.OpenFile(name, os.O_RDWR|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		file.Close()
		if fi, _ := os.Stat(host); fi.Size() != 0 {
			t.Errorf("O_TRUNC left %d bytes", fi.Size())
		}
		_, err = l.OpenFile("/nodir/x", os.O_WRONLY|os.O_CREATE, 0o666)
		checkErr(t, f, err, "/nodir/x", fs.ErrNotExist)
		_, err = l.OpenFile("/sub", os.O_WRONLY, 0)
		checkErr(t, f, err, "/sub", syscall.EISDIR)
	})
}

func TestOpenDir(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		for _, vpath := range []string{"/sub", "/in_rel"} {
			d, err := l.OpenDir(vpath)
			if err != nil {
				t.Fatal(err)
			}
			ents, err := d.ReadDir(10)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
				info, err := e.Info()
				if err != nil {
					t.Fatalf("Info(%s): %v", e.Name(), err)
				}
				host, _ := os.Lstat(filepath.Join(f.root, "sub", e.Name()))
				if info.Name() != e.Name() || info.Mode() != host.Mode() || info.Size() != host.Size() ||
					info.Sys().(*syscall.Stat_t).Ino != host.Sys().(*syscall.Stat_t).Ino {
					t.Errorf("Info(%s) = %v, want %v", e.Name(), info, host)
				}
				if e.Type() != host.Mode().Type() || e.IsDir() != host.IsDir() {
					t.Errorf("%s: Type %v IsDir %v, want %v", e.Name(), e.Type(), e.IsDir(), host.Mode().Type())
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, []string{"inner.txt", "up"}) {
				t.Errorf("OpenDir(%s) names %v", vpath, names)
			}
			if ents, err := d.ReadDir(10); len(ents) != 0 || err != io.EOF {
				t.Errorf("second ReadDir = %v, %v; want io.EOF", ents, err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
		}
		d, err := l.OpenDir("/")
		if err != nil {
			t.Fatal(err)
		}
		ents, err := d.ReadDir(-1)
		if err != nil || len(ents) != 13 {
			t.Errorf("ReadDir(/) = %d entries, %v; want 13", len(ents), err)
		}
		d.Close()
		// Entries must not outlive their directory's descriptor.
		if _, err := ents[0].Info(); err == nil && !m.opt.DisableOpenat2 {
			t.Errorf("Info after Close succeeded")
		}
		_, err = l.OpenDir("/file.txt")
		checkErr(t, f, err, "/file.txt", syscall.ENOTDIR)
		_, err = l.OpenDir("/missing")
		checkErr(t, f, err, "/missing", fs.ErrNotExist)
	})
}

func TestMkdir(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		for _, vpath := range []string{"/mk-" + m.name, "/a/b/mk-" + m.name, "/in_rel/mk-" + m.name} {
			if err := l.Mkdir(vpath, 0o777); err != nil {
				t.Fatalf("Mkdir(%s): %v", vpath, err)
			}
			if fi, err := l.Stat(vpath); err != nil || !fi.IsDir() {
				t.Errorf("Stat after Mkdir(%s) = %v, %v", vpath, fi, err)
			}
		}
		if _, err := os.Stat(filepath.Join(f.root, "sub", "mk-"+m.name)); err != nil {
			t.Errorf("Mkdir through /in_rel did not land in sub: %v", err)
		}
		checkErr(t, f, l.Mkdir("/sub", 0o777), "/sub", fs.ErrExist)
		checkErr(t, f, l.Mkdir("/", 0o777), "/", fs.ErrExist)
		checkErr(t, f, l.Mkdir("/nodir/x", 0o777), "/nodir/x", fs.ErrNotExist)
		checkErr(t, f, l.Mkdir("/file.txt/x", 0o777), "/file.txt/x", syscall.ENOTDIR)
	})
}

func TestRemoveRmdir(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		mustWrite(t, filepath.Join(f.root, "rm", m.name, "f"), "x")
		mustWrite(t, filepath.Join(f.root, "rm", m.name, "d", "f"), "x")
		if err := os.Mkdir(filepath.Join(f.root, "rm", m.name, "e"), 0o755); err != nil {
			t.Fatal(err)
		}
		mustSymlink(t, "d", filepath.Join(f.root, "rm", m.name, "dirlink"))
		dir := "/rm/" + m.name

		checkErr(t, f, l.Remove(dir+"/d"), dir+"/d", syscall.EISDIR)
		checkErr(t, f, l.Rmdir(dir+"/f"), dir+"/f", syscall.ENOTDIR)
		checkErr(t, f, l.Rmdir(dir+"/d"), dir+"/d", syscall.ENOTEMPTY)
		checkErr(t, f, l.Rmdir(dir+"/dirlink"), dir+"/dirlink", syscall.ENOTDIR)
		checkErr(t, f, l.Remove(dir+"/missing"), dir+"/missing", fs.ErrNotExist)
		checkErr(t, f, l.Remove("/"), "/", syscall.EISDIR)
		if err := l.Rmdir("/"); err == nil {
			t.Error("Rmdir(/) succeeded")
		}

		if err := l.Remove(dir + "/f"); err != nil {
			t.Fatal(err)
		}
		// Removing a link to a directory removes the link only.
		if err := l.Remove(dir + "/dirlink"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(f.root, "rm", m.name, "d", "f")); err != nil {
			t.Errorf("link target damaged: %v", err)
		}
		if err := l.Rmdir(dir + "/e"); err != nil {
			t.Fatal(err)
		}
		if err := l.Remove(dir + "/d/f"); err != nil {
			t.Fatal(err)
		}
		if err := l.Rmdir(dir + "/d"); err != nil {
			t.Fatal(err)
		}
		if ents, _ := os.ReadDir(filepath.Join(f.root, "rm", m.name)); len(ents) != 0 {
			t.Errorf("left behind %v", ents)
		}
	})
}

func TestRename(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		src := "/ren-" + m.name
		mustWrite(t, filepath.Join(f.root, src[1:]), "data")
		if err := l.Rename(src, "/a/b/moved-"+m.name); err != nil {
			t.Fatal(err)
		}
		if err := l.Rename("/a/b/moved-"+m.name, "/in_rel/moved-"+m.name); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(f.root, "sub", "moved-"+m.name)); string(b) != "data" {
			t.Errorf("renamed file: %q, %v", b, err)
		}
		// Replacing an existing file.
		mustWrite(t, filepath.Join(f.root, "victim-"+m.name), "old")
		if err := l.Rename("/sub/moved-"+m.name, "/victim-"+m.name); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(f.root, "victim-"+m.name)); string(b) != "data" {
			t.Errorf("replaced file holds %q", b)
		}
		err := l.Rename("/missing", "/x")
		checkErr(t, f, err, "/missing -> /x", fs.ErrNotExist)
		err = l.Rename("/file.txt", "/nodir/x")
		checkErr(t, f, err, "/nodir/x", fs.ErrNotExist)
		err = l.Rename("/empty", "/full")
		if !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, fs.ErrExist) {
			t.Errorf("Rename onto a non-empty directory: %v", err)
		}
	})
}

func TestChmodChtimes(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, f.root, m)
		if err := l.Chmod("/in_file", 0o600); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(filepath.Join(f.root, "sub", "inner.txt")); fi.Mode().Perm() != 0o600 {
			t.Errorf("Chmod through a link: mode %v", fi.Mode())
		}
		if err := l.Chmod("/sub/inner.txt", 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		if err := l.Chtimes("/a/b/c/d/deep.txt", mt); err != nil {
			t.Fatal(err)
		}
		fi, err := l.Stat("/a/b/c/d/deep.txt")
		if err != nil || !fi.ModTime().Equal(mt) {
			t.Errorf("ModTime after Chtimes = %v, %v; want %v", fi.ModTime(), err, mt)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if at := unixmode.Atime(st); !at.Equal(mt) {
			t.Errorf("atime %v, want %v", at, mt)
		}
		checkErr(t, f, l.Chmod("/missing", 0o600), "/missing", fs.ErrNotExist)
		checkErr(t, f, l.Chtimes("/missing", mt), "/missing", fs.ErrNotExist)
	})
}

func TestClose(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		l, err := NewLocalOptions(f.root, m.opt)
		if err != nil {
			t.Fatal(err)
		}
		file, err := l.Open("/file.txt")
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("second Close = %v, want fs.ErrClosed", err)
		}
		_, err = l.Stat("/file.txt")
		checkErr(t, f, err, "/file.txt", ErrClosed)
		checkErr(t, f, l.Mkdir("/x", 0o777), "/x", fs.ErrClosed)
		if got := readAll(t, file); got != "hello" {
			t.Errorf("file opened before Close reads %q", got)
		}
		file.Close()
	})
}

// TestConcurrentClose races Close against calls: every call must either succeed on the
// real root or fail with ErrClosed (run under -race).
func TestConcurrentClose(t *testing.T) {
	f := newFixture(t)
	forModes(t, func(t *testing.T, m mode) {
		for round := 0; round < 20; round++ {
			l, err := NewLocalOptions(f.root, m.opt)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 50; i++ {
						file, err := l.Open("/sub/inner.txt")
						if err != nil {
							if !errors.Is(err, ErrClosed) {
								t.Errorf("Open: %v", err)
							}
							return
						}
						var buf [16]byte
						n, _ := file.Read(buf[:])
						file.Close()
						if !bytes.Equal(buf[:n], []byte("inner")) {
							t.Errorf("read %q", buf[:n])
							return
						}
					}
				}()
			}
			l.Close()
			wg.Wait()
		}
	})
}
