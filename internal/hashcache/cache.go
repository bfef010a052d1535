// Package hashcache remembers file digests by file identity (device, inode), version (size,
// mtime, ctime), algorithm and byte range, so a downstream mirror asking for the checksum
// of every file again and again costs one read per file and version. It is an LRU bounded
// by entry count: each entry holds a key and a hex digest of at most 128 bytes, so a few
// thousand entries stay well under a megabyte.
package hashcache

import (
	"container/list"
	"context"
	"sync"
)

// Key identifies one digest of one version of a file. A file rewritten in place changes
// size, mtime or ctime (ctime cannot be set from user space, so even a writer that restores
// the mtime is noticed); a file replaced by rename changes inode.
type Key struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64 // nanoseconds since the epoch
	Start, End   int64 // the byte range hashed, [Start, End)
	Algo         uint8
}

type entry struct {
	key Key
	sum string
}

// Cache is a bounded LRU of digests. Safe from any goroutine.
type Cache struct {
	mu     sync.Mutex
	max    int
	m      map[Key]*list.Element
	l      list.List         // front: most recently used
	flight map[Key]*inflight // digests being computed
}

// inflight is one digest being computed; done closes when sum (or failure) is known.
type inflight struct {
	done chan struct{}
	sum  string
	ok   bool
}

// New returns a cache of at most max entries (max >= 1).
func New(max int) *Cache {
	if max < 1 {
		max = 1
	}
	return &Cache{max: max, m: make(map[Key]*list.Element, min(max, 1024)), flight: make(map[Key]*inflight)}
}

// Get returns the digest stored for k and marks it recently used.
func (c *Cache) Get(k Key) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return "", false
	}
	c.l.MoveToFront(e)
	return e.Value.(*entry).sum, true
}

// Put stores sum for k, evicting the least recently used entry past the bound. Older
// versions of the same file are not looked for: they are never asked for again and age
// out of the LRU.
func (c *Cache) Put(k Key, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.Value.(*entry).sum = sum
		c.l.MoveToFront(e)
		return
	}
	c.m[k] = c.l.PushFront(&entry{key: k, sum: sum})
	for c.l.Len() > c.max {
		last := c.l.Back()
		c.l.Remove(last)
		delete(c.m, last.Value.(*entry).key)
	}
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.l.Len()
}

// Do returns the digest for k: from the cache, from a concurrent caller computing the same
// key (so N mirrors asking at once still cost one read), or from compute, whose success is
// stored. hit tells that compute did not run. A caller that waited for a failed computation
// computes itself. Waiting ends early, with ctx's error, when ctx does.
func (c *Cache) Do(ctx context.Context, k Key, compute func() (string, error)) (sum string, hit bool, err error) {
	for {
		c.mu.Lock()
		if e, ok := c.m[k]; ok {
			c.l.MoveToFront(e)
			sum = e.Value.(*entry).sum
			c.mu.Unlock()
			return sum, true, nil
		}
		f, busy := c.flight[k]
		if !busy {
			f = &inflight{done: make(chan struct{})}
			c.flight[k] = f
			c.mu.Unlock()
			break
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.ok {
				return f.sum, true, nil
			}
			// The computation failed (its client left, the file changed): try again.
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	sum, err = compute()
	c.mu.Lock()
	f := c.flight[k]
	delete(c.flight, k)
	c.mu.Unlock()
	if err == nil {
		c.Put(k, sum)
		f.sum, f.ok = sum, true
	}
	close(f.done)
	return sum, false, err
}
