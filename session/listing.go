// Directory streaming shared by LIST, NLST, MLSD and STAT.

package session

import (
	"io"
	"path"
	"unsafe"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// listBatch is how many entries a listing reads per ReadDir call: a 100,000-entry directory
// is streamed, never held in memory.
const listBatch = 256

// bytesString views b as a string without copying. The string is valid only while b is
// unchanged: listings use it for a name that lives in a reused getdents buffer during one
// callback, and every encoder copies it out.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// listInto calls fn for each entry of directory p, or once for p itself when it is not a
// directory; at most max entries when max > 0. It reports how many entries it produced and
// whether it stopped at max. The Entry passed to fn is reused: copy what must outlive the call.
func listInto(fsys vfs.FS, p string, max int, fn func(*proto.Entry) error) (n int, truncated bool, err error) {
	fi, err := fsys.Stat(p)
	if err != nil {
		return 0, false, err
	}
	var e proto.Entry
	if !fi.IsDir() {
		proto.FillEntry(&e, path.Base(p), fi)
		return 1, false, fn(&e)
	}
	if n, truncated, ok, err := listFast(fsys, p, max, &e, fn); ok {
		return n, truncated, err
	}
	d, err := fsys.OpenDir(p)
	if err != nil {
		return 0, false, err
	}
	defer d.Close()
	for {
		ents, rerr := d.ReadDir(listBatch)
		for _, de := range ents {
			info, ierr := de.Info()
			if ierr != nil {
				continue // removed while we listed: skip it, as ls does
			}
			proto.FillEntry(&e, de.Name(), info)
			if err := fn(&e); err != nil {
				return n, false, err
			}
			if n++; max > 0 && n >= max {
				return n, true, nil
			}
		}
		if rerr == io.EOF || (rerr == nil && len(ents) == 0) {
			return n, false, nil
		}
		if rerr != nil {
			return n, false, rerr
		}
	}
}
