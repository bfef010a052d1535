// Directory streaming shared by LIST, NLST, MLSD and STAT.

package session

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/listcache"
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

// DefaultListSortMax is the largest directory whose LIST and NLST are sorted by name when
// ListingOptions.SortMax is 0. Sorting holds the entries in memory (about 150 bytes each
// plus the name); past the bound a listing goes out in directory order, streamed.
const DefaultListSortMax = 10000

// ListingOptions shapes directory listings (LIST, NLST, MLSD). The zero value sorts up to
// DefaultListSortMax entries, shows numeric owners and caches nothing.
type ListingOptions struct {
	// SortMax: LIST and NLST of a directory with at most this many entries are sorted by
	// name (byte order, as vsftpd and pyftpdlib); larger directories stream in directory
	// order in bounded memory. 0 means DefaultListSortMax, < 0 never sort. MLSD is never
	// sorted (RFC 3659 specifies no order; clients sort themselves).
	SortMax int
	// Names, if set, gives LIST its owner and group names; nil shows numbers.
	Names *vfs.Names
	// Cache, if set, keeps encoded listings of unchanged directories (see listcache).
	Cache *listcache.Cache
}

// listReq is one listing to encode, captured on the session's owner before the transfer
// goroutine runs (which must not read session state).
type listReq struct {
	ctx     context.Context // the transfer's: a wait for another request's encoding ends with it
	env     *Env
	fsys    vfs.FS
	p       string
	fi      fs.FileInfo // p's Stat
	kind    int         // listLong, listName, listMLSD
	facts   proto.Facts
	user    *auth.User
	dirPerm string // MLSD perm fact of the files in p
}

// writeListing writes the listing of r.p to w: from the listing cache when it holds this
// version of the directory, else encoded entry by entry (sorted up to the bound) and
// stored when the directory qualifies.
func writeListing(w io.Writer, r *listReq) error {
	o := &r.env.Listing
	now := time.Now()
	var key listcache.Key
	if o.Cache == nil || !r.cacheKey(&key, now) {
		return r.encode(w, now, nil)
	}
	// From the cache, or from a concurrent request encoding the same listing, or encoded
	// here and stored.
	chunks, hit, fill, err := o.Cache.Begin(r.ctx, &key, now)
	switch {
	case err != nil:
		return err
	case hit:
		return writeChunks(w, chunks)
	}
	return r.encode(w, now, fill)
}

