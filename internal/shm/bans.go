// bans.go: failed logins per source and bans, shared by every worker.

package shm

import (
	"net/netip"
	"time"

	"github.com/fastftp/fastftp/throttle"
)

// Bans is a throttle.BanList on the table, with the semantics of throttle.Bans: max
// failures within window of the first counted one ban the source for duration. Instants
// are wall-clock unix nanoseconds, the same in every process.
//
// Full table: throttle.Bans forgets the least recently failed source; here, when the
// table is 3/4 full (BanCap) the expired entries are dropped (one pass over the table),
// and if it is still that full, a failure from a source not yet tracked is not counted
// (Fail returns false). Sources already tracked keep counting and stay banned. Safe from
// any goroutine.
type Bans struct {
	t                *Table
	max              int32
	window, duration int64
	dropped          func() // called (outside the lock) when a failure is not counted
}

// Bans returns this view's ban list; max, window and duration <= 0 take throttle's
// defaults. They are per view: give every worker the same ones.
func (t *Table) Bans(max int, window, duration time.Duration, dropped func()) *Bans {
	if max <= 0 {
		max = throttle.DefaultBanMax
	}
	if window <= 0 {
		window = throttle.DefaultBanWindow
	}
	if duration <= 0 {
		duration = throttle.DefaultBanDuration
	}
	return &Bans{t: t, max: int32(min(max, 1<<30)), window: int64(window), duration: int64(duration), dropped: dropped}
}

var _ throttle.BanList = (*Bans)(nil)

// Fail records a failed login from ip at now and reports whether the source is banned.
func (b *Bans) Fail(ip netip.Addr, now time.Time) bool {
	t := b.t
	k, h := addrKey(ip)
	ts := now.UnixNano()
	t.lock()
	e, found := t.ban.find(t, &k, h)
	if found && b.expired(e, ts) {
		t.ban.delete(t, e)
		e, found = t.ban.find(t, &k, h)
	}
	if !found {
		if t.ban.full(t) {
			b.prune(ts)
			e, _ = t.ban.find(t, &k, h)
		}
		if t.ban.full(t) {
			t.unlock()
			if b.dropped != nil {
				b.dropped()
			}
			return false
		}
		t.ban.insert(t, e, &k)
	}
	defer t.unlock()
	until, fails, first := t.i64(e+banUntil), t.i32(e+banFails), t.i64(e+banFirst)
	if until.Load() > ts {
		return true
	}
	if *fails == 0 || ts-first.Load() >= b.window {
		first.Store(ts)
		*fails = 0
	}
	*fails++
	if *fails < b.max {
		return false
	}
	until.Store(ts + b.duration)
	*fails = 0
	return true
}

// Banned reports whether ip is banned at now and until when.
func (b *Bans) Banned(ip netip.Addr, now time.Time) (time.Time, bool) {
	t := b.t
	k, h := addrKey(ip)
	ts := now.UnixNano()
	t.lock()
	defer t.unlock()
	e, found := t.ban.find(t, &k, h)
	if !found {
		return time.Time{}, false
	}
	if until := t.i64(e + banUntil).Load(); until > ts {
		return time.Unix(0, until), true
	}
	if b.expired(e, ts) {
		t.ban.delete(t, e)
	}
	return time.Time{}, false
}

// Succeed clears ip's failure count; it does not lift a ban.
func (b *Bans) Succeed(ip netip.Addr) {
	t := b.t
	k, h := addrKey(ip)
	t.lock()
	defer t.unlock()
	e, found := t.ban.find(t, &k, h)
	if !found {
		return
	}
	if t.i64(e+banUntil).Load() == 0 {
		t.ban.delete(t, e)
		return
	}
	*t.i32(e + banFails) = 0
}

// Len reports how many sources are tracked.
func (b *Bans) Len() int {
	b.t.lock()
	defer b.t.unlock()
	return int(*b.t.i32(offBanUsed))
}

// expired reports whether the entry at e carries no information any more at ts (until 0
// means never banned).
func (b *Bans) expired(e int, ts int64) bool {
	t := b.t
	return t.i64(e+banUntil).Load() <= ts && (*t.i32(e + banFails) == 0 || ts-t.i64(e+banFirst).Load() >= b.window)
}

// prune drops every expired entry.
func (b *Bans) prune(ts int64) { b.t.ban.rebuild(b.t, func(e int) bool { return !b.expired(e, ts) }) }
