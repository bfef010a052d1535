// file.go: the validated, typed result of Load.

package config

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/fastftp/fastftp/auth"
)

// File is a loaded and fully validated config file. Values are typed and ready to use:
// durations parsed, permissions as auth.Perm, rates in bytes per second, addresses as
// netip values, paths absolute (a relative path in the file is taken relative to the
// directory holding the file). Keys absent from the file hold the defaults documented in
// the package comment. A File is plain data: safe to read from any goroutine, never
// changed by this package after Load returns.
type File struct {
	// Name is the file name given to Load or Parse, used in messages.
	Name string

	Server      Server
	Log         Log
	Metrics     Metrics
	Anonymous   Anonymous
	Users       []User
	SystemUsers SystemUsers
	TLS         TLS
	// Hosts are the [[host]] tables: virtual hosts that HOST (RFC 7151) or the TLS server
	// name selects. The rest of the file is the default host.
	Hosts []Host

	// Warnings are problems that do not stop the server, each "FILE:LINE: message"
	// (plaintext passwords, anonymous users allowed to write). --check-config prints them.
	Warnings []string
}

// Server is the [server] table.
type Server struct {
	// Listen holds "host:port" addresses for net.Listen; host is empty (every address)
	// or an IP literal, IPv6 in brackets. Default [":2121"].
	Listen []string
	// Banner is the 220 greeting text; "" means the server's default.
	Banner string
	// Loops is the number of event loops; 0 means one per two CPUs, at least one.
	Loops int
	// MaxConns and MaxConnsPerIP cap control connections; 0 means unlimited.
	MaxConns, MaxConnsPerIP int
	// MaxTransfersPerIP caps the file transfers running at once from one client address
	// (proftpd's MaxTransfersPerHost); 0 means unlimited.
	MaxTransfersPerIP int
	// DirMessage names the file shown in the reply to CWD (vsftpd's message_file, e.g.
	// ".message"); "" means off. WelcomeFile is a file (absolute path) whose text is
	// shown in the reply to a login; "" means none.
	DirMessage, WelcomeFile string
	// MaxLoginAttempts closes a session after this many failed logins. Default 3.
	MaxLoginAttempts int
	// IdleTimeout and DataTimeout: 0 means never. Default 300 s each.
	IdleTimeout, DataTimeout time.Duration
	// LoginTimeout closes a connection not logged in after this long; 0 means never.
	// Default 60 s.
	LoginTimeout time.Duration
	// MaxSessionsPerUser caps each user's logged-in sessions where the user has no
	// max_sessions of its own; 0 means unlimited.
	MaxSessionsPerUser int
	// BanAfter bans a client address for BanTime after this many failed logins within
	// BanWindow; 0 means never (the default). BanWindow (default 1 min) and BanTime
	// (default 10 min) are positive.
	BanAfter           int
	BanWindow, BanTime time.Duration
	// ShutdownGrace is how long running transfers may go on after SIGINT/SIGTERM; 0
	// stops at once. Default 30 s.
	ShutdownGrace time.Duration
	// RunAs is the account fastftpd switches to after binding its ports when started as
	// root; "" means the default (see cmd/fastftpd).
	RunAs string
	// PidFile is where the serving process writes its PID ("" = nowhere). After a
	// SIGUSR2 upgrade the successor rewrites it, so it always names the live process.
	PidFile string
	// ListenDefault is true when the file does not set server.listen (Listen holds the
	// default): fastftpd then serves the sockets systemd passes, whatever their address.
	ListenDefault bool
	// PassivePortMin and PassivePortMax bound PASV/EPSV ports; both 0 when unset (the
	// kernel picks).
	PassivePortMin, PassivePortMax uint16
	// MasqueradeAddress is the IPv4 address announced in 227 replies; invalid when unset.
	MasqueradeAddress netip.Addr
	// MasqueradeMap announces a different IPv4 address per local address the client
	// connected to (multi-homed hosts); it wins over MasqueradeAddress. Nil when unset.
	MasqueradeMap map[netip.Addr]netip.Addr

	// ProxyProtocolFrom lists the load balancers trusted to send PROXY protocol headers
	// (fastftp.Config.ProxyProtocolFrom); nil when unset (PROXY protocol off).
	ProxyProtocolFrom []netip.Prefix

	UseLocalTime           bool
	DisableSendfile        bool
	DisableHash            bool
	PermitForeignAddresses bool
	PermitPrivilegedPorts  bool

	// HashWorkers bounds the checksums computed at once; 0 means one per 4 CPUs.
	HashWorkers int

	// ModeZ, ModeZMax and ModeZMaxLevel are fastftp.Config's: MODE Z (deflate) on, the
	// compressed transfers at once (0: one per CPU), the highest OPTS MODE Z LEVEL (0: 6).
	ModeZ                   bool
	ModeZMax, ModeZMaxLevel int

	// DataNotSentLowat is fastftp.Config.DataNotSentLowat: TCP_NOTSENT_LOWAT in bytes on
	// every download data socket; 0 when unset (the server's default: 64 KiB on the
	// downloads the data loops carry only), -1 when the file says "0" (off everywhere).
	DataNotSentLowat int

	// Workers is how many fastftpd processes serve the listeners (1: one process, the
	// default; "auto" in the file is one per CPU). Limits stay global across them.
	Workers int

	// DataLoops is fastftp.Config.DataLoops: file transfers on that many event loops of the
	// data-loop engine (Linux); 0 when unset or "auto" (one loop per CPU, the default), -1
	// when the file says "off" or 0 (a goroutine per transfer).
	DataLoops int
	// DataWriters is fastftp.Config.DataWriters: goroutines that copy uploads into their
	// files beside the data loops; 0 (the default) when the loops write them.
	DataWriters int

	// ListCacheSize bounds the listing cache in bytes (fastftp.Config.ListCacheBytes): 0
	// when unset (the server's default, 64 MiB), -1 when the file says "0" (off).
	ListCacheSize int64
	// ListSortMax: LIST and NLST of directories with at most this many entries are sorted
	// by name; DefaultListSortMax when unset, 0 never sorts.
	ListSortMax int
	// ListNumericOwners shows uid/gid numbers in LIST instead of names.
	ListNumericOwners bool
	// OpenFileCache bounds the descriptors RETR keeps open for hot small files
	// (fastftp.Config.OpenFileCache); DefaultOpenFileCache when unset, 0 off.
	OpenFileCache int

	// ReadLimit and WriteLimit cap each session's uploads and downloads, the Global ones
	// all sessions together; bytes per second, 0 means unlimited.
	ReadLimit, WriteLimit             float64
	GlobalReadLimit, GlobalWriteLimit float64
	// ReadLimitPerIP and WriteLimitPerIP cap the transfers of one client address (IPv6:
	// its /64) together, whatever its sessions; bytes per second, 0 means unlimited.
	ReadLimitPerIP, WriteLimitPerIP float64
}

