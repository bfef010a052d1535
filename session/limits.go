// Bandwidth and session governance: global ▸ host ▸ client address ▸ user ▸ session token
// buckets per direction, sessions per user, failed-login bans. Buckets never sleep; transfer goroutines wait on
// them through throttle.Limiter, event loops never do.

package session

import (
	"net/netip"
	"sync"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
)

// governor holds the shared buckets and the per-user state of one Env.
type governor struct {
	mu          sync.Mutex
	shared      throttle.UserTable // nil: sessions per user counted here
	globalRead  *throttle.Bucket
	globalWrite *throttle.Bucket
	sessRead    float64 // bytes/s for each session's own bucket; 0 unlimited
	sessWrite   float64
	live        map[*throttle.Bucket]bool // running transfers' session buckets -> upload?
	users       map[string]*userGov
	addrRead    float64 // bytes/s shared by one client address's transfers; 0 unlimited
	addrWrite   float64
	addrs       map[netip.Addr]*addrGov // by throttle.Source, while the address transfers
}

// addrGov is shared by the running transfers of one client address (proftpd's per-host
// rate, so a download accelerator's sixteen connections share one address's rate). It
// lives while the address has a transfer running: an idle address costs nothing.
type addrGov struct {
	read, write *throttle.Bucket
	transfers   int // guarded by governor.mu
}

// userGov is shared by every session of one user.
type userGov struct {
	name     string
	read     *throttle.Bucket
	write    *throttle.Bucket
	host     *hostLive // the user's virtual host (its shared buckets); nil on the default host
	sessions int       // guarded by governor.mu
}

func (g *governor) init(e *Env) {
	g.globalRead, g.globalWrite = e.GlobalRead, e.GlobalWrite
	if g.globalRead == nil {
		g.globalRead = throttle.NewBucket(e.GlobalReadLimit, 0)
	} else {
		g.globalRead.SetRate(e.GlobalReadLimit, 0)
	}
	if g.globalWrite == nil {
		g.globalWrite = throttle.NewBucket(e.GlobalWriteLimit, 0)
	} else {
		g.globalWrite.SetRate(e.GlobalWriteLimit, 0)
	}
	g.shared = e.Users
	g.sessRead, g.sessWrite = e.ReadLimit, e.WriteLimit
	g.live = make(map[*throttle.Bucket]bool)
	g.users = make(map[string]*userGov)
	g.addrRead, g.addrWrite = e.ReadLimitPerIP, e.WriteLimitPerIP
	g.addrs = make(map[netip.Addr]*addrGov)
}

// SetAddrRates changes the per-address limits (bytes/s, 0 unlimited). Running transfers
// see the new rates on their next chunk; a limit turned on applies to transfers that
// start afterwards (running ones have no address bucket). Safe from any goroutine.
func (e *Env) SetAddrRates(read, write float64) {
	g := &e.gov
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addrRead, g.addrWrite = read, write
	for _, a := range g.addrs {
		a.read.SetRate(read, 0)
		a.write.SetRate(write, 0)
	}
}

// SetRates changes the per-session and global limits (bytes/s, 0 unlimited). Running
// transfers see the new rates on their next chunk, at most ~100 ms of data later. Safe from
// any goroutine.
func (e *Env) SetRates(sessRead, sessWrite, globalRead, globalWrite float64) {
	g := &e.gov
	g.mu.Lock()
	defer g.mu.Unlock()
	g.globalRead.SetRate(globalRead, 0)
	g.globalWrite.SetRate(globalWrite, 0)
	g.sessRead, g.sessWrite = sessRead, sessWrite
	for b, upload := range g.live {
		if upload {
			b.SetRate(sessRead, 0)
		} else {
			b.SetRate(sessWrite, 0)
		}
	}
}

