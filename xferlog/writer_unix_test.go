// writer_unix_test.go: the writer appends to an existing log and creates a new one 0644
// whatever the umask (POSIX modes; Windows has neither).

//go:build unix

package xferlog

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriterAppendsAndCreates0644(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "xferlog")
	if err := os.WriteFile(path, []byte("existing line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Log(rec("/a")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != 2 || lines[0] != "existing line\n" || parseLine(t, lines[1]).name != "/a" {
		t.Fatalf("file holds %q, want the old line then /a", lines)
	}

	fresh := filepath.Join(t.TempDir(), "new.log")
	w, err = Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fi, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("created with mode %v, want 0644", fi.Mode().Perm())
	}
}
