// Server: accepts control connections, admits them against the limits and hands them to the
// reactor; owns the shared session environment.

package fastftp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/datapath"
	"github.com/fastftp/fastftp/internal/listcache"
	"github.com/fastftp/fastftp/internal/proxyhdr"
	"github.com/fastftp/fastftp/reactor"
	"github.com/fastftp/fastftp/session"
	"github.com/fastftp/fastftp/throttle"
	"github.com/fastftp/fastftp/vfs"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("fastftp: server closed")

// Server is an FTP server. Its methods are safe from any goroutine.
type Server struct {
	cfg   Config
	log   *slog.Logger
	env   *session.Env
	r     *reactor.Reactor
	conns throttle.ConnCounter

	hookPool *session.Pool

	// proxy names the balancers trusted to send PROXY headers; hdrSlots bounds the
	// goroutines reading them (see proxied).
	proxy    *proxyhdr.Trust
	hdrSlots chan struct{}

	mu       sync.Mutex
	lns      map[net.Listener]struct{}
	shutdown atomic.Bool
}

// New builds a server from cfg and starts its event loops; call Serve to accept clients.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Root == "" {
		cfg.Root = "."
	}
	if cfg.Banner == "" {
		cfg.Banner = "fastftp ready."
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 300 * time.Second
	}
	if cfg.DataTimeout == 0 {
		cfg.DataTimeout = 300 * time.Second
	}
	if cfg.LoginTimeout == 0 {
		cfg.LoginTimeout = 60 * time.Second
	}
	if cfg.DataNotSentLowat > MaxDataNotSentLowat {
		return nil, fmt.Errorf("fastftp: DataNotSentLowat %d is above %d", cfg.DataNotSentLowat, MaxDataNotSentLowat)
	}
	if cfg.DataLoops > MaxDataLoops {
		return nil, fmt.Errorf("fastftp: DataLoops %d is above %d", cfg.DataLoops, MaxDataLoops)
	}
	if cfg.DataWriters < 0 || cfg.DataWriters > MaxDataWriters {
		return nil, fmt.Errorf("fastftp: DataWriters %d is not between 0 and %d", cfg.DataWriters, MaxDataWriters)
	}
	if cfg.PassivePortMin > cfg.PassivePortMax {
		return nil, fmt.Errorf("fastftp: passive port range %d-%d is empty", cfg.PassivePortMin, cfg.PassivePortMax)
	}
	if cfg.Auth == nil {
		st := auth.NewStatic()
		perm, _ := auth.ParsePerm(auth.ReadOnly)
		if err := st.AddAnonymous(cfg.Root, perm); err != nil {
			return nil, fmt.Errorf("fastftp: anonymous root: %w", err)
		}
		cfg.Auth = st
	}
	loc := time.UTC
	if cfg.UseLocalTime {
		loc = time.Local
	}
	dataTimeout := cfg.DataTimeout
	if dataTimeout < 0 {
		dataTimeout = 0
	}
	env := &session.Env{
		Auth:        cfg.Auth,
		Banner:      cfg.Banner,
		IdleTimeout: cfg.IdleTimeout,
		DataTimeout: dataTimeout,
		Data: datapath.Config{
			PermitForeign:    cfg.PermitForeignAddresses,
			PermitPrivileged: cfg.PermitPrivilegedPorts,
			Timeout:          dataTimeout,
			NotSentLowat:     cfg.notSentLowat(),
			Refused: func(port uint16, from netip.AddrPort) {
				cfg.Logger.Warn("data connection refused: not from the control connection's address", "port", port, "from", from)
			},
			Proxy:        proxyhdr.NewTrust(cfg.ProxyProtocolFrom),
			ProxyTimeout: cfg.ProxyHeaderTimeout,
			BadHeader: func(port uint16, from netip.AddrPort, err error) {
				cfg.Logger.Warn("data connection refused: no valid PROXY protocol header from a trusted balancer", "port", port, "from", from, "err", err)
			},
		},
		Ports:              datapath.NewPorts(cfg.PassivePortMin, cfg.PassivePortMax),
		Masquerade:         cfg.MasqueradeAddress,
		MasqueradeMap:      cfg.MasqueradeMap,
		Loc:                loc,
		DisableSendfile:    cfg.DisableSendfile,
		DisableHash:        cfg.DisableHash,
		ModeZ:              cfg.ModeZ,
		ModeZMax:           cfg.ModeZMax,
		ModeZMaxLevel:      cfg.ModeZMaxLevel,
		HashWorkers:        cfg.HashWorkers,
		HashCacheEntries:   cfg.HashCacheEntries,
		OpenFileCache:      cfg.OpenFileCache,
		Listing:            cfg.listingOptions(),
		DataLoops:          cfg.DataLoopCount(),
		DataLoopLowat:      cfg.loopNotSentLowat(),
		DataWriters:        cfg.DataWriters,
		MaxLoginAttempts:   cfg.MaxLoginAttempts,
		FailedLoginDelay:   cfg.FailedLoginDelay,
		Workers:            cfg.Workers,
		Log:                cfg.Logger,
		ReadLimit:          cfg.ReadLimit,
		WriteLimit:         cfg.WriteLimit,
		GlobalReadLimit:    cfg.GlobalReadLimit,
		GlobalWriteLimit:   cfg.GlobalWriteLimit,
		ReadLimitPerIP:     cfg.ReadLimitPerIP,
		WriteLimitPerIP:    cfg.WriteLimitPerIP,
		LoginTimeout:       cfg.LoginTimeout,
		MaxSessionsPerUser: cfg.MaxSessionsPerUser,
	}
	if len(cfg.SiteCommands) > 0 {
		env.Site = make(map[string]*session.SiteCommand)
		for i := range cfg.SiteCommands {
			c := &cfg.SiteCommands[i]
			name := strings.ToUpper(c.Name)
			if name == "" || name == "HELP" || name == "CHMOD" || strings.ContainsAny(name, " \r\n") || c.Run == nil {
				return nil, fmt.Errorf("fastftp: SITE command %q: needs a name other than HELP/CHMOD, without spaces, and a Run function", c.Name)
			}
			c.Name = name
			env.Site[name] = c
		}
	}
	if err := applyMirror(&cfg, env); err != nil {
		return nil, err
	}
	env.Debug = cfg.Debug
	if cfg.BanAfter > 0 {
		env.Bans = cfg.Shared.Bans
		if env.Bans == nil {
			env.Bans = throttle.NewBans(cfg.BanAfter, cfg.BanWindow, cfg.BanTime)
		}
	}
	if err := session.CheckHosts(cfg.Hosts); err != nil {
		return nil, fmt.Errorf("fastftp: Config.Hosts: %w", err)
	}
	env.Hosts = cfg.Hosts
	env.Users, env.GlobalRead, env.GlobalWrite = cfg.Shared.Users, cfg.Shared.GlobalRead, cfg.Shared.GlobalWrite
	if cfg.TLS != nil {
		base, err := tlsBase(cfg.TLS)
		if err != nil {
			return nil, err
		}
		env.TLS = base
		env.TLSControlRequired = cfg.TLSControlRequired
		env.TLSDataRequired = cfg.TLSDataRequired
		env.TLSNoReuse = cfg.TLSNoSessionReuse
		env.TLSHandshakeTimeout = cfg.TLSHandshakeTimeout
	}
	conns := cfg.Shared.Conns
	if conns == nil {
		conns = throttle.NewCounter(cfg.MaxConns, cfg.MaxConnsPerIP)
	} else {
		conns.SetLimits(cfg.MaxConns, cfg.MaxConnsPerIP)
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		env:   env,
		conns: conns,
		lns:   make(map[net.Listener]struct{}),
		proxy: env.Data.Proxy,
	}
	if !s.proxy.Empty() {
		s.hdrSlots = make(chan struct{}, maxHeaderReads)
	}
	if cfg.Hooks.any() {
		w, q := cfg.Hooks.Workers, cfg.Hooks.Queue
		if w <= 0 {
			w = 4
		}
		if q <= 0 {
			q = 10000
		}
		s.hookPool = session.NewPool(w, q)
		s.hookPool.Log = cfg.Logger
	}
	if m := cfg.Metrics; m != nil {
		env.Observer = m
		m.QueueDepth(env.QueueDepth)
	}
	if cfg.Hooks.any() || cfg.Metrics != nil || cfg.TransferLog != nil {
		env.Events = s.dispatch
	}
	env.Start()
	if cfg.Metrics != nil {
		registerFileCacheMetrics(cfg.Metrics, env)
	}
	r, err := reactor.Start(reactor.Config{Loops: cfg.Loops, Log: cfg.Logger, Closed: s.released,
		TLS: env.TLS, TLSHandshakeTimeout: env.TLSHandshakeTimeout})
	if err != nil {
		env.Stop()
		return nil, err
	}
	s.r = r
	return s, nil
}

