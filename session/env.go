// Env: what all sessions of one server share (configuration, pools, registry, clock).

package session

import (
	"cmp"
	"crypto/tls"
	"github.com/fastftp/fastftp/proto"
	"log/slog"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/internal/filecache"
	"github.com/fastftp/fastftp/internal/hashcache"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
	xfer "github.com/fastftp/fastftp/transfer"
)

// Env holds the configuration and shared machinery of one server. Fill the exported fields,
// then call Start; fields must not change afterwards. Two Envs can live in one process.
type Env struct {
	Auth        auth.Authorizer
	Banner      string
	IdleTimeout time.Duration // <= 0: never
	DataTimeout time.Duration // <= 0: never
	Data        datapath.Config
	Ports       *datapath.Ports
	Masquerade  netip.Addr // replaces the IPv4 address in 227 replies when valid
	// MasqueradeMap replaces it per local address (multi-homed hosts); it wins over
	// Masquerade for the addresses it lists.
	MasqueradeMap    map[netip.Addr]netip.Addr
	Loc              *time.Location
	DisableSendfile  bool
	Chunk            int // bytes per sendfile/splice call; 0: sendfile.DefaultChunk
	MaxLoginAttempts int
	FailedLoginDelay time.Duration // 0: random 1-3 s; < 0: none
	Workers          int
	Log              *slog.Logger

	// DataLoops > 0 moves the bytes of file transfers (RETR, STOR, APPE, STOU) on that many
	// event loops of the data-loop engine (package dataloop, Linux only) instead of a
	// goroutine per transfer blocking in sendfile/splice. TLS data connections, TYPE A,
	// DisableSendfile and non-OS files keep the goroutine path. 0: off.
	DataLoops int
	// DataLoopLowat is the TCP_NOTSENT_LOWAT the engine sets on the downloads it carries;
	// 0: none.
	DataLoopLowat int
	// DataWriters > 0 gives the engine that many goroutines that copy uploads into their
	// files beside the loops; 0: the loops write them.
	DataWriters int

	// Bandwidth limits in bytes/s; 0 means unlimited. Read is uploads, Write downloads
	// (pyftpdlib's read_limit/write_limit). See SetRates to change them while serving.
	ReadLimit, WriteLimit             float64 // per session
	GlobalReadLimit, GlobalWriteLimit float64 // shared by all sessions
	ReadLimitPerIP, WriteLimitPerIP   float64 // shared by the transfers of one client address
	// MaxSessionsPerUser applies when a user has no auth.Limits.MaxSessions; 0 unlimited.
	MaxSessionsPerUser int
	// LoginTimeout closes a connection that has not logged in after this long; <= 0: never.
	LoginTimeout time.Duration
	// Bans refuses addresses after repeated failed logins; nil disables banning.
	Bans throttle.BanList
	// Users, if set, counts logged-in sessions per user and holds per-user buckets in
	// state shared with other servers (processes); nil counts in this Env.
	Users throttle.UserTable
	// GlobalRead and GlobalWrite, if set, are the buckets behind GlobalReadLimit and
	// GlobalWriteLimit (shared with other servers); nil makes private ones.
	GlobalRead, GlobalWrite *throttle.Bucket

	// Observer, if set, receives command latencies, reply codes and throttle waits.
	Observer Observer

	// Events, if set, receives every Event. It is called from event loops and transfer
	// goroutines and must not block: the server hands events to its hook pool.
	Events func(Event)
	// Site holds custom SITE commands by upper-case name.
	Site map[string]*SiteCommand
	// Debug logs every command (PASS masked) at debug level.
	Debug bool

	// DisableHash turns off HASH, RANG, XCRC, XMD5, XSHA1, XSHA256 and XSHA512 (502) and
	// drops HASH from FEAT.
	DisableHash bool
	// HashWorkers bounds the digests computed at once, server-wide; more wait in a queue
	// of 256, past which the client gets 450. 0 means one per 4 CPUs (at least 1).
	HashWorkers int
	// HashCacheEntries bounds the digest cache (LRU); 0 means 4096, < 0 no cache.
	HashCacheEntries int
	// OpenFileCache bounds the descriptors of small files (at most 1 MiB) that RETR keeps
	// open for the next RETR of the same path, each for 2 s after its last use
	// (filecache.go); 0 means 256, < 0 no cache.
	OpenFileCache int
	// Listing sorts LIST/NLST, names owners and caches listings (session/listing.go).
	Listing ListingOptions

	// DirMessage names the file whose text the 250 reply to CWD shows (vsftpd's
	// dirmessage_enable / message_file, e.g. ".message"); "" turns it off. Welcome is shown
	// in the 230 reply after login (vsftpd's banner_file, proftpd's DisplayLogin); ""
	// none. Both are bounded and sanitized (notices.go); SetNotices changes them.
	DirMessage, Welcome string
	// MaxTransfersPerIP bounds the file transfers (RETR STOR APPE STOU) running at once
	// from one client address (throttle.Source: an IPv4 address or an IPv6 /64), apart from
	// the connection limit, as proftpd's MaxTransfersPerHost; 0 unlimited. See
	// SetMaxTransfersPerIP.
	MaxTransfersPerIP int
	// ModeZ accepts MODE Z (draft-preston-ftpext-deflate: zlib-compressed data streams) and
	// lists it in FEAT; off, MODE Z gets 504. ModeZMax bounds the compressed transfers
	// running at once, server-wide (0: one per CPU); more get 425. ModeZMaxLevel bounds
	// OPTS MODE Z LEVEL (0 means 6: levels 7-9 cost several times the CPU for a few per cent). See modez.go.
	ModeZ                   bool
	ModeZMax, ModeZMaxLevel int

	// TLS enables AUTH TLS and PROT P when non-nil (see cmd_tls.go).
	TLS *tls.Config
	// TLSControlRequired refuses USER/PASS before AUTH TLS; TLSDataRequired refuses
	// transfers under PROT C.
	TLSControlRequired, TLSDataRequired bool
	// TLSNoReuse accepts PROT P data connections that do not resume the control
	// connection's TLS session (for clients such as Python's ftplib that cannot).
	TLSNoReuse bool
	// TLSHandshakeTimeout bounds every TLS handshake, control and data. 0 means 10 s.
	TLSHandshakeTimeout time.Duration

	// Hosts are the virtual hosts HOST and SNI select (vhost.go); the fields above are
	// the default host. Check them with CheckHosts first: Start drops an invalid list
	// (logged). SetHosts replaces them while serving.
	Hosts []Host

	pool *Pool
	eng  *xfer.Engine // nil: the goroutine path for every transfer
	gov  governor

	notices  atomic.Pointer[notices] // DirMessage and Welcome, swappable while serving
	xfersIP  *throttle.Counter       // file transfers per client address (xferlimit.go)
	zActive  atomic.Int64            // MODE Z transfers running (modez.go)
	xfersMax atomic.Int64            // its limit, for replies; 0 unlimited

	hashPool  *Pool
	hashCache *hashcache.Cache
	fileCache *filecache.Cache           // nil: off
	hashRead  atomic.Int64               // bytes read to compute digests
	auth      atomic.Pointer[authHolder] // Auth, swappable while serving (SetAuth)
	epoch     time.Time                  // origin of the 32-bit times kept per session
	clock     atomic.Int64               // coarse unix nanoseconds, advanced by the reaper
	reg       [regShards]shard
	xfers     xferCount   // running transfers, for graceful shutdown
	draining  atomic.Bool // Drain was called: no new transfers (see Drain)
	owner     tlsOwners   // who logged in on each TLS control connection (see tlsowners.go)
	hosts     atomic.Pointer[hostTable]
	hostIDs   hostIDs
	stop      chan struct{}
	once      sync.Once
}

