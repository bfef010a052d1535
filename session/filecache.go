// The RETR open path through the open-file cache (internal/filecache): a descriptor of a
// hot small file is lent from the cache when the path's inode and version are unchanged.

package session

import (
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/fastftp/fastftp/internal/filecache"
	"github.com/fastftp/fastftp/vfs"
)

// defaultOpenFileCache is Env.OpenFileCache's 0: descriptors held at most (see filecache).
const defaultOpenFileCache = filecache.DefaultEntries

// retrFile is the file a RETR sends and how to give it back.
type retrFile struct {
	f     vfs.File
	fi    fs.FileInfo
	cache *filecache.Cache // nil: close f when done
	key   filecache.Key
	v     filecache.Version
	hit   bool // f came from the cache: its offset is not 0, Seek before reading
}

// openRetr opens p for a RETR. On local storage with the cache on, a path with an idle
// descriptor costs one fstatat: if the path names the same inode at the same size, mtime
// and ctime, that descriptor is lent (a file renamed over the path has a new inode and is
// opened afresh). A descriptor always reads its inode's current bytes, exactly as a fresh
// open would; a hit costs fstatat and lseek where a fresh open costs openat2, fcntl,
// fstat and close. Otherwise fsys.Open and Stat, as without the cache; a small regular
// file is then kept for the next RETR by release. Runs on the transfer goroutine.
func (e *Env) openRetr(fsys vfs.FS, p string) (r retrFile, err error) {
	local, _ := fsys.(*vfs.Local) // a pointer: comparable, and one per root, so keys never mix roots
	if c := e.fileCache; c != nil && local != nil {
		r.cache, r.key = c, filecache.Key{Owner: local, Path: p}
		if c.Idle(r.key) {
			// A failed stat: Open below gives the error its usual reply.
			if v, ok := pathVersion(local, p); ok {
				if f := c.Get(r.key, v); f != nil {
					r.f, r.fi, r.v, r.hit = f, &keptInfo{name: path.Base(p), v: v}, v, true
					return r, nil
				}
			}
		}
	}
	if r.f, err = fsys.Open(p); err != nil {
		return r, err
	}
	if r.fi, err = r.f.Stat(); err != nil {
		r.f.Close()
		return r, err
	}
	if r.cache != nil {
		// The descriptor's own version (fstat), not the path's: a rename may already
		// have moved the path on, and then the path's stat must not match this one.
		v, ok := filecache.VersionOf(r.fi)
		if _, isOS := r.f.(*os.File); !ok || !isOS || v.Size > r.cache.MaxSize() {
			r.cache = nil
		}
		r.v = v
	}
	return r, nil
}

// keptInfo describes a kept descriptor's file from the path's version just checked (one
// fstatat, no FileInfo of vfs's): a regular file of that size and mtime.
type keptInfo struct {
	name string
	v    filecache.Version
}

func (k *keptInfo) Name() string       { return k.name }
func (k *keptInfo) Size() int64        { return k.v.Size }
func (k *keptInfo) Mode() fs.FileMode  { return 0o444 }
func (k *keptInfo) ModTime() time.Time { return time.Unix(0, k.v.Mtime) }
func (k *keptInfo) IsDir() bool        { return false }
func (k *keptInfo) Sys() any           { return nil }

// release gives the descriptor back to the cache, or closes it.
func (r *retrFile) release() {
	if r.cache != nil {
		r.cache.Put(r.key, r.v, r.f.(*os.File))
		return
	}
	r.f.Close()
}

// FileCacheStats returns the open-file cache's counters (zero when it is off). Safe from
// any goroutine.
func (e *Env) FileCacheStats() filecache.Stats {
	if e.fileCache == nil {
		return filecache.Stats{}
	}
	return e.fileCache.Stats()
}