// ListenAndServe listens on addr ("host:port"; ":2121" is every IPv4 and IPv6 address) and serves.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Listen opens a TCP listener and turns the errors operators actually hit into one clear
// sentence (a privileged port, a port in use).
//
// TCP keepalive is off on accepted connections: Go's default probes every idle session
// every 15 s, which tens of thousands of idle sessions pay for in wake-ups, while the idle
// timeout already closes dead clients.
func Listen(addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err == nil {
		return ln, nil
	}
	_, port, _ := net.SplitHostPort(addr)
	switch {
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("port %s needs root or CAP_NET_BIND_SERVICE; use -p 2121", port)
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %s is already in use by another program; choose another with -p", port)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("address %s is not an address of this machine", addr)
	}
	return nil, fmt.Errorf("listen on %s: %w", addr, err)
}

// Serve accepts plaintext control connections (AUTH TLS upgrades them when Config.TLS is
// set) on ln until Shutdown. Accept errors from running out of file
// descriptors are waited out (the process never dies of EMFILE); sessions keep running.
func (s *Server) Serve(ln net.Listener) error {
	admit := s.admit // one method value for the listener's life, not one per connection
	return s.serve(ln, func(c net.Conn) { s.proxied(c, admit) })
}

// ServeTLS accepts implicit FTPS connections (TLS from the first byte, traditionally port
// 990) on ln until Shutdown. Config.TLS must be set.
func (s *Server) ServeTLS(ln net.Listener) error {
	if s.env.TLS == nil {
		ln.Close()
		return errors.New("fastftp: ServeTLS needs Config.TLS")
	}
	then := func(c net.Conn, remote netip.AddrPort) {
		if sess := s.admission(c, remote); sess != nil {
			s.r.ServeTLS(c, sess)
		}
	}
	return s.serve(ln, func(c net.Conn) { s.proxied(c, then) })
}

