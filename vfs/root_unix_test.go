// root_unix_test.go: the os.Root-only forms of Mkdir, Remove, Rmdir and Rename (what
// Windows serves with, local_root.go) agree with the *at forms Unix serves with: the
// same operations on two copies of the fixture, symbolic links out of the root
// included, give the same kind of error and leave the same trees, inside and outside
// the root.

//go:build unix

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// rootOp runs one operation on l, either with the Unix methods (root false) or with the
// os.Root-only forms (root true).
type rootOp struct {
	name string
	run  func(l *Local, root bool) error
}

func mkdirOp(p string) rootOp {
	return rootOp{"mkdir " + p, func(l *Local, root bool) error {
		if root {
			return l.mkdirRoot(p, 0o755)
		}
		return l.Mkdir(p, 0o755)
	}}
}

func removeOp(p string) rootOp {
	return rootOp{"remove " + p, func(l *Local, root bool) error {
		if root {
			return l.removeRoot("remove", p, false)
		}
		return l.Remove(p)
	}}
}

func rmdirOp(p string) rootOp {
	return rootOp{"rmdir " + p, func(l *Local, root bool) error {
		if root {
			return l.removeRoot("rmdir", p, true)
		}
		return l.Rmdir(p)
	}}
}

func renameOp(from, to string) rootOp {
	return rootOp{"rename " + from + " " + to, func(l *Local, root bool) error {
		if root {
			return l.renameRoot(from, to)
		}
		return l.Rename(from, to)
	}}
}

// errKinds are the error classes in the order session's fsError (session/paths.go) tests
// them, which decides the reply; two errors agree when the first class they match is the
// same. (Renaming onto a non-empty directory is ENOTEMPTY from renameat and EEXIST from
// os.Root: both are fs.ErrExist, "File exists.")
var errKinds = []error{ErrEscape, fs.ErrNotExist, fs.ErrPermission, fs.ErrExist, ErrClosed,
	syscall.ENOTEMPTY, syscall.ENOTDIR, syscall.EISDIR, syscall.EBUSY}

func errKind(err error) string {
	if err == nil {
		return "ok"
	}
	for _, e := range errKinds {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "other: " + err.Error()
}

// treeOf lists every entry under dir, with its type and, for files, its content.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + d.Type().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + strings.ReplaceAll(target, dir, "<base>")
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			line += " " + string(b)
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRootFormsAgreeWithAtForms(t *testing.T) {
	ops := []rootOp{
		mkdirOp("/newdir"), mkdirOp("/file.txt"), mkdirOp("/sub"), mkdirOp("/missing/x"),
		mkdirOp("/file.txt/x"), mkdirOp("/in_rel/new"), mkdirOp("/out_rel/x"),
		mkdirOp("/out_abs_dir/x"), mkdirOp("/out_dangling"), mkdirOp("/"),

		removeOp("/file.txt"), removeOp("/sub"), removeOp("/empty"), removeOp("/missing"),
		removeOp("/in_file"), removeOp("/in_rel"), removeOp("/out_file"),
		removeOp("/out_rel/secret.txt"), removeOp("/out_abs_dir/secret.txt"),
		removeOp("/sub/up"), removeOp("/file.txt/x"), removeOp("/"),

		rmdirOp("/empty"), rmdirOp("/full"), rmdirOp("/file.txt"), rmdirOp("/in_rel"),
		rmdirOp("/out_abs_dir"), rmdirOp("/out_rel"), rmdirOp("/missing"),
		rmdirOp("/a/b/c/d"), rmdirOp("/"),

		renameOp("/file.txt", "/renamed"), renameOp("/file.txt", "/sub/inner.txt"),
		renameOp("/missing", "/x"), renameOp("/file.txt", "/nodir/x"),
		renameOp("/file.txt", "/out_rel/stolen"), renameOp("/out_rel/secret.txt", "/got"),
		renameOp("/out_file", "/moved_link"), renameOp("/empty", "/full"),
		renameOp("/sub", "/a/b/sub"), renameOp("/in_rel/inner.txt", "/a/inner.txt"),
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// Fresh fixtures for each operation, one per form, both on the os.Root path
			// (the *at forms open the parent through os.Root there, as off Linux).
			at, rt := newFixture(t), newFixture(t)
			lat := openLocal(t, at.root, modes[1])
			lrt := openLocal(t, rt.root, modes[1])
			errAt, errRt := op.run(lat, false), op.run(lrt, true)
			if ka, kr := errKind(errAt), errKind(errRt); ka != kr {
				t.Errorf("*at form: %v (%s); os.Root form: %v (%s)", errAt, ka, errRt, kr)
			}
			if errRt != nil {
				var pe *fs.PathError
				if !errors.As(errRt, &pe) || strings.Contains(errRt.Error(), rt.base) {
					t.Errorf("os.Root form's error %v: want an *fs.PathError naming the virtual path only", errRt)
				}
			}
			if a, r := treeOf(t, at.base), treeOf(t, rt.base); !slices.Equal(a, r) {
				t.Errorf("trees differ after the operation:\n*at:     %q\nos.Root: %q", a, r)
			}
		})
	}
}
