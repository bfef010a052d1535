// names.go: user and group names for LIST's owner columns, looked up once per id and kept
// for a while, so a 100,000-entry listing costs a map read per entry, not a passwd scan.

package vfs

import (
	"os/user"
	"strconv"
	"sync"
	"time"
)

// Defaults of NewNames.
const (
	// DefaultNamesTTL is how long a looked-up name (or its absence) is trusted: an account
	// renamed in /etc/passwd shows in listings within this time.
	DefaultNamesTTL = time.Minute
	// DefaultNamesMax bounds the ids remembered per kind (users, groups). Past it the
	// cache starts over rather than grow: a tree with more distinct owners than this is
	// not what a listing cache is for, and it must stay bounded.
	DefaultNamesMax = 4096
)

// Names maps numeric owners to the user and group names LIST shows, as ls and vsftpd do.
// Lookups go to the system's user database (os/user) and are cached, misses included, for
// TTL; ids without a name give "" (the caller shows the number). Safe from any goroutine;
// a lookup on a miss may block on the database, so call it off the event loops.
type Names struct {
	ttl, max int64 // nanoseconds; entries per map
	// lookupUser and lookupGroup resolve one id; replaced in tests.
	lookupUser, lookupGroup func(id uint32) (string, bool)

	mu     sync.RWMutex
	users  map[uint32]nameEntry
	groups map[uint32]nameEntry
}

type nameEntry struct {
	name    string
	expires int64 // unix nanoseconds
}

// NewNames returns a cache that keeps each answer for ttl (DefaultNamesTTL when <= 0) and
// at most max ids of each kind (DefaultNamesMax when <= 0).
func NewNames(ttl time.Duration, max int) *Names {
	if ttl <= 0 {
		ttl = DefaultNamesTTL
	}
	if max <= 0 {
		max = DefaultNamesMax
	}
	return &Names{
		ttl: int64(ttl), max: int64(max),
		lookupUser:  lookupUser,
		lookupGroup: lookupGroup,
		users:       make(map[uint32]nameEntry),
		groups:      make(map[uint32]nameEntry),
	}
}

// User returns the name of uid, or "" when it has none. now is the caller's clock (one
// reading per listing is enough). Allocates only on a miss.
func (n *Names) User(uid uint32, now time.Time) string {
	return n.get(&n.users, n.lookupUser, uid, now.UnixNano())
}

// Group returns the name of gid, or "" when it has none. Same contract as User.
func (n *Names) Group(gid uint32, now time.Time) string {
	return n.get(&n.groups, n.lookupGroup, gid, now.UnixNano())
}

func (n *Names) get(m *map[uint32]nameEntry, lookup func(uint32) (string, bool), id uint32, now int64) string {
	n.mu.RLock()
	e, ok := (*m)[id]
	n.mu.RUnlock()
	if ok && now < e.expires {
		return e.name
	}
	// Two listings may look the same id up at once: harmless, both store the same answer.
	name, _ := lookup(id)
	n.mu.Lock()
	if int64(len(*m)) >= n.max {
		*m = make(map[uint32]nameEntry)
	}
	(*m)[id] = nameEntry{name: name, expires: now + n.ttl}
	n.mu.Unlock()
	return name
}

func lookupUser(id uint32) (string, bool) {
	u, err := user.LookupId(strconv.FormatUint(uint64(id), 10))
	if err != nil {
		return "", false
	}
	return u.Username, true
}

func lookupGroup(id uint32) (string, bool) {
	g, err := user.LookupGroupId(strconv.FormatUint(uint64(id), 10))
	if err != nil {
		return "", false
	}
	return g.Name, true
}