func (s *Server) serve(ln net.Listener, admit func(net.Conn)) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.lns, ln)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				if delay == 0 {
					delay = 5 * time.Millisecond
					s.log.Warn("accept failed; retrying", "err", err)
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("fastftp: accept on %s: %w", ln.Addr(), err)
		}
		delay = 0
		admit(c)
	}
}

func isTemporary(err error) bool {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

var tooMany = []byte("421 Too many connections; try again later.\r\n")
var tooManyIP = []byte("421 Too many connections from your address.\r\n")

var banned = []byte("421 Too many failed logins from your address; try again later.\r\n")

// refuse answers a connection that is not admitted and closes it. The write cannot block
// for long: a fresh socket's send buffer takes one line.
func (s *Server) refuse(c net.Conn, msg []byte) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(msg)
	c.Close()
}

// maxHeaderReads bounds the PROXY headers read at once. A balancer sends its header with
// the connection, so a read takes microseconds; the bound only matters when a trusted
// source stalls, and then the excess is refused rather than queued behind the stall.
const maxHeaderReads = 1024

// proxied calls then with the connection's client address: the socket's peer, or for a
// connection from a trusted balancer the client named in its PROXY header. The header is
// read on a goroutine (at most maxHeaderReads at once), so a slow balancer never holds up
// the accept loop; admission runs after it because limits and bans apply to the client,
// not to the balancer. A trusted source's connection without a valid header is closed.
func (s *Server) proxied(c net.Conn, then func(net.Conn, netip.AddrPort)) {
	remote := addrPort(c.RemoteAddr())
	if !s.proxy.Trusted(remote.Addr()) {
		then(c, remote)
		return
	}
	s.readHeader(c, remote, then)
}

