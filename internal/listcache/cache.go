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
	"bytes"
	"container/list"
	"context"
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
	// maxTooBig bounds the keys of listings remembered as too big to cache (each ~100 B).
	maxTooBig = 1024
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
// (Mtime, Ctime in nanoseconds since the epoch), which command, and Flags and View:
// everything else the bytes depend on (for MLSD the facts enabled, the user's permissions
// and the path they are computed for; for LIST the time zone of its dates and whether it
// names owners), as bits and an opaque string the caller defines. Two requests with equal
// Keys must produce equal bytes.
type Key struct {
	Dev, Ino     uint64
	Mtime, Ctime int64
	Kind         Kind
	Flags        uint8
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

	mu     sync.Mutex
	m      map[Key]*list.Element
	l      list.List // front: most recently used
	bytes  int64
	flight map[Key]*inflight // listings being encoded
	tooBig map[Key]struct{}  // listings found too big to keep: not collected again

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
	return &Cache{max: maxBytes, maxEntry: maxBytes / 4, maxAge: maxAge, m: make(map[Key]*list.Element),
		flight: make(map[Key]*inflight), tooBig: make(map[Key]struct{})}
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
	data, ok := c.getLocked(k, now)
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return data, ok
}

// getLocked is Get's lookup, without the counters; c.mu is held.
func (c *Cache) getLocked(k *Key, now time.Time) ([][]byte, bool) {
	el, ok := c.m[*k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry)
	if now.UnixNano() >= e.expires {
		c.removeLocked(el)
		return nil, false
	}
	c.l.MoveToFront(el)
	return e.data, true
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

// inflight is one listing being encoded; done closes when it is stored or given up (the
// fields are written before done closes and only read after).
type inflight struct {
	done     chan struct{}
	data     [][]byte
	stored   bool // data holds the listing
	tooLarge bool // the listing cannot be stored: waiters encode their own, at once
}

// Begin looks k up for a request about to send that listing. On a hit it returns the
// stored chunks. If another request is encoding the same listing, it waits for that one
// (so N clients asking at once for a directory that just changed cost one encoding) and
// returns its chunks as a hit. Otherwise the caller becomes the encoder: fill is non-nil,
// and the caller must end it with exactly one of Fill.Done or Fill.Fail, as soon as it
// knows, before sending (so waiters never wait for a slow client). fill is nil without a
// hit when a concurrent encoding found the listing too big to keep: the caller encodes
// its own, uncached. A waiter whose encoder failed tries again. Waiting ends early, with
// ctx's error, when ctx does. Safe from any goroutine; a nil Cache returns nothing.
func (c *Cache) Begin(ctx context.Context, k *Key, now time.Time) (data [][]byte, hit bool, fill *Fill, err error) {
	if c == nil {
		return nil, false, nil, nil
	}
	for {
		// One critical section for the lookup and the flight check: an encoder stores
		// before it leaves the flight, so no request can miss both.
		c.mu.Lock()
		if data, ok := c.getLocked(k, now); ok {
			c.mu.Unlock()
			c.hits.Add(1)
			return data, true, nil, nil
		}
		c.misses.Add(1)
		if _, big := c.tooBig[*k]; big {
			c.mu.Unlock()
			return nil, false, nil, nil
		}
		f, busy := c.flight[*k]
		if !busy {
			f = &inflight{done: make(chan struct{})}
			c.flight[*k] = f
			c.mu.Unlock()
			return nil, false, &Fill{c: c, key: *k, f: f, now: now}, nil
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			switch {
			case f.stored:
				c.hits.Add(1)
				return f.data, true, nil, nil
			case f.tooLarge:
				return nil, false, nil, nil
			}
			// The encoding failed (its directory vanished, its client left): try again.
		case <-ctx.Done():
			return nil, false, nil, ctx.Err()
		}
	}
}

// Fill is one request's duty to encode a listing others may be waiting for. Used by one
// goroutine; its first Done or Fail counts, later calls do nothing.
type Fill struct {
	c    *Cache
	key  Key
	f    *inflight
	now  time.Time
	over bool
}

// Done stores data (nil: the listing is too big to keep) valid until expires (see Put),
// and hands it to the waiters.
func (fl *Fill) Done(data [][]byte, expires time.Time) {
	if fl.over {
		return
	}
	switch {
	case data != nil && fl.c.Put(fl.key, data, fl.now, expires):
		fl.f.data, fl.f.stored = data, true
	case data == nil:
		// Remembered (by directory version, so a change tries again) so that the next
		// request streams at once instead of collecting MaxEntry bytes first.
		fl.c.mu.Lock()
		if len(fl.c.tooBig) >= maxTooBig {
			clear(fl.c.tooBig)
		}
		fl.c.tooBig[fl.key] = struct{}{}
		fl.c.mu.Unlock()
		fallthrough
	default:
		fl.f.tooLarge = true
	}
	fl.end()
}

// Fail releases the waiters without a listing; one of them encodes instead.
func (fl *Fill) Fail() {
	if !fl.over {
		fl.end()
	}
}

func (fl *Fill) end() {
	fl.over = true
	fl.c.mu.Lock()
	delete(fl.c.flight, fl.key)
	fl.c.mu.Unlock()
	close(fl.f.done)
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

// Builder collects an encoded listing for the cache in chunks that grow from 4 KiB to
// 64 KiB: a small listing costs little, and a big one is never copied whole when its
// buffer grows (the peak stays about the listing's size). The zero value is empty; used by
// one goroutine.
type Builder struct {
	chunks [][]byte
	cur    []byte
	cost   int64
}

const (
	firstChunk = 4 << 10
	maxChunk   = 64 << 10
)

// Add appends a copy of b and returns the bytes reserved so far (what Put will charge,
// give or take the last chunk's trim).
func (c *Builder) Add(b []byte) int64 {
	if len(c.cur)+len(b) > cap(c.cur) {
		size := min(max(2*cap(c.cur), firstChunk), maxChunk)
		if len(c.cur) > 0 {
			c.chunks = append(c.chunks, c.cur)
		}
		c.cur = make([]byte, 0, max(size, len(b)))
		c.cost += int64(cap(c.cur))
	}
	c.cur = append(c.cur, b...)
	return c.cost
}

// Done returns the chunks, the last one trimmed to its length; never nil (an empty
// directory's listing is empty, and cached too). The Builder must not be used after.
func (c *Builder) Done() [][]byte {
	if len(c.cur) > 0 {
		c.chunks = append(c.chunks, bytes.Clone(c.cur))
	}
	if c.chunks == nil {
		return [][]byte{}
	}
	return c.chunks
}
