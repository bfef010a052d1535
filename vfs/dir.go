// localDir: the streaming Dir returned by Local.OpenDir, with errors and entries kept
// inside the jail.

package vfs

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// localDir wraps an open directory. rc is set on the openat2 path, where entries are
// wrapped so that Info resolves relative to the directory's descriptor; on the os.Root
// path the entries' Info is already filled by os (one lstatat per entry).
type localDir struct {
	f    *os.File
	rc   syscall.RawConn
	name string // virtual path, for errors
}

// ReadDir returns at most n entries (all when n <= 0) and io.EOF at the end. The returned
// slice and entries belong to the caller. Not safe for concurrent use.
func (d *localDir) ReadDir(n int) ([]fs.DirEntry, error) {
	ents, err := d.f.ReadDir(n)
	if err != nil && err != io.EOF {
		err = &fs.PathError{Op: "readdir", Path: d.name, Err: underlying(err)}
	}
	if d.rc != nil && len(ents) > 0 {
		// One allocation per batch, not per entry.
		wrapped := make([]dirEntry, len(ents))
		for i, e := range ents {
			wrapped[i] = dirEntry{DirEntry: e, dir: d}
			ents[i] = &wrapped[i]
		}
	}
	return ents, err
}

// Close closes the directory. Entries' Info fails afterwards.
func (d *localDir) Close() error {
	if err := d.f.Close(); err != nil {
		return &fs.PathError{Op: "close", Path: d.name, Err: underlying(err)}
	}
	return nil
}

// dirEntry keeps os's Name, IsDir and Type (from d_type) and replaces Info (dir_unix.go:
// only the openat2 path, which Windows lacks, creates it).
type dirEntry struct {
	fs.DirEntry
	dir *localDir
}

func (e *dirEntry) String() string { return fs.FormatDirEntry(e) }