const regShards = 16

type shard struct {
	mu sync.Mutex
	m  map[*Session]struct{}
}

// Start launches the worker pool and the reaper that enforces idle timeouts.
func (e *Env) Start() {
	if e.Loc == nil {
		e.Loc = time.UTC
	}
	if e.Log == nil {
		e.Log = slog.Default()
	}
	if e.MaxLoginAttempts <= 0 {
		e.MaxLoginAttempts = 3
	}
	if e.Workers <= 0 {
		e.Workers = 64
	}
	if e.Ports == nil {
		e.Ports = datapath.NewPorts(0, 0)
	}
	if e.TLSHandshakeTimeout <= 0 {
		e.TLSHandshakeTimeout = 10 * time.Second
	}
	if e.Chunk <= 0 {
		e.Chunk = sendfile.DefaultChunk
	}
	for i := range e.reg {
		e.reg[i].m = make(map[*Session]struct{})
	}
	e.gov.init(e)
	if e.DataLoops > 0 && !e.DisableSendfile {
		eng, err := xfer.NewEngine(xfer.EngineConfig{Loops: e.DataLoops, Writers: e.DataWriters, NotSentLowat: e.DataLoopLowat})
		if err != nil {
			e.Log.Error("data-loop engine not started; transfers use a goroutine each", "err", err)
		}
		e.eng = eng
	}
	e.pool = NewPool(e.Workers, e.Workers*64)
	e.pool.Log = e.Log
	if e.HashWorkers <= 0 {
		e.HashWorkers = max(1, runtime.NumCPU()/4)
	}
	e.hashPool = NewPool(e.HashWorkers, hashQueue)
	e.hashPool.Log = e.Log
	switch {
	case e.HashCacheEntries == 0:
		e.hashCache = hashcache.New(defaultHashCache)
	case e.HashCacheEntries > 0:
		e.hashCache = hashcache.New(e.HashCacheEntries)
	}
	if e.OpenFileCache >= 0 {
		e.fileCache = filecache.New(filecache.Config{Entries: cmp.Or(e.OpenFileCache, defaultOpenFileCache)})
	}
	e.auth.Store(&authHolder{e.Auth})
	if err := e.SetNotices(e.DirMessage, e.Welcome); err != nil {
		e.Log.Error("directory messages off", "name", e.DirMessage, "err", err)
		e.notices.Store(&notices{welcome: appendNoticeLines(nil, []byte(e.Welcome))})
	}
	e.initModeZ()
	e.xfersIP = throttle.NewCounter(0, 0)
	e.SetMaxTransfersPerIP(e.MaxTransfersPerIP)
	if err := e.SetHosts(e.Hosts); err != nil {
		e.Log.Error("virtual hosts not started", "err", err)
		_ = e.SetHosts(nil)
	}
	e.epoch = time.Now()
	e.stop = make(chan struct{})
	e.clock.Store(time.Now().UnixNano())
	go e.reap()
}

