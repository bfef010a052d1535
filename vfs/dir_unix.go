// dir_unix.go: entries of a directory opened on the openat2 path stat relative to the
// directory's descriptor.

//go:build unix

package vfs

import "io/fs"

// Info lstats the entry relative to its open directory. Fails after the Dir is closed
// (the descriptor number may have been reused by then).
func (e *dirEntry) Info() (fs.FileInfo, error) {
	fi := &fileInfo{name: e.Name()}
	var serr error
	cerr := e.dir.rc.Control(func(fd uintptr) {
		serr = lstatAt(int(fd), fi.name, &fi.sys)
	})
	if cerr == nil {
		cerr = serr
	}
	if cerr != nil {
		return nil, &fs.PathError{Op: "lstat", Path: joinVirtual(e.dir.name, fi.name), Err: underlying(cerr)}
	}
	return fi, nil
}

func joinVirtual(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