// readHeader reads a trusted balancer's PROXY header on a goroutine of its own (bounded by
// hdrSlots) and then admits the client it names. Apart from proxied so that the common path
// captures nothing in a closure: that cost two allocations on every connection.
func (s *Server) readHeader(c net.Conn, remote netip.AddrPort, then func(net.Conn, netip.AddrPort)) {
	select {
	case s.hdrSlots <- struct{}{}:
	default:
		s.log.Warn("connection refused: too many PROXY protocol headers being read", "from", remote, "max", maxHeaderReads)
		c.Close()
		return
	}
	go func() {
		src, ok, err := proxyhdr.Read(c, s.cfg.ProxyHeaderTimeout)
		<-s.hdrSlots
		if err != nil {
			s.log.Warn("connection refused: no valid PROXY protocol header from a trusted balancer", "from", remote, "err", err)
			c.Close()
			return
		}
		if ok {
			s.log.Debug("proxied connection", "remote", src, "via", remote)
			remote = src
		}
		then(c, remote)
	}()
}

func (s *Server) admit(c net.Conn, remote netip.AddrPort) {
	sess := s.admission(c, remote)
	if sess == nil {
		return
	}
	if err := s.r.Adopt(c, sess); err != nil {
		s.released(sess)
		s.log.Warn("cannot adopt connection", "remote", sess.Remote(), "err", err)
	}
}

// admission applies bans and connection limits to a new connection from the client at
// remote. It returns the new session, or nil after refusing (and closing) the connection.
func (s *Server) admission(c net.Conn, remote netip.AddrPort) *session.Session {
	if b := s.env.Bans; b != nil {
		if until, ok := b.Banned(remote.Addr(), time.Now()); ok {
			s.log.Warn("connection refused: address banned", "remote", remote, "until", until.Format(time.RFC3339))
			s.refuse(c, banned)
			return nil
		}
	}
	if err := s.conns.Acquire(remote.Addr()); err != nil {
		msg := tooMany
		if errors.Is(err, throttle.ErrTooManyFromIP) {
			msg = tooManyIP
		}
		s.log.Warn("connection refused", "remote", remote, "reason", err)
		s.refuse(c, msg)
		return nil
	}
	return session.New(s.env, addrPort(c.LocalAddr()), remote)
}

// released returns a closed session's admission slot.
func (s *Server) released(h reactor.Handler) { s.conns.Release(h.Remote().Addr()) }

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// SetRates changes the per-session and global bandwidth limits (bytes/s; 0 unlimited) of
// a running server. Running transfers follow within ~100 ms of data.
func (s *Server) SetRates(read, write, globalRead, globalWrite float64) {
	s.env.SetRates(read, write, globalRead, globalWrite)
}

// SetAddrRates changes the per-address limits (Config.ReadLimitPerIP, WriteLimitPerIP);
// running transfers see them on their next chunk. Safe from any goroutine.
func (s *Server) SetAddrRates(read, write float64) { s.env.SetAddrRates(read, write) }

// SetUserRates changes the shared bandwidth limits of a user's live sessions. For sessions
// that log in later, set the limits in the Authorizer (auth.Static.SetLimits).
func (s *Server) SetUserRates(name string, read, write float64) {
	s.env.SetUserRates(name, read, write)
}

// SetConnLimits changes MaxConns and MaxConnsPerIP of a running server.
func (s *Server) SetConnLimits(maxConns, maxPerIP int) { s.conns.SetLimits(maxConns, maxPerIP) }

// SetAuthorizer replaces the Authorizer of a running server (a reload of users): new logins
// use it; sessions already logged in keep their user. Safe from any goroutine.
func (s *Server) SetAuthorizer(a auth.Authorizer) { s.env.SetAuth(a) }

// SetHosts replaces the virtual hosts of a running server (a reload): HOST and SNI select
// among them from now on; a session that chose a host still in the list (by its first
// name) logs in with the new users, one whose host is gone cannot log in; logged-in
// sessions keep their user. On error nothing changes. Safe from any goroutine.
func (s *Server) SetHosts(hosts []VirtualHost) error { return s.env.SetHosts(hosts) }

// DataLoopBytes returns the bytes file transfers have moved through the data-loop engine
// since New: 0 when Config.DataLoops is negative (or off for another reason: DisableSendfile, not
// Linux). Safe from any goroutine.
func (s *Server) DataLoopBytes() int64 { return s.env.DataLoopBytes() }

// Sessions returns the number of connected sessions.
func (s *Server) Sessions() int { return s.env.Sessions() }

