// Package listcache keeps encoded directory listings (the bytes a LIST, NLST or MLSD sends)
// keyed by the directory's identity and version, so a mirror answering the same listing of
// a big directory again and again reads and encodes it once per change. It is an LRU
// bounded by bytes: every entry is charged its data, its key and a fixed overhead, and the
// sum never exceeds the bound given to New.
//
// Validity rests on the directory's mtime and ctime, which the kernel updates when an
// entry is created, removed or renamed in it. Two things it does not see are handled by
// the caller and by MaxAge: a directory changed twice within its filesystem's timestamp
// granularity (callers do not store a listing of a directory modified in the last
// MinAge), and changes to the files listed (an in-place write changes a file's size and
// mtime, not its directory's): an entry is served for at most MaxAge.
package listcache

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults and fixed costs.
const (
	// DefaultMaxBytes is the bound fastftpd uses when none is configured: a few big
	// directories (a 100,000-entry LIST is ~6 MiB) and many small ones.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxAge bounds how stale a listing can be about the files it lists (sizes and
	// times of files written in place), since only directory changes invalidate it.
	DefaultMaxAge = 10 * time.Second
	// MinAge: a directory modified more recently than this is not stored. Filesystems
	// with coarse timestamps (ext3, HFS+, FAT, some network filesystems: 1-2 s) can change
	// twice with one mtime; past MinAge any further change moves the mtime.
	MinAge = 2 * time.Second
	// entryOverhead is charged per entry besides its data and view: the map slot, the list
	// element, the entry struct and the key (measured ~200 B; rounded up).
	entryOverhead = 256
)

// Kind is the listing command an entry holds.
type Kind uint8

// The kinds of listing.
const (
	LIST Kind = iota + 1
	NLST
	MLSD
)

// Key identifies one encoded listing: which directory (Dev, Ino), which version of it
// (Mtime, Ctime in nanoseconds since the epoch), which command, and View: everything else
// the bytes depend on (for MLSD the facts enabled, the user's permissions and the path
// they are computed for; the time zone of LIST dates), as an opaque string the caller
// builds. Two requests with equal Keys must produce equal bytes.
type Key struct {
	Dev, Ino     uint64
	Mtime, Ctime int64
	Kind         Kind
	View         string
}

type entry struct {
	key     Key
	data    [][]byte
	expires int64 // unix nanoseconds
	cost    int64
}

// Cache is a byte-bounded LRU of listings. Safe from any goroutine. A nil *Cache is a
// valid, disabled cache: Get misses, Put stores nothing.
type Cache struct {
	max, maxEntry int64
	maxAge        time.Duration

	mu    sync.Mutex
	m     map[Key]*list.Element
	l     list.List // front: most recently used
	bytes int64

	hits, misses, stores atomic.Uint64
}

// New returns a cache holding at most maxBytes (nil, a disabled cache, when maxBytes <=
// 0), each entry served for at most maxAge (DefaultMaxAge when <= 0). One listing may take
// at most a quarter of the bound, so a single huge directory cannot flush everything else.
func New(maxBytes int64, maxAge time.Duration) *Cache {
	if maxBytes <= 0 {
		return nil
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &Cache{max: maxBytes, maxEntry: maxBytes / 4, maxAge: maxAge, m: make(map[Key]*list.Element)}
}

// MaxEntry is the largest listing Put accepts, in bytes: a caller encoding a listing stops
// collecting it past this. 0 for a nil cache.
func (c *Cache) MaxEntry() int {
	if c == nil {
		return 0
	}
	return int(c.maxEntry)
}

// Get returns the listing stored for k, if any and still fresh at now, as the chunks to
// send in order, and marks it recently used. The bytes are shared and must not be
// modified; they stay valid (and keep their memory) while the caller holds them, even if
// the entry is evicted meanwhile. Allocates nothing.
func (c *Cache) Get(k *Key, now time.Time) ([][]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	el, ok := c.m[*k]
	if ok {
		e := el.Value.(*entry)
		if now.UnixNano() < e.expires {
			c.l.MoveToFront(el)
			c.mu.Unlock()
			c.hits.Add(1)
			return e.data, true
		}
		c.removeLocked(el)
	}
	c.mu.Unlock()
	c.misses.Add(1)
	return nil, false
}

// Put stores data, a listing as chunks (which the cache now owns: the caller must not
// modify them), for k until expires or now+MaxAge, whichever comes first, evicting the
// least recently used entries to stay within the bound. Chunks are charged by capacity, so
// a caller trims slack before storing. It reports whether it stored: not when the listing
// costs more than MaxEntry or is already expired.
func (c *Cache) Put(k Key, data [][]byte, now, expires time.Time) bool {
	if c == nil {
		return false
	}
	cost := Cost(data) + int64(len(k.View)) + entryOverhead
	exp := now.Add(c.maxAge)
	if !expires.IsZero() && expires.Before(exp) {
		exp = expires
	}
	if cost > c.maxEntry || !now.Before(exp) {
		return false
	}
	e := &entry{key: k, data: data, expires: exp.UnixNano(), cost: cost}
	c.mu.Lock()
	if old, ok := c.m[k]; ok {
		c.removeLocked(old)
	}
	for c.bytes+cost > c.max {
		c.removeLocked(c.l.Back())
	}
	c.m[k] = c.l.PushFront(e)
	c.bytes += cost
	c.mu.Unlock()
	c.stores.Add(1)
	return true
}

// Cost is what data is charged besides its key: the chunks' capacities and slice headers.
func Cost(data [][]byte) int64 {
	n := int64(cap(data)) * 24
	for _, b := range data {
		n += int64(cap(b))
	}
	return n
}

func (c *Cache) removeLocked(el *list.Element) {
	e := c.l.Remove(el).(*entry)
	delete(c.m, e.key)
	c.bytes -= e.cost
}

// Stats is a snapshot of the cache's counters.
type Stats struct {
	Entries              int
	Bytes, MaxBytes      int64
	Hits, Misses, Stores uint64
}

// Stats returns the current counters (zero for a nil cache). Safe from any goroutine.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	c.mu.Lock()
	s := Stats{Entries: len(c.m), Bytes: c.bytes, MaxBytes: c.max}
	c.mu.Unlock()
	s.Hits, s.Misses, s.Stores = c.hits.Load(), c.misses.Load(), c.stores.Load()
	return s
}
