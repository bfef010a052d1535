// Config: everything a Server is built from.

package fastftp

import (
	"crypto/tls"
	"github.com/fastftp/fastftp/metrics"
	"github.com/fastftp/fastftp/xferlog"
	"log/slog"
	"net/netip"
	"runtime"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/throttle"
)

// Config describes one server. The zero value serves the current directory to anonymous
// users, read-only, with pyftpdlib-like defaults. A Config is copied by New; later changes
// to it have no effect.
//
// Zero means one thing in every field: the default (Go's convention, so that a zero
// Config is a safe server). Where the default is a value (IdleTimeout, DataTimeout,
// LoginTimeout, MaxLoginAttempts, BanWindow, BanTime, TLSHandshakeTimeout, Workers), a
// negative value turns the limit off where the field says so; where the default is "none"
// (MaxConns, MaxConnsPerIP, MaxSessionsPerUser, the rates, BanAfter), zero is that none.
// fastftpd's flags and config file speak for operators instead, where 0 always means off
// or unlimited; cmd/fastftpd converts in one function (convert in build.go).
type Config struct {
	// Auth decides who may log in and what each user may do. Nil means anonymous,
	// read-only ("elr") access to Root.
	Auth auth.Authorizer
	// Root is the directory served to anonymous users when Auth is nil. Default ".".
	Root string

	// Banner is the text of the 220 greeting. Default "fastftp ready.".
	Banner string
	// Loops is the number of gnet event loops. 0 means reactor.DefaultLoops: one per two
	// processors (GOMAXPROCS), at least one.
	Loops int
	// Workers bounds the goroutines doing blocking work (stat, open, readdir, rename,
	// authentication). 0 means 64. Their queue holds 64 entries per worker.
	Workers int

	// IdleTimeout closes a control connection with 421 after this long without a command
	// while no transfer runs. 0 means 300 s; negative disables it.
	IdleTimeout time.Duration
	// DataTimeout bounds waiting for a data connection (accept or connect) and a transfer
	// that moves no byte. 0 means 300 s (pyftpdlib's default); negative disables it.
	DataTimeout time.Duration

	// PassivePortMin and PassivePortMax bound PASV/EPSV ports. Both 0: the kernel picks.
	PassivePortMin, PassivePortMax uint16
	// MasqueradeAddress replaces the IPv4 address sent in 227 replies (NAT). Invalid: unused.
	MasqueradeAddress netip.Addr
	// PermitForeignAddresses accepts data connections from, and PORT to, an address other
	// than the control connection's peer (FXP). Off by default (bounce attacks).
	PermitForeignAddresses bool
	// PermitPrivilegedPorts allows PORT/EPRT to ports below 1024.
	PermitPrivilegedPorts bool
	// UseLocalTime shows times in listings and MDTM in local time instead of GMT.
	UseLocalTime bool
	// DisableSendfile forces the pooled-buffer copy instead of sendfile(2)/splice(2).
	DisableSendfile bool
	// DisableHash turns off the checksum commands (HASH, RANG, XCRC, XMD5, XSHA1, XSHA256,
	// XSHA512): they answer 502 and FEAT does not list HASH. They are on by default: a
	// digest is paced by the download limits, runs on HashWorkers workers at most, and is
	// cached, so it costs no more than the download it saves (see README "Checksums").
	DisableHash bool
	// HashWorkers bounds the digests computed at once, server-wide; 0 means one per 4 CPUs
	// (at least 1).
	HashWorkers int
	// HashCacheEntries bounds the digest cache (LRU); 0 means 4096, negative disables it.
	HashCacheEntries int
	// OpenFileCache bounds the descriptors of small files (at most 1 MiB) that RETR keeps
	// open for 2 s after use, as nginx's open_file_cache (README "Open-file cache"); they
	// count against the process's descriptor limit. 0 means 256; negative disables it.
	OpenFileCache int
	// ListSortMax: LIST and NLST of a directory with at most this many entries are sorted
	// by name, as vsftpd and pyftpdlib do; larger directories go out in directory order,
	// streamed in bounded memory. 0 means 10,000; negative never sorts.
	ListSortMax int
	// ListNumericOwners shows numeric uid and gid in LIST instead of user and group names
	// (looked up in the system's user database, cached for a minute).
	ListNumericOwners bool
	// ListCacheBytes bounds the listing cache, which keeps the encoded LIST, NLST and MLSD
	// of unchanged directories of local storage (README "Listing cache"). 0 means 64 MiB;
	// negative disables it.
	ListCacheBytes int64
	// ListCacheMaxAge is the longest a cached listing is served: a file written in place
	// changes its size and time but not its directory, so it shows within this time. 0
	// means 10 s.
	ListCacheMaxAge time.Duration
	// DataNotSentLowat bounds, in bytes, what a data socket the server sends on queues
	// unsent in the kernel: TCP_NOTSENT_LOWAT, Linux only. 0 means the default: 64 KiB
	// (DefaultDataNotSentLowat) on the downloads the data loops carry, nothing elsewhere; a
	// positive value applies to every socket the server sends on (RETR, LIST, NLST, MLSD;
	// never uploads); negative leaves the kernel's default everywhere (a send buffer that
	// autotunes to ~4 MiB, all of it queued). See DefaultDataNotSentLowat for the
	// measurements.
	DataNotSentLowat int
	// DataLoops is how many event loops of the data-loop engine (package dataloop, Linux
	// only) move the bytes of file transfers (RETR, STOR, APPE, STOU), instead of one
	// goroutine per transfer blocking in sendfile(2)/splice(2): hundreds of transfers then
	// cannot crowd the control loops out of the Go scheduler (issue 10; ARCHITECTURE.md,
	// "The data plane"). 0 means the default, one loop per GOMAXPROCS; negative turns the
	// engine off. TLS data connections, TYPE A, MODE Z, listings and DisableSendfile keep
	// the goroutine path, as does every transfer on other systems. At most MaxDataLoops.
	DataLoops int
	// DataWriters, if > 0, gives the data loops a pool of that many goroutines that copy
	// uploads into their files beside the loops, whenever a loop has other transfers
	// waiting. 0 (the default): each loop writes its own uploads. Measured on 2 cores
	// (BENCHMARKS.md, "Uploads beside the loops"): 300 concurrent uploads finished 9-13%
	// sooner with 2-4 writers, and the control plane's scheduling delay p99 during them was
	// about 5 ms instead of under 1 ms; so it suits servers that mostly receive. At most
	// MaxDataWriters; unused when the data loops are off.
	DataWriters int

	// ProxyProtocolFrom lists the load balancers trusted to send a PROXY protocol header
	// (v1 or v2, as HAProxy's send-proxy and send-proxy-v2 do) ahead of each connection.
	// From them the header is required and the client address it carries is the session's
	// address everywhere: limits, bans, logs, the transfer log, metrics and the data
	// connection check. A data connection from a trusted source must carry a header too
	// (passive ports proxied by the balancer); its client is compared to the session's.
	// From anyone else a header is refused. Empty: PROXY protocol off.
	ProxyProtocolFrom []netip.Prefix
	// ProxyHeaderTimeout bounds reading a PROXY header. 0 means 3 s.
	ProxyHeaderTimeout time.Duration

	// MaxConns is the most simultaneous control connections; the next gets 421. 0: unlimited.
	MaxConns int
	// MaxConnsPerIP is the most control connections from one IP address. 0: unlimited.
	MaxConnsPerIP int
	// MaxTransfersPerIP is the most file transfers (RETR STOR APPE STOU) running at once
	// from one client address (an IPv4 address or an IPv6 /64), as proftpd's
	// MaxTransfersPerHost; more get 425 before any byte moves. 0: unlimited.
	// SetMaxTransfersPerIP changes it while serving.
	MaxTransfersPerIP int
	// ModeZ accepts MODE Z (zlib-compressed data connections, draft-preston-ftpext-deflate,
	// spoken by lftp and FileZilla) and lists it in FEAT; off (the default), MODE Z gets 504.
	// Compression costs CPU and never takes sendfile (BENCHMARKS.md "MODE Z"), so it is
	// opt-in and bounded: ModeZMax compressed transfers at once (0: one per CPU), more get
	// 425; OPTS MODE Z LEVEL accepts 0 to ModeZMaxLevel (0 means 6, also the default level: 7-9 cost several times the CPU).
	ModeZ                   bool
	ModeZMax, ModeZMaxLevel int

	// DirMessage names a file (vsftpd uses ".message") whose text the 250 reply to CWD
	// shows, read through the user's file system (inside the root), at most 4 KiB and 50
	// lines, control characters removed. "" (the default) turns it off.
	DirMessage string
	// Welcome is text shown in the 230 reply after login, bounded and sanitized like
	// DirMessage. "" (the default): none. SetNotices changes both while serving.
	Welcome string
	// MaxLoginAttempts closes the session after this many failed PASS. 0 means 3.
	MaxLoginAttempts int
	// FailedLoginDelay delays the reply to a failed PASS (off the event loop). 0 means a
	// random 1-3 s; negative means no delay (tests).
	FailedLoginDelay time.Duration

	// ReadLimit and WriteLimit cap each session's uploads (bytes the server reads) and
	// downloads (bytes it writes), in bytes/s; 0 means unlimited. GlobalReadLimit and
	// GlobalWriteLimit cap all sessions together. Per-user caps are auth.User.Limits.
	// Throttled transfers still use sendfile/splice: bytes are granted in chunks.
	ReadLimit, WriteLimit             float64
	GlobalReadLimit, GlobalWriteLimit float64
	// ReadLimitPerIP and WriteLimitPerIP cap the transfers of one client address (an IPv4
	// address or an IPv6 /64, as MaxConnsPerIP counts) together, so that a download
	// accelerator's many connections share one address's rate; 0 means unlimited.
	ReadLimitPerIP, WriteLimitPerIP float64
	// MaxSessionsPerUser caps each user's logged-in sessions unless the user's own
	// auth.Limits.MaxSessions is set; 0 means unlimited.
	MaxSessionsPerUser int
	// LoginTimeout closes a connection that has not logged in after this long (421).
	// 0 means 60 s; negative disables it.
	LoginTimeout time.Duration
	// BanAfter bans an address for BanTime after BanAfter failed logins within BanWindow
	// (421 at connect while banned). 0, the default, disables banning (as in vsftpd and
	// proftpd: many users may share one NAT address). BanWindow 0 means 60 s, BanTime 0
	// means 10 minutes.
	BanAfter           int
	BanWindow, BanTime time.Duration

	// TLS enables FTPS (RFC 4217): AUTH TLS on plaintext listeners and ServeTLS for
	// implicit FTPS. Nil disables it. TLS 1.2 is the minimum (raised if lower); session
	// tickets must stay enabled: PROT P data connections resume the control session.
	// CertReloader.TLSConfig builds one from PEM files that SIGHUP can reload.
	TLS *tls.Config
	// TLSControlRequired refuses USER/PASS before AUTH TLS (530).
	TLSControlRequired bool
	// TLSDataRequired refuses transfers under PROT C (522) and PROT C itself (534).
	TLSDataRequired bool
	// TLSNoSessionReuse accepts PROT P data connections that do not resume the control
	// connection's TLS session. Off by default (vsftpd's require_ssl_reuse, proftpd's
	// default): reuse stops another host from stealing the data connection. Turn it on for
	// clients that cannot resume, such as Python's ftplib.
	TLSNoSessionReuse bool
	// Hosts are virtual hosts (RFC 7151): HOST before login, or the server name of the TLS
	// ClientHello (SNI) on AUTH TLS and implicit FTPS, selects one, with its own users,
	// banner, session cap and certificate (used only when TLS is set). The rest of this
	// Config is the default host, which clients that never send HOST get. HOST and SNI
	// naming different hosts refuse login (530). Server.SetHosts replaces them while serving.
	Hosts []VirtualHost
	// TLSHandshakeTimeout closes a connection whose TLS handshake has not finished in time
	// (control or data). 0 means 10 s.
	TLSHandshakeTimeout time.Duration

	// MasqueradeMap gives the address to announce in 227 replies per local address, for
	// multi-homed hosts behind NAT; it wins over MasqueradeAddress where it applies.
	MasqueradeMap map[netip.Addr]netip.Addr

	// Metrics, if set, is fed sessions, logins, transfers, replies by class, command
	// latencies, worker-queue depth and throttle waits; serve Metrics.Handler() over HTTP.
	Metrics *metrics.Metrics
	// TransferLog, if set, receives one wu-ftpd xferlog line per finished transfer. The
	// username field holds the login name (anonymous passwords are never kept).
	TransferLog *xferlog.Writer

	// Hooks are called on connections, logins and transfers (see Hooks).
	Hooks Hooks
	// SiteCommands adds SITE subcommands, listed by SITE HELP.
	SiteCommands []SiteCommand
	// Debug logs every command at debug level (passwords masked).
	Debug bool

	// Logger receives the server's logs. Nil means slog.Default().
	Logger *slog.Logger

	// Shared, when its fields are set, keeps the limits in state shared with other
	// servers instead of this server's memory, so that they hold across several processes
	// (fastftpd --workers, through internal/shm). The zero value: everything in-process.
	Shared SharedLimits
}