// Log is the [log] table.
type Log struct {
	// Format is "text" (default) or "json".
	Format string
	// Level is the slog level; default slog.LevelInfo.
	Level slog.Level
	// Xferlog is the absolute path of the wu-ftpd transfer log; "" means off.
	Xferlog string
}

// Metrics is the [metrics] table.
type Metrics struct {
	// Listen is the "host:port" of the Prometheus HTTP listener; "" means off.
	Listen string
}

// Anonymous is the [anonymous] table.
type Anonymous struct {
	Enabled bool
	// Home is the absolute host directory served to anonymous users (set when Enabled).
	Home string
	// Perm defaults to "elr".
	Perm auth.Perm
}

// User is one [[user]] entry: a virtual user.
type User struct {
	Name string
	// Password is a bcrypt or argon2id hash, or plaintext (with a warning).
	Password string
	// Home is the absolute host directory that is the user's "/".
	Home string
	// Perm defaults to "elr".
	Perm auth.Perm
	// Override holds the [[user.override]] entries, Dir cleaned and absolute.
	Override []auth.Override
	// Limits carries max_sessions, read_limit and write_limit.
	Limits auth.Limits
	// LoginMsg and QuitMsg replace the 230 and 221 texts; "" keeps the defaults.
	LoginMsg, QuitMsg string
	// Line is where the user's [[user]] header is, for messages.
	Line int
}

// SystemUsers is the [system_users] table: log in with the machine's accounts.
type SystemUsers struct {
	Enabled bool
	// Perm defaults to "elradfmwMT".
	Perm auth.Perm
	// MinUID refuses accounts below this uid; default 1000.
	MinUID int
}

// TLS is the [tls] table. Enabled reports whether a certificate is configured.
type TLS struct {
	// CertFile and KeyFile are absolute paths of PEM files. KeyFile "" means the key
	// is in CertFile (one PEM file holding both); Load has checked that they make a key
	// pair.
	CertFile, KeyFile string
	ControlRequired   bool
	DataRequired      bool
	// ImplicitListen holds "host:port" addresses for implicit FTPS.
	ImplicitListen []string
	// RequireSessionReuse: PROT P data connections must resume the control
	// connection's TLS session. Default true.
	RequireSessionReuse bool
}

// Host is one [[host]] table: a virtual host.
type Host struct {
	// Names select the host (HOST, TLS server name), lower case, each a domain name,
	// unique across hosts.
	Names []string
	// Root is the absolute host directory served to anonymous users when Anonymous, and
	// the home of the host's users that set none; "" when unset.
	Root      string
	Anonymous bool
	// Banner is the 220 reply to HOST; "" means the server's banner.
	Banner string
	// MaxSessions caps the sessions logged in on the host at once; 0 means unlimited.
	MaxSessions int
	// ReadLimit and WriteLimit cap all the host's uploads and downloads together, bytes
	// per second; 0 means unlimited.
	ReadLimit, WriteLimit float64
	// CertFile and KeyFile are the host's certificate (as in [tls]); "" when unset: the
	// server's certificate.
	CertFile, KeyFile string
	// Users are the [[host.user]] entries, in the [[user]] syntax: only they (and
	// anonymous users when Anonymous) log in on this host.
	Users []User
	// Line is where the [[host]] header is, for messages.
	Line int
}

// Enabled reports whether FTPS is configured (a certificate is set).
func (t *TLS) Enabled() bool { return t.CertFile != "" }