// Stop ends the reaper, the worker pool and the data-loop engine. Sessions must be closed
// first, and transfers should have ended (WaitTransfers): the engine fails those still
// running.
func (e *Env) Stop() {
	e.once.Do(func() {
		close(e.stop)
		e.pool.Close()
		e.hashPool.Close()
		e.eng.Close()
		if e.fileCache != nil {
			e.fileCache.Close() // descriptors still lent are closed as they come back
		}
	})
}

// DataLoopBytes returns the bytes the data-loop engine has moved since Start (file
// transfers only); 0 when DataLoops is 0 or the engine is not available. Safe from any
// goroutine.
func (e *Env) DataLoopBytes() int64 { return e.eng.Bytes() }

// WaitTransfers blocks until no transfer runs or done is closed; it reports whether all
// ended. Transfers may start while it waits (sessions stay usable during the grace period).
func (e *Env) WaitTransfers(done <-chan struct{}) bool {
	ch := e.xfers.idle()
	select {
	case <-ch:
		return true
	case <-done:
		return false
	}
}

// Drain begins a graceful stop: a session's next command, unless a transfer of its own is
// running (ABOR, STAT, QUIT act on it as usual) or it is QUIT, is answered 421 and the
// session closes. Running transfers finish; sessions that say nothing stay until
// Session.Shutdown. Without it a client looping downloads on one session starts transfer
// after transfer, holds a draining server until the grace ends, and has a transfer cut;
// with it the client reconnects between two transfers (to the successor, after an
// upgrade). The 421 answers a command, so the client reads it before the connection
// closes, rather than a reset on its next command. Safe from any goroutine.
func (e *Env) Drain() { e.draining.Store(true) }

// LastTransferEnd returns when the latest transfer ended (zero before the first). Safe
// from any goroutine.
func (e *Env) LastTransferEnd() time.Time {
	e.xfers.mu.Lock()
	defer e.xfers.mu.Unlock()
	return e.xfers.ended
}

// xferCount counts running transfers. Unlike a WaitGroup it allows an increment from zero
// while someone waits (a session starting a transfer during the shutdown grace period).
type xferCount struct {
	mu      sync.Mutex
	n       int
	waiters []chan struct{}
	ended   time.Time // when the latest transfer ended
}

func (c *xferCount) add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *xferCount) done() {
	c.mu.Lock()
	c.ended = time.Now()
	if c.n--; c.n == 0 {
		for _, w := range c.waiters {
			close(w)
		}
		c.waiters = nil
	}
	c.mu.Unlock()
}

