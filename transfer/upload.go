// The upload policy: which file a STOR, APPE or STOU writes to, and what becomes of it when
// the upload ends. A STOR that replaces an existing file writes to a temporary name beside
// it and renames on success, so a failed or aborted upload never leaves someone else's file
// truncated. A new file (or a REST/APPE resume) is written in place, so an interrupted
// upload can be resumed; the reply says how much arrived.

package transfer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/fastftp/fastftp/vfs"
)

// Mode is what an upload does to its target.
type Mode uint8

const (
	Store  Mode = iota // STOR: replace
	Append             // APPE: append (opened without O_APPEND, which would disable splice)
	Unique             // STOU: a new name
)

// Upload is the file an upload writes to, from OpenUpload to Receive.
type Upload struct {
	Target string // the name the upload is stored as (STOU: the one it found free)

	fsys   vfs.FS
	f      vfs.File
	temp   string // the temporary name renamed over Target on success; "" in place
	mode   Mode
	resume bool // written from an offset (REST or APPE): f is already there
}

// tempSeq makes temporary upload names unique within the process.
var tempSeq atomic.Uint64

// OpenUpload opens the file an upload of virtual path p writes to, positioned at rest (or
// at the end for Append). A REST past the end of the file is ErrBadRest. Errors are the
// file system's, for ErrorReply at StageOpen.
func OpenUpload(fsys vfs.FS, p string, mode Mode, rest int64) (*Upload, error) {
	u := &Upload{Target: p, fsys: fsys, mode: mode, resume: mode == Append || rest > 0}
	switch {
	case mode == Unique:
		for i := 0; i < 100; i++ {
			name := p
			if i > 0 {
				name = p + "." + strconv.Itoa(i)
			}
			f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			u.f, u.Target = f, name
			return u, nil
		}
		return nil, &fs.PathError{Op: "stou", Path: p, Err: fs.ErrExist}
	case u.resume:
		flag := os.O_WRONLY
		if mode == Append {
			flag |= os.O_CREATE
		}
		f, err := fsys.OpenFile(p, flag, 0o666)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = &fs.PathError{Op: "open", Path: p, Err: fs.ErrInvalid}
		}
		if err == nil && rest > fi.Size() {
			err = ErrBadRest
		}
		off, whence := rest, io.SeekStart
		if mode == Append {
			off, whence = 0, io.SeekEnd
		}
		if err == nil {
			_, err = f.Seek(off, whence)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		u.f = f
		return u, nil
	}
	// STOR of a new name: create it exclusively and write in place.
	f, err := fsys.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	if err == nil {
		u.f = f
		return u, nil
	}
	// The name exists: if it is a regular file, write beside it and rename at the end.
	fi, err := fsys.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "stor", Path: p, Err: errIsDir(fi)}
	}
	dir, base := path.Split(p)
	temp := dir + "." + base + ".fastftp-" + strconv.FormatUint(tempSeq.Add(1), 36) + ".part"
	f, err = fsys.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, err
	}
	u.f, u.temp = f, temp
	return u, nil
}

func errIsDir(fi fs.FileInfo) error {
	if fi.IsDir() {
		return syscall.EISDIR
	}
	return fs.ErrInvalid
}

// discard closes an upload nothing arrived for: a replacement's temporary file goes, the
// old file stays as it was.
func (u *Upload) discard() {
	u.f.Close()
	if u.temp != "" {
		u.fsys.Remove(u.temp)
	}
}

// finish closes the file after the copy ended with err and applies the policy: on success
// a replacement is renamed over the target, on failure it is removed. It returns the
// upload's outcome (a failed close or rename fails it).
func (u *Upload) finish(err error) error {
	if cerr := u.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if u.temp == "" {
		return err
	}
	if err == nil {
		err = u.fsys.Rename(u.temp, u.Target)
	}
	if err != nil {
		u.fsys.Remove(u.temp)
	}
	return err
}
