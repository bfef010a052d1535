// users.go: logged-in sessions per user and each user's bandwidth-bucket words.

package shm

import (
	"github.com/fastftp/fastftp/throttle"
)

// Users is a throttle.UserTable on the table.
//
// Entries are never moved, because the bucket words of a user with live sessions are in
// use by transfers (through throttle.NewSharedBucket): an entry whose sessions are all gone
// is reused in place by the next new user that probes past it, and its bucket words start
// full again. Full table (UserCap users with live sessions): the login of a user not in it
// is refused (Join reports false), as if the user were at their session limit. Safe from
// any goroutine.
type Users struct{ t *Table }

// Users returns this worker's view of the user table.
func (t *Table) Users() *Users { return &Users{t: t} }

var _ throttle.UserTable = (*Users)(nil)

// Join counts a login of name for this worker, or reports false when max > 0 sessions of
// name are counted (all workers together) or the table is full.
func (u *Users) Join(name string, max int) bool {
	t := u.t
	k, h := nameKey(name)
	t.lock()
	defer t.unlock()
	e, found := t.findUser(&k, h, true)
	switch {
	case e < 0:
		return false
	case !found:
		if t.u32(e+entState).Load() == 0 {
			t.usr.insert(t, e, &k)
		} else {
			*t.key(e + entKey) = k // a dead entry, reused in place
		}
		t.i64(e + userRead).Store(throttle.SharedEmpty)
		t.i64(e + userWrite).Store(throttle.SharedEmpty)
	case max > 0 && t.userSessions(e) >= max:
		return false
	}
	*t.i32(e + userSessions + 4*t.w)++
	return true
}

// Leave uncounts a login of name that this worker's Join counted.
func (u *Users) Leave(name string) {
	t := u.t
	k, h := nameKey(name)
	t.lock()
	defer t.unlock()
	if e, found := t.findUser(&k, h, false); found {
		if n := t.i32(e + userSessions + 4*t.w); *n > 0 {
			*n--
		}
	}
}

// Sessions reports name's logged-in sessions, all workers together.
func (u *Users) Sessions(name string) int {
	t := u.t
	k, h := nameKey(name)
	t.lock()
	defer t.unlock()
	if e, found := t.findUser(&k, h, false); found {
		return t.userSessions(e)
	}
	return 0
}

// Buckets returns buckets on name's shared words at the given rates. For a name that is
// not joined (which callers must not do) they are private to this process.
func (u *Users) Buckets(name string, read, write float64) (r, w *throttle.Bucket) {
	t := u.t
	k, h := nameKey(name)
	t.lock()
	e, found := t.findUser(&k, h, false)
	t.unlock()
	if !found {
		return throttle.NewBucket(read, 0), throttle.NewBucket(write, 0)
	}
	base := t.i64(offBase).Load()
	return throttle.NewSharedBucket(read, 0, t.i64(e+userRead), base),
		throttle.NewSharedBucket(write, 0, t.i64(e+userWrite), base)
}

func (t *Table) userSessions(e int) int {
	n := 0
	for w := range t.n {
		n += int(*t.i32(e + userSessions + 4*w))
	}
	return n
}

// findUser returns k's live entry (found), or, when claim is set, the slot a new entry
// for k should take: the first dead entry on k's probe run, else the free slot ending it;
// -1 when the table has neither. Dead entries (no sessions) keep their key until reused,
// so a probe for k runs to a free slot (or round the whole table) before k is known to be
// absent.
func (t *Table) findUser(k *[16]byte, h uint64, claim bool) (off int, found bool) {
	dead := -1
	for n, i := 0, int(h&(UserCap-1)); n < UserCap; n, i = n+1, (i+1)&(UserCap-1) {
		e := t.usr.entry(i)
		if t.u32(e+entState).Load() == 0 {
			if dead >= 0 {
				return dead, false
			}
			return e, false
		}
		live := t.userSessions(e) > 0
		if *t.key(e + entKey) == *k && live {
			return e, true
		}
		if !live && dead < 0 && claim {
			dead = e
		}
	}
	return dead, false
}
