// Package filecache keeps open descriptors of hot small files for a short time, as nginx's
// open_file_cache does, so that a RETR of a 1 KiB file skips openat2, fcntl, fstat and
// close and pays one fstatat of its path instead.
//
// Correctness rests on one check per hit: the caller stats the path (one fstatat) and asks
// for a descriptor of exactly that version (device, inode, size, mtime, ctime). So
//   - a file replaced by rename (rsync) has a new inode: the next RETR after the rename
//     misses and opens the new file; a transfer already running keeps its descriptor of
//     the old inode and sends the whole old file. Never a mix.
//   - a file written or truncated in place changes size, mtime or ctime (ctime cannot be
//     set from user space): the next RETR misses. A write during a transfer is seen as
//     without the cache (the RETR path fails a short send).
//
// A descriptor is lent to one transfer at a time (Get takes it out of the cache, Put gives
// it back), so the file offset is never shared: the borrower Seeks to its REST offset. The
// cache holds at most Entries idle descriptors in all (they count against the process's
// descriptor limit), closes each TTL after it was last returned, on eviction (LRU) and at
// Close; a descriptor out on loan is closed when it comes back to a closed cache.
package filecache

import (
	"os"
	"sync"
	"time"
)

// Defaults (fastftp.Config.OpenFileCache, --open-file-cache).
const (
	DefaultEntries = 256 // 1.3% of the 20,000-descriptor budget of the target machines
	DefaultTTL     = 2 * time.Second
	DefaultMaxSize = 1 << 20 // larger files spend their time in sendfile, not in open
)

// Version identifies one state of one file: a rename changes Dev/Ino, a write in place
// changes Size, Mtime or Ctime.
type Version struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64 // nanoseconds since the epoch
}

// Key names a file: Owner is the file system it was opened through (comparable: a
// pointer), so two users with different roots never share a descriptor; Path is the path
// inside it.
type Key struct {
	Owner any
	Path  string
}

// item is one idle descriptor, on its key's stack and on the LRU list.
type item struct {
	f          *os.File
	v          Version
	key        Key
	expires    time.Time
	prev, next *item // LRU: head is the most recently returned
	below      *item // the key's stack of idle descriptors
}

// Cache lends open descriptors. Safe from any goroutine.
type Cache struct {
	mu         sync.Mutex
	max        int
	ttl        time.Duration
	maxSize    int64
	now        func() time.Time
	m          map[Key]*item // top of each key's stack
	head, tail *item
	n          int
	closed     bool
	stop       chan struct{}
	done       chan struct{}
	stats      Stats
	free       *item // spare items (linked by below), so a hit's Get and Put allocate nothing
}

// Stats counts lookups since New: a miss is an Idle that found nothing or a Get that
// found no descriptor of the version asked for.
type Stats struct {
	Hits, Misses, Stale, Evicted, Expired uint64
	Idle                                  int // descriptors held now
}

// Config sets a Cache up; zero fields take the defaults.
type Config struct {
	Entries int           // idle descriptors held at most, in all
	TTL     time.Duration // how long an idle descriptor is kept after its last use
	MaxSize int64         // larger files are not kept
	Now     func() time.Time
}

