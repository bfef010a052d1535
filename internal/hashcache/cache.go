// Package hashcache remembers file digests by file identity (device, inode), version (size,
// mtime, ctime), algorithm and byte range, so a downstream mirror asking for the checksum
// of every file again and again costs one read per file and version. It is an LRU bounded
// by entry count: each entry holds a key and a hex digest of at most 128 bytes, so a few
// thousand entries stay well under a megabyte.
package hashcache

import (
	"container/list"
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
	mu  sync.Mutex
	max int
	m   map[Key]*list.Element
	l   list.List // front: most recently used
}

// New returns a cache of at most max entries (max >= 1).
func New(max int) *Cache {
	if max < 1 {
		max = 1
	}
	return &Cache{max: max, m: make(map[Key]*list.Element, min(max, 1024))}
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