// SharedLimits holds the limit state a Server may share with other servers. Each nil field
// keeps the in-process default. Limits themselves (MaxConns, BanAfter, rates...) still
// come from Config; give every sharing server the same ones.
type SharedLimits struct {
	// Conns counts control connections against MaxConns and MaxConnsPerIP.
	Conns throttle.ConnCounter
	// Bans replaces the failed-login ban list; it is used only when BanAfter > 0.
	Bans throttle.BanList
	// Users counts each user's logged-in sessions (MaxSessionsPerUser, auth.Limits) and
	// holds the per-user bandwidth buckets.
	Users throttle.UserTable
	// GlobalRead and GlobalWrite are the buckets behind GlobalReadLimit and
	// GlobalWriteLimit (their rates are set from those).
	GlobalRead, GlobalWrite *throttle.Bucket
}

// DefaultDataNotSentLowat is the TCP_NOTSENT_LOWAT of the downloads the data loops carry
// when Config.DataNotSentLowat is 0. Chosen by measurement (BENCHMARKS.md,
// "TCP_NOTSENT_LOWAT on download data sockets" and "The data plane: defaults"): with the
// transfers on one loop, 300 concurrent 10 MiB RETRs took 0.91 s instead of 1.28 s
// without the option, at half the machine CPU per GiB (0.44 against 0.84 CPU-s). With a
// goroutine per transfer the same option woke the goroutines twice as often and the
// control connections paid for it (NOOP p50 0.7 -> 8 ms), which is why the goroutine path
// keeps the kernel's default.
const DefaultDataNotSentLowat = 64 << 10