// New returns a cache and starts its sweeper, which closes expired descriptors every TTL/2;
// Close stops it.
func New(cfg Config) *Cache {
	c := &Cache{max: cfg.Entries, ttl: cfg.TTL, maxSize: cfg.MaxSize, now: cfg.Now,
		stop: make(chan struct{}), done: make(chan struct{})}
	if c.max <= 0 {
		c.max = DefaultEntries
	}
	if c.ttl <= 0 {
		c.ttl = DefaultTTL
	}
	if c.maxSize <= 0 {
		c.maxSize = DefaultMaxSize
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.m = make(map[Key]*item, min(c.max, 1024))
	go c.sweeper()
	return c
}

// MaxSize is the largest file the cache keeps.
func (c *Cache) MaxSize() int64 { return c.maxSize }

// Idle reports whether a descriptor for k is waiting: when not, the caller skips the path
// stat that a Get needs and opens the file at once, and the lookup counts as a miss.
func (c *Cache) Idle(k Key) bool {
	c.mu.Lock()
	_, ok := c.m[k]
	if !ok {
		c.stats.Misses++
	}
	c.mu.Unlock()
	return ok
}

// Get lends a descriptor of k whose version is cur (the path's stat taken just now), or
// returns nil. Idle descriptors of k of another version are closed: the file changed. The
// descriptor's offset is wherever its last borrower left it. Give it back with Put.
func (c *Cache) Get(k Key, cur Version) *os.File {
	var stale []*os.File
	c.mu.Lock()
	var f *os.File
	for it := c.m[k]; it != nil; it = c.m[k] {
		c.pop(it)
		if it.v == cur {
			f = it.f
			c.stats.Hits++
			*it = item{below: c.free}
			c.free = it
			break
		}
		c.stats.Stale++
		stale = append(stale, it.f)
	}
	if f == nil {
		c.stats.Misses++
	}
	c.mu.Unlock()
	for _, s := range stale {
		s.Close()
	}
	return f
}

// Put gives f, open on k at version v, to the cache, which keeps it for later Gets or
// closes it (a file larger than MaxSize, a closed cache). v must describe f itself (its
// fstat), not the path, which may have moved on since f was opened. The caller must not
// use f afterwards.
func (c *Cache) Put(k Key, v Version, f *os.File) {
	if v.Size > c.maxSize {
		f.Close()
		return
	}
	var evict *os.File
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		f.Close()
		return
	}
	it := c.free
	if it != nil {
		c.free = it.below
		*it = item{f: f, v: v, key: k}
	} else {
		it = &item{f: f, v: v, key: k}
	}
	if c.n >= c.max {
		old := c.tail
		c.pop(old)
		c.stats.Evicted++
		evict = old.f
	}
	it.expires = c.now().Add(c.ttl)
	it.below = c.m[k]
	c.m[k] = it
	it.next = c.head
	if c.head != nil {
		c.head.prev = it
	} else {
		c.tail = it
	}
	c.head = it
	c.n++
	c.mu.Unlock()
	if evict != nil {
		evict.Close()
	}
}

// pop removes it from the LRU list and from its key's stack. c.mu held.
func (c *Cache) pop(it *item) {
	if it.prev != nil {
		it.prev.next = it.next
	} else {
		c.head = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	} else {
		c.tail = it.prev
	}
	it.prev, it.next = nil, nil
	// it is usually the top of its stack (Get) but may sit below (eviction, expiry).
	if top := c.m[it.key]; top == it {
		if it.below != nil {
			c.m[it.key] = it.below
		} else {
			delete(c.m, it.key)
		}
	} else {
		for p := top; p != nil; p = p.below {
			if p.below == it {
				p.below = it.below
				break
			}
		}
	}
	it.below = nil
	c.n--
}

// Expire closes the descriptors idle past their TTL and returns how many. The sweeper
// calls it; tests call it with a fake clock.
func (c *Cache) Expire() int {
	var old []*os.File
	c.mu.Lock()
	now := c.now()
	// The tail is the least recently returned, and every item gets the same TTL: stop at the
	// first one still valid.
	for it := c.tail; it != nil && !now.Before(it.expires); it = c.tail {
		c.pop(it)
		c.stats.Expired++
		old = append(old, it.f)
	}
	c.mu.Unlock()
	for _, f := range old {
		f.Close()
	}
	return len(old)
}

func (c *Cache) sweeper() {
	defer close(c.done)
	t := time.NewTicker(c.ttl / 2)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.Expire()
		}
	}
}

// Stats returns the counters and the descriptors held now.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Idle = c.n
	return s
}

// Close closes every idle descriptor and stops the sweeper; descriptors on loan are
// closed when they are Put back. Safe to call more than once.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	var all []*os.File
	for it := c.tail; it != nil; it = c.tail {
		c.pop(it)
		all = append(all, it.f)
	}
	c.mu.Unlock()
	close(c.stop)
	<-c.done
	for _, f := range all {
		f.Close()
	}
	return nil
}