// idle returns a channel closed when no transfer runs.
func (c *xferCount) idle() <-chan struct{} {
	ch := make(chan struct{})
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		close(ch)
	} else {
		c.waiters = append(c.waiters, ch)
	}
	return ch
}

// sortedSite lists the custom SITE commands by name (for SITE HELP).
func (e *Env) sortedSite() []*SiteCommand {
	out := make([]*SiteCommand, 0, len(e.Site))
	for _, c := range e.Site {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *SiteCommand) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Observer receives figures for metrics. Its methods are called from event loops and
// transfer goroutines: they must be fast and must not block.
type Observer interface {
	Command(v proto.Verb, d time.Duration)
	Reply(code int)
	ThrottleWait(upload bool, d time.Duration)
}

type authHolder struct{ a auth.Authorizer }

// SetAuth replaces the Authorizer while serving (a reload); logins from now on use it,
// logged-in sessions keep their User. Safe from any goroutine.
func (e *Env) SetAuth(a auth.Authorizer) { e.auth.Store(&authHolder{a}) }

func (e *Env) authorizer() auth.Authorizer { return e.auth.Load().a }

// QueueDepth returns the number of blocking jobs waiting for a worker.
func (e *Env) QueueDepth() int { return e.pool.Queued() }

// seconds is whole seconds since the Env started (a session's birth time fits in 32 bits).
func (e *Env) seconds() uint32 { return uint32(time.Since(e.epoch) / time.Second) }

// micros is microseconds since the Env started, modulo 2^32 (command timing; durations
// under 71 minutes come out right across the wrap).
func (e *Env) micros() uint32 { return uint32(time.Since(e.epoch) / time.Microsecond) }

// Sessions returns the number of live sessions.
func (e *Env) Sessions() int {
	n := 0
	for i := range e.reg {
		sh := &e.reg[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// EachSession calls fn for every live session (from the caller's goroutine: fn may only use
// the concurrency-safe methods of Session, such as Shutdown).
func (e *Env) EachSession(fn func(*Session)) {
	var batch []*Session
	for i := range e.reg {
		sh := &e.reg[i]
		sh.mu.Lock()
		for s := range sh.m {
			batch = append(batch, s)
		}
		sh.mu.Unlock()
	}
	for _, s := range batch {
		fn(s)
	}
}

func (e *Env) shardOf(s *Session) *shard {
	return &e.reg[s.conn.shard]
}

func (e *Env) track(s *Session) {
	sh := e.shardOf(s)
	sh.mu.Lock()
	sh.m[s] = struct{}{}
	sh.mu.Unlock()
}

func (e *Env) untrack(s *Session) {
	sh := e.shardOf(s)
	sh.mu.Lock()
	delete(sh.m, s)
	sh.mu.Unlock()
}

func (e *Env) now() int64 { return e.clock.Load() }

// clockTick is how often the reaper advances the coarse clock: a time read from it is up
// to this much behind.
const clockTick = 250 * time.Millisecond

// reap advances the coarse clock and asks idle sessions to close. Scanning 10,000 sessions
// costs well under a millisecond, so once a second is cheap and precise enough.
func (e *Env) reap() {
	tick := time.NewTicker(clockTick)
	defer tick.Stop()
	var n int
	for {
		select {
		case <-e.stop:
			return
		case t := <-tick.C:
			e.clock.Store(t.UnixNano())
			if n++; n%4 != 0 || (e.IdleTimeout <= 0 && e.LoginTimeout <= 0) {
				continue
			}
			now := t.UnixNano()
			login := e.seconds() - uint32(e.LoginTimeout/time.Second)
			for i := range e.reg {
				sh := &e.reg[i]
				sh.mu.Lock()
				for s := range sh.m {
					// A session past its login timeout is closed, and logged, as a login
					// timeout even when it has been idle as long: check that first.
					switch {
					case e.LoginTimeout > 0 && !s.conn.watching(watchLoggedIn) && int32(s.conn.born-login) < 0:
						s.t.Post(s.loginTimeout) // s.t is stable: Resume swaps it under sh.mu
					case e.IdleTimeout > 0 && s.conn.last.Load() < now-int64(s.idleLimit()) && !s.conn.watching(watchTransferring):
						s.t.Post(s.idleTimeout)
					}
				}
				sh.mu.Unlock()
			}
		}
	}
}