// MaxDataLoops is the largest Config.DataLoops New accepts.
const MaxDataLoops = 256

// MaxDataWriters is the largest Config.DataWriters New accepts.
const MaxDataWriters = 256

// MaxDataNotSentLowat is the largest Config.DataNotSentLowat New accepts: beyond a few MiB
// the option stops limiting anything (send buffers autotune to 4 MiB by default).
const MaxDataNotSentLowat = 1 << 30

// notSentLowat resolves Config.DataNotSentLowat to what every sending data socket gets
// (datapath.Config.NotSentLowat); 0 is none.
func (c *Config) notSentLowat() int { return max(c.DataNotSentLowat, 0) }

// loopNotSentLowat is what the data loops set on their downloads: the default unless the
// operator chose a value (which every sending socket then has already) or none.
func (c *Config) loopNotSentLowat() int {
	if c.DataNotSentLowat == 0 {
		return DefaultDataNotSentLowat
	}
	return max(c.DataNotSentLowat, 0)
}

// DataLoopCount resolves Config.DataLoops: how many data loops New starts, 0 when the
// engine is off (DataLoops negative, DisableSendfile, not Linux).
func (c *Config) DataLoopCount() int {
	switch {
	case c.DataLoops < 0 || c.DisableSendfile || runtime.GOOS != "linux":
		return 0
	case c.DataLoops == 0:
		return max(runtime.GOMAXPROCS(0), 1)
	}
	return c.DataLoops
}