func writeChunks(w io.Writer, chunks [][]byte) error {
	for _, b := range chunks {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// encode lists r.p and writes each line to w. With a fill (this request encodes for the
// cache and for requests waiting on it), the lines are first collected in memory and the
// fill ended before anything is sent, so no waiter depends on this client's speed; past
// the cache's MaxEntry the fill ends as too big, and what was collected goes out followed
// by the rest, streamed.
func (r *listReq) encode(w io.Writer, now time.Time, fill *listcache.Fill) (err error) {
	o := &r.env.Listing
	if fill != nil {
		defer fill.Fail() // on every error; after Done it does nothing
	}
	var line []byte
	var chunks listcache.Builder
	var expires time.Time
	limit := int64(o.Cache.MaxEntry())
	sortMax := o.SortMax
	if sortMax == 0 {
		sortMax = DefaultListSortMax
	}
	if r.kind == listMLSD {
		sortMax = -1
	}
	lo := listOpts{sortMax: sortMax, now: now}
	if r.kind == listLong {
		lo.names = o.Names
		lo.links, _ = r.fsys.(vfs.LinkReader)
	}
	collecting := fill != nil
	_, _, err = listEntries(r.fsys, r.p, &lo, func(e *proto.Entry) error {
		line = r.appendLine(line[:0], e, now)
		if !collecting {
			_, err := w.Write(line)
			return err
		}
		if r.kind == listLong {
			if at, ok := proto.ListLineChanges(e.ModTime, now); ok && (expires.IsZero() || at.Before(expires)) {
				expires = at
			}
		}
		if chunks.Add(line) <= limit {
			return nil
		}
		// Too big to cache: release the waiters, send what was collected, stream the rest.
		collecting = false
		fill.Done(nil, time.Time{})
		err := writeChunks(w, chunks.Done())
		chunks = listcache.Builder{}
		return err
	})
	if err != nil || !collecting {
		return err
	}
	kept := chunks.Done()
	fill.Done(kept, expires)
	return writeChunks(w, kept)
}

// appendLine appends e's line in the request's format.
func (r *listReq) appendLine(dst []byte, e *proto.Entry, now time.Time) []byte {
	switch r.kind {
	case listLong:
		return proto.AppendListLine(dst, e, now, r.env.Loc)
	case listName:
		return proto.AppendNameLine(dst, e.Name)
	}
	pf := r.dirPerm
	if e.Mode.IsDir() {
		pf = permFact(r.user, path.Join(r.p, e.Name), true)
	}
	dst = proto.AppendMLSx(dst, e, r.facts, "", pf)
	return append(dst, '\r', '\n')
}

// keyNames is the listcache.Key flag of a LIST that shows owner names.
const keyNames = 1

// mlsdView is everything an MLSD's bytes depend on besides the directory: the facts, the
// path (overrides apply by path) and the user's permissions with their overrides. Users
// with the same permissions share entries.
func mlsdView(facts proto.Facts, p string, u *auth.User) string {
	b := make([]byte, 0, 64+len(p))
	b = strconv.AppendUint(b, uint64(facts), 16)
	b = append(b, 0)
	b = append(b, p...)
	b = append(b, 0)
	b = strconv.AppendUint(b, uint64(u.Perm), 16)
	for _, ov := range u.Override {
		b = append(b, 0)
		b = append(b, ov.Dir...)
		b = append(b, 0)
		b = strconv.AppendUint(b, uint64(ov.Perm), 16)
		if ov.Recursive {
			b = append(b, 'r')
		}
	}
	return string(b)
}

// listOpts decorates and orders entries for LIST and NLST.
type listOpts struct {
	sortMax int            // > 0: sort directories up to this many entries
	names   *vfs.Names     // owner names, nil for numbers
	links   vfs.LinkReader // symbolic link targets, nil for none
	now     time.Time      // for the names cache
}

// decorate sets e's owner names and link target. hasStat says e's UID and GID are real (an
// embedder's FS without a stat leaves them 0, which must not show as root).
func (o *listOpts) decorate(e *proto.Entry, dir string, hasStat bool) {
	e.Owner, e.Group, e.Target = "", "", ""
	if o.names != nil && hasStat {
		e.Owner = o.names.User(e.UID, o.now)
		e.Group = o.names.Group(e.GID, o.now)
	}
	if o.links != nil && e.Mode&fs.ModeSymlink != 0 {
		if t, err := o.links.Readlink(path.Join(dir, e.Name)); err == nil {
			e.Target = t
		}
	}
}

// listEntries is listInto with decoration and, for directories up to o.sortMax entries,
// name order. Entries are collected while the count is within the bound; the first entry
// past it sends the collected ones in directory order and streams the rest, so memory
// stays bounded whatever the directory's size.
func listEntries(fsys vfs.FS, p string, o *listOpts, fn func(*proto.Entry) error) (int, bool, error) {
	if o.sortMax <= 0 {
		return listInto(fsys, p, 0, func(e *proto.Entry) error {
			o.decorate(e, p, e.Ino != 0)
			return fn(e)
		})
	}
	sb := sortBufs.Get().(*sortBuf)
	defer sb.release()
	streaming := false
	n, trunc, err := listInto(fsys, p, 0, func(e *proto.Entry) error {
		o.decorate(e, p, e.Ino != 0)
		if streaming {
			return fn(e)
		}
		if len(sb.items) < o.sortMax {
			sb.add(e)
			return nil
		}
		streaming = true
		if err := sb.emit(fn); err != nil {
			return err
		}
		return fn(e)
	})
	if err == nil && !streaming {
		sb.sort()
		err = sb.emit(fn)
	}
	return n, trunc, err
}

// sortBuf holds the entries of a directory being sorted; names are copied into one arena
// (no allocation per entry once the pooled buffers have grown).
type sortBuf struct {
	items []sortItem
	arena []byte
}

type sortItem struct {
	e        proto.Entry // Name is set from the arena when emitted
	off, end int
}

var sortBufs = sync.Pool{New: func() any { return new(sortBuf) }}

// maxPooledSort bounds what a sortBuf keeps for the next listing: a huge one is dropped.
const maxPooledSort = 4 << 20

func (sb *sortBuf) add(e *proto.Entry) {
	off := len(sb.arena)
	sb.arena = append(sb.arena, e.Name...)
	it := sortItem{e: *e, off: off, end: len(sb.arena)}
	it.e.Name = ""
	sb.items = append(sb.items, it)
}

func (sb *sortBuf) name(it *sortItem) []byte { return sb.arena[it.off:it.end] }

func (sb *sortBuf) sort() {
	slices.SortFunc(sb.items, func(a, b sortItem) int {
		return bytes.Compare(sb.arena[a.off:a.end], sb.arena[b.off:b.end])
	})
}

// emit passes the collected entries to fn in their current order and forgets them.
func (sb *sortBuf) emit(fn func(*proto.Entry) error) error {
	for i := range sb.items {
		it := &sb.items[i]
		it.e.Name = bytesString(sb.name(it))
		if err := fn(&it.e); err != nil {
			return err
		}
	}
	sb.items = sb.items[:0]
	return nil
}

func (sb *sortBuf) release() {
	if cap(sb.arena)+cap(sb.items)*int(unsafe.Sizeof(sortItem{})) > maxPooledSort {
		return
	}
	clear(sb.items[:cap(sb.items)]) // drop the owner and target strings
	sb.items, sb.arena = sb.items[:0], sb.arena[:0]
	sortBufs.Put(sb)
}
