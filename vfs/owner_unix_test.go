// owner_unix_test.go: files and directories created through a Local with an Owner
// belong to that owner; existing files keep theirs; a failed chown leaves nothing behind.

//go:build unix

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func ownerOf(t *testing.T, path string) (uid, gid int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func TestOwnerChownsCreated(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files to another uid (running as uid", os.Geteuid(), ")")
	}
	const uid, gid = 54321, 54322 // need not exist in /etc/passwd
	forModes(t, func(t *testing.T, m mode) {
		root := t.TempDir()
		mustWrite(t, filepath.Join(root, "existing"), "old")
		opt := m.opt
		opt.Owner = &Owner{UID: uid, GID: gid}
		l, err := NewLocalOptions(root, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()

		f, err := l.OpenFile("/new", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("data"))
		f.Close()
		if u, g := ownerOf(t, filepath.Join(root, "new")); u != uid || g != gid {
			t.Errorf("created file owned by %d:%d, want %d:%d", u, g, uid, gid)
		}
		// O_EXCL callers (STOU) go straight to the owned create.
		f, err = l.OpenFile("/unique", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if u, _ := ownerOf(t, filepath.Join(root, "unique")); u != uid {
			t.Errorf("O_EXCL file owned by %d, want %d", u, uid)
		}
		// Overwriting an existing file must not change its owner.
		f, err = l.OpenFile("/existing", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("new"))
		f.Close()
		if u, _ := ownerOf(t, filepath.Join(root, "existing")); u != 0 {
			t.Errorf("existing file now owned by %d, want it left to root", u)
		}
		if b, _ := os.ReadFile(filepath.Join(root, "existing")); string(b) != "new" {
			t.Errorf("existing file holds %q, want truncated and rewritten", b)
		}
		if err := l.Mkdir("/dir", 0o755); err != nil {
			t.Fatal(err)
		}
		if u, g := ownerOf(t, filepath.Join(root, "dir")); u != uid || g != gid {
			t.Errorf("created dir owned by %d:%d, want %d:%d", u, g, uid, gid)
		}
		f, err = l.OpenFile("/dir/inner", os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if u, _ := ownerOf(t, filepath.Join(root, "dir", "inner")); u != uid {
			t.Errorf("file in subdir owned by %d, want %d", u, uid)
		}
		// Opening without O_CREATE never chowns.
		f, err = l.OpenFile("/existing", os.O_RDONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if u, _ := ownerOf(t, filepath.Join(root, "existing")); u != 0 {
			t.Errorf("read changed the owner to %d", u)
		}
	})
}

// TestOwnerSelf runs as any user: giving files to the process's own uid needs no
// privilege and must behave like a Local without an Owner.
func TestOwnerSelf(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		root := t.TempDir()
		opt := m.opt
		opt.Owner = &Owner{UID: os.Geteuid(), GID: os.Getegid()}
		l, err := NewLocalOptions(root, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		f, err := l.OpenFile("/a", os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := l.OpenFile("/a", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); !errors.Is(err, fs.ErrExist) {
			t.Errorf("O_EXCL on an existing file: %v, want EEXIST", err)
		}
		if err := l.Mkdir("/d", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := l.Mkdir("/d", 0o755); !errors.Is(err, fs.ErrExist) {
			t.Errorf("second Mkdir: %v, want EEXIST", err)
		}
		if _, err := l.OpenFile("/missing/a", os.O_WRONLY|os.O_CREATE, 0o644); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("create in a missing dir: %v, want ENOENT", err)
		}
	})
}

// TestOwnerChownFails checks that without the right to chown, creating fails with
// EPERM and leaves no entry owned by the server behind.
func TestOwnerChownFails(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may chown to anyone; this test needs an unprivileged user")
	}
	forModes(t, func(t *testing.T, m mode) {
		root := t.TempDir()
		opt := m.opt
		opt.Owner = &Owner{UID: os.Geteuid() + 1, GID: os.Getegid()}
		l, err := NewLocalOptions(root, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if _, err := l.OpenFile("/f", os.O_WRONLY|os.O_CREATE, 0o644); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("OpenFile: %v, want EPERM", err)
		}
		if err := l.Mkdir("/d", 0o755); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Mkdir: %v, want EPERM", err)
		}
		ents, _ := os.ReadDir(root)
		if len(ents) != 0 {
			t.Errorf("left behind %d entries", len(ents))
		}
	})
}