// shutdownSettle is how long after the last transfer ended Shutdown leaves sessions alone,
// before it says 421 to those that stayed silent.
const shutdownSettle = time.Second

// Shutdown stops accepting, lets running transfers finish until ctx is done, then says 421
// to every session and stops. Meanwhile sessions start no new transfer: a command from a
// session without a running transfer is answered 421 and closes it (session.Env.Drain).
// It returns ctx's error if transfers were cut short.
func (s *Server) Shutdown(ctx context.Context) error {
	s.env.Drain()
	s.mu.Lock()
	first := !s.shutdown.Swap(true)
	for ln := range s.lns {
		ln.Close()
	}
	s.mu.Unlock()
	if !first {
		return nil
	}
	clean := s.env.WaitTransfers(ctx.Done())
	// The last transfer's 226 may reach its client before the client has read the end of
	// the data connection: a 421 and a close on its heels made lftp count that transfer
	// as failed. Clients that go on send their next command within this moment and get
	// Drain's 421 in answer to it; those that stay silent get theirs below.
	settle := s.env.LastTransferEnd().Add(shutdownSettle)
	for clean && s.env.Sessions() > 0 && time.Now().Before(settle) && ctx.Err() == nil {
		time.Sleep(10*time.Millisecond + rand.N(5*time.Millisecond))
	}
	s.env.EachSession(func(x *session.Session) { x.Shutdown() })
	deadline := time.Now().Add(2 * time.Second)
	for s.env.Sessions() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10*time.Millisecond + rand.N(5*time.Millisecond))
	}
	err := s.r.Stop()
	// Transfers cut short above are being cancelled: give them a moment to remove their
	// temporary upload files and log, so nothing is left half-written behind the process.
	cleanup, stop := context.WithTimeout(context.Background(), 2*time.Second)
	s.env.WaitTransfers(cleanup.Done())
	stop()
	s.env.Stop()
	if s.hookPool != nil {
		done := make(chan struct{})
		go func() { s.hookPool.Close(); close(done) }() // queued hooks still run
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	if !clean {
		return ctx.Err()
	}
	return err
}

// listingOptions turns the Config's listing keys into the sessions' options.
func (cfg *Config) listingOptions() session.ListingOptions {
	o := session.ListingOptions{SortMax: cfg.ListSortMax}
	if !cfg.ListNumericOwners {
		o.Names = vfs.NewNames(0, 0)
	}
	bytes := cfg.ListCacheBytes
	if bytes == 0 {
		bytes = listcache.DefaultMaxBytes
	}
	o.Cache = listcache.New(bytes, cfg.ListCacheMaxAge)
	return o
}

// ListCacheStats is a snapshot of the listing cache (Config.ListCacheBytes): entries and
// bytes held against the bound, and listings served from it (hits), encoded because it had
// none (misses) and stored.
type ListCacheStats struct {
	Entries              int
	Bytes, MaxBytes      int64
	Hits, Misses, Stores uint64
}

// ListCacheStats returns the listing cache's counters (all zero when it is off). Safe
// from any goroutine.
func (s *Server) ListCacheStats() ListCacheStats {
	st := s.env.Listing.Cache.Stats()
	return ListCacheStats{Entries: st.Entries, Bytes: st.Bytes, MaxBytes: st.MaxBytes,
		Hits: st.Hits, Misses: st.Misses, Stores: st.Stores}
}

// OpenFileCacheStats is a snapshot of the open-file cache (Config.OpenFileCache): RETRs
// served by a kept descriptor (hits), lookups that found none of the path's current
// version (misses; Stale of them found one of an older version and closed it), descriptors
// closed to make room (Evicted) or after their 2 s (Expired), and those held now (Idle).
type OpenFileCacheStats struct {
	Hits, Misses, Stale, Evicted, Expired uint64
	Idle                                  int
}

// OpenFileCacheStats returns the open-file cache's counters (all zero when it is off).
// Safe from any goroutine.
func (s *Server) OpenFileCacheStats() OpenFileCacheStats {
	st := s.env.FileCacheStats()
	return OpenFileCacheStats{Hits: st.Hits, Misses: st.Misses, Stale: st.Stale, Evicted: st.Evicted,
		Expired: st.Expired, Idle: st.Idle}
}
