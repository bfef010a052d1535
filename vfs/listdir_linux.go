// ListDir: stream a directory with getdents64 and fstatat into reused buffers, allocating
// nothing per entry, so listing 100,000 entries does not grow the heap.

//go:build linux && (amd64 || arm64)

package vfs

import (
	"bytes"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

var _ DirLister = (*Local)(nil)

// direntBufs holds getdents64 buffers: 32 KiB is a few hundred entries per call.
var direntBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// ListDir implements DirLister. Safe from any goroutine.
func (l *Local) ListDir(name string, fn func(name []byte, st *syscall.Stat_t) error) error {
	f, err := l.openFile("listdir", name, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return &fs.PathError{Op: "listdir", Path: name, Err: underlying(err)}
	}
	bp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bp)
	buf := *bp
	var st syscall.Stat_t
	var fnErr, sysErr error
	cerr := rc.Control(func(fd uintptr) {
		for {
			n, err := unix.Getdents(int(fd), buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				sysErr = err
				return
			}
			if n <= 0 {
				return
			}
			// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
			for off := 0; off < n; {
				reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
				rec := buf[off+19 : off+reclen]
				off += reclen
				nul := bytes.IndexByte(rec, 0)
				if nul <= 0 {
					continue
				}
				nm := rec[:nul]
				if nm[0] == '.' && (len(nm) == 1 || len(nm) == 2 && nm[1] == '.') {
					continue
				}
				// The name is NUL-terminated in place: stat it relative to the directory
				// without copying it into a Go string.
				_, _, e := unix.Syscall6(sysFstatat, fd, uintptr(unsafe.Pointer(&nm[0])),
					uintptr(unsafe.Pointer(&st)), unix.AT_SYMLINK_NOFOLLOW, 0, 0)
				if e != 0 {
					continue // removed while we listed it
				}
				if err := fn(nm, &st); err != nil {
					fnErr = err
					return
				}
			}
		}
	})
	switch {
	case fnErr != nil:
		return fnErr
	case sysErr != nil:
		return &fs.PathError{Op: "listdir", Path: name, Err: sysErr}
	case cerr != nil:
		return &fs.PathError{Op: "listdir", Path: name, Err: underlying(cerr)}
	}
	return nil
}