// SetUserRates changes the shared limits of a user with sessions online (bytes/s, 0
// unlimited). Safe from any goroutine.
func (e *Env) SetUserRates(name string, read, write float64) {
	g := &e.gov
	g.mu.Lock()
	defer g.mu.Unlock()
	if ug := g.users[name]; ug != nil {
		ug.read.SetRate(read, 0)
		ug.write.SetRate(write, 0)
	}
}

// join counts a login of u, refusing it past u.Limits.MaxSessions (or def when unset).
// key names the user among all hosts' (Session.govKey), host is the user's virtual host
// (nil: the default host; a key belongs to one host). With a shared user table the count
// and the user's buckets are the table's (every process sharing it agrees, by key); the
// local entry only tracks this Env's sessions.
func (g *governor) join(key string, u *auth.User, def int, host *hostLive) (*userGov, bool) {
	max := u.Limits.MaxSessions
	if max == 0 {
		max = def
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shared != nil && !g.shared.Join(key, max) {
		return nil, false
	}
	ug := g.users[key]
	if ug == nil {
		ug = &userGov{name: key, host: host}
		if g.shared != nil {
			ug.read, ug.write = g.shared.Buckets(key, u.Limits.ReadBytesPerSec, u.Limits.WriteBytesPerSec)
		} else {
			ug.read = throttle.NewBucket(u.Limits.ReadBytesPerSec, 0)
			ug.write = throttle.NewBucket(u.Limits.WriteBytesPerSec, 0)
		}
		g.users[key] = ug
	}
	if g.shared == nil && max > 0 && ug.sessions >= max {
		return nil, false
	}
	ug.sessions++
	return ug, true
}

func (g *governor) leave(ug *userGov) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ug.sessions--; ug.sessions <= 0 {
		delete(g.users, ug.name)
	}
	if g.shared != nil {
		g.shared.Leave(ug.name)
	}
}

// pacer builds the limiter of one transfer from the client address from: global, virtual
// host (when the user has one), the address's (when a per-address limit is set), user and
// the session's own bucket for that direction. The session bucket lives as long
// as the session (own points at where it keeps it), so back-to-back transfers do not each
// start with a full burst; it takes the current per-session rate at every start. It also
// returns the buckets (three, or four with a host), for the
// data-loop engine (which paces with dataloop.Buckets, never sleeping). The returned
// release must run when the transfer ends.
func (g *governor) pacer(upload bool, ug *userGov, from netip.Addr, own **throttle.Bucket) (sendfile.Pacer, []*throttle.Bucket, func()) {
	g.mu.Lock()
	rate, global, user := g.sessWrite, g.globalWrite, ug.write
	if upload {
		rate, global, user = g.sessRead, g.globalRead, ug.read
	}
	buckets := []*throttle.Bucket{global}
	if h := ug.host; h != nil {
		if upload {
			buckets = append(buckets, h.read)
		} else {
			buckets = append(buckets, h.write)
		}
	}
	var ag *addrGov
	src := throttle.Source(from)
	if g.addrRead > 0 || g.addrWrite > 0 {
		if ag = g.addrs[src]; ag == nil {
			ag = &addrGov{read: throttle.NewBucket(g.addrRead, 0), write: throttle.NewBucket(g.addrWrite, 0)}
			g.addrs[src] = ag
		}
		ag.transfers++
		if upload {
			buckets = append(buckets, ag.read)
		} else {
			buckets = append(buckets, ag.write)
		}
	}
	if *own == nil {
		*own = throttle.NewBucket(rate, 0)
	} else {
		(*own).SetRate(rate, 0)
	}
	b := *own
	g.live[b] = upload
	g.mu.Unlock()
	buckets = append(buckets, user, b)
	return throttle.NewLimiter(buckets...), buckets, func() {
		g.mu.Lock()
		delete(g.live, b)
		if ag != nil {
			if ag.transfers--; ag.transfers == 0 {
				delete(g.addrs, src)
			}
		}
		g.mu.Unlock()
	}
}
