// bans.go: failed-login counting per source address and temporary bans, in bounded memory.

package throttle

import (
	"net/netip"
	"sync"
	"time"
)

// Default ban policy, used by NewBans for arguments <= 0.
//
// fail2ban ships maxretry 5, findtime 10 min, bantime 10 min. FTP needs a higher count:
// clients open several connections with the same credentials (lftp's parallel mirror,
// FileZilla's extra transfer connections), so one mistyped or stale password fails several
// times at once, and each session already stops after a few failed PASS. Ten failures in a
// minute is still far below what a guessing script does (it hits it in seconds), and the
// short window forgets a human's occasional typo quickly. The ban lasts fail2ban's 10
// minutes: a persistent guesser gets about 10 tries per 11 minutes instead of thousands.
const (
	DefaultBanMax      = 10
	DefaultBanWindow   = time.Minute
	DefaultBanDuration = 10 * time.Minute
	// MaxBanEntries caps the sources a Bans tracks (about 120 B each, so ~12 MB at most).
	// When full, the least recently failed source is forgotten first, after any whose
	// counts and bans have already expired.
	MaxBanEntries = 100_000
)

// noBan marks an entry that has never been banned.
const noBan = -1 << 63

// Bans counts failed logins per source (see Source: an IPv4 address or an IPv6 /64). Max
// failures within Window of the first counted one ban the source for Duration; a failure
// after the window has passed starts a new count. A banned source's further failures are
// not counted and do not extend the ban. Expired entries are pruned as new failures
// arrive, and at most MaxBanEntries sources are tracked.
//
// Every method is safe from any goroutine (one mutex; each call is O(1)) and takes `now`
// explicitly where time matters, so it never reads the clock itself.
type Bans struct {
	max              int32
	window, duration int64 // nanoseconds
	capacity         int32 // MaxBanEntries; smaller in tests

	mu      sync.Mutex
	index   map[netip.Addr]int32
	entries []banEntry // slots; free ones are chained through next
	free    int32      // first free slot, -1 if none
	head    int32      // most recently failed, -1 if empty
	tail    int32      // least recently failed, -1 if empty
}

type banEntry struct {
	src        netip.Addr
	first      int64 // nanoseconds since epoch of the first failure of the current count
	until      int64 // end of the ban, or noBan
	fails      int32
	prev, next int32 // recency list (or free list, through next)
}

// NewBans returns an empty ban list. max, window and duration <= 0 take the defaults
// (DefaultBanMax, DefaultBanWindow, DefaultBanDuration).
func NewBans(max int, window, duration time.Duration) *Bans {
	if max <= 0 {
		max = DefaultBanMax
	}
	if window <= 0 {
		window = DefaultBanWindow
	}
	if duration <= 0 {
		duration = DefaultBanDuration
	}
	return &Bans{
		max:      int32(min(max, 1<<30)),
		window:   int64(min(window, maxSpan)),
		duration: int64(min(duration, maxSpan)),
		capacity: MaxBanEntries,
		index:    make(map[netip.Addr]int32),
		free:     -1,
		head:     -1,
		tail:     -1,
	}
}

// Fail records a failed login from ip at now and reports whether the source is banned
// (by this failure or an earlier one).
func (b *Bans) Fail(ip netip.Addr, now time.Time) (banned bool) {
	src, t := Source(ip), nanos(now)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(t)
	i, ok := b.index[src]
	if !ok {
		i = b.insertLocked(src)
	}
	e := &b.entries[i]
	b.touchLocked(i)
	if e.until > t {
		return true
	}
	if e.fails == 0 || t-e.first >= b.window {
		e.first, e.fails = t, 0
	}
	e.fails++
	if e.fails < b.max {
		return false
	}
	e.until, e.fails = t+b.duration, 0
	return true
}

// Banned reports whether ip is banned at now and until when.
func (b *Bans) Banned(ip netip.Addr, now time.Time) (until time.Time, banned bool) {
	src, t := Source(ip), nanos(now)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(t)
	i, ok := b.index[src]
	if !ok || b.entries[i].until <= t {
		return time.Time{}, false
	}
	return epoch.Add(time.Duration(b.entries[i].until)), true
}

// Succeed clears ip's failure count after a successful login. It does not lift a ban
// (a banned source should not have been allowed to log in).
func (b *Bans) Succeed(ip netip.Addr) {
	src := Source(ip)
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.index[src]
	if !ok {
		return
	}
	if b.entries[i].until == noBan {
		b.removeLocked(i)
		return
	}
	b.entries[i].fails = 0
}

// Len reports how many sources are tracked (for metrics and tests).
func (b *Bans) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.index)
}

// expired reports whether e carries no information any more at t.
func (b *Bans) expired(e *banEntry, t int64) bool {
	return e.until <= t && (e.fails == 0 || t-e.first >= b.window)
}

// pruneLocked drops up to two expired entries from the least recent end, so a steady
// stream of calls keeps the table down to live entries at O(1) cost per call.
func (b *Bans) pruneLocked(t int64) {
	for range 2 {
		if b.tail < 0 || !b.expired(&b.entries[b.tail], t) {
			return
		}
		b.removeLocked(b.tail)
	}
}

// insertLocked adds a fresh entry for src at the head, evicting the least recent entry
// when the table is full.
func (b *Bans) insertLocked(src netip.Addr) int32 {
	if int32(len(b.index)) >= b.capacity {
		b.removeLocked(b.tail)
	}
	i := b.free
	if i >= 0 {
		b.free = b.entries[i].next
	} else {
		i = int32(len(b.entries))
		b.entries = append(b.entries, banEntry{})
	}
	b.entries[i] = banEntry{src: src, until: noBan, prev: -1, next: -1}
	b.index[src] = i
	b.linkHeadLocked(i)
	return i
}

// removeLocked unlinks entry i, forgets its source and puts the slot on the free list.
func (b *Bans) removeLocked(i int32) {
	b.unlinkLocked(i)
	delete(b.index, b.entries[i].src)
	b.entries[i] = banEntry{next: b.free}
	b.free = i
}

// touchLocked moves entry i to the most recent end.
func (b *Bans) touchLocked(i int32) {
	if b.head == i {
		return
	}
	b.unlinkLocked(i)
	b.linkHeadLocked(i)
}

func (b *Bans) linkHeadLocked(i int32) {
	e := &b.entries[i]
	e.prev, e.next = -1, b.head
	if b.head >= 0 {
		b.entries[b.head].prev = i
	}
	b.head = i
	if b.tail < 0 {
		b.tail = i
	}
}

func (b *Bans) unlinkLocked(i int32) {
	e := &b.entries[i]
	if e.prev >= 0 {
		b.entries[e.prev].next = e.next
	} else {
		b.head = e.next
	}
	if e.next >= 0 {
		b.entries[e.next].prev = e.prev
	} else {
		b.tail = e.prev
	}
	e.prev, e.next = -1, -1
}
