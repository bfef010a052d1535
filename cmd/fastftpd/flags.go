// Flags of fastftpd: pyftpdlib's names first, then fastftp's own.

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fastftp/fastftp/config"
)

// options holds the parsed command line. set tells which flags were given explicitly:
// with --config, only those override the file.
type options struct {
	iface, natAddr, portRange, dir, user, pass, banner string
	port, maxCons, maxConsPerIP, maxLogin              int
	loops                                              int
	write, debug, foreign, privileged, localTime       bool
	noSendfile, showVersion, noHash                    bool
	timeout, dataTimeout, grace                        time.Duration
	masqMap, runAs, pidFile                            string
	proxyFrom                                          string
	maxXfersPerIP                                      int    // --max-transfers-per-ip
	dirMessage, welcomeFile                            string // --dir-message, --welcome-file
	modeZ                                              bool   // --mode-z
	modeZMax, modeZMaxLevel                            int    // --mode-z-max, --mode-z-max-level
	workers, dataLoops                                 string

	readLimit, writeLimit, globalRead, globalWrite string
	readPerIP, writePerIP                          string
	notSentLowat                                   string
	maxUserSessions, banAfter, hashWorkers         int
	dataWriters                                    int
	listCacheSize                                  string
	listSortMax                                    int
	openFileCache                                  int
	listNumericOwners                              bool
	loginTimeout, banWindow, banTime               time.Duration

	tls, tlsControl, tlsData, tlsNoReuse bool
	certFile, keyFile, tlsImplicit       string
	logFormat, xferlog, metrics          string
	configFile                           string
	checkConfig                          bool

	set map[string]bool
}

// keyOf names the config file key that each flag sets (by long name): the flags and the
// file are one vocabulary, same meaning, same units, 0 = off or unlimited. Flags that
// are not settings map to "". userKeys are the tables the user flags stand for.
var keyOf = map[string]string{
	"interface":                "server.listen",
	"port":                     "server.listen",
	"write":                    userKeys,
	"directory":                userKeys,
	"username":                 userKeys,
	"password":                 userKeys,
	"nat-address":              "server.masquerade_address",
	"masquerade-map":           "server.masquerade_map",
	"range":                    "server.passive_ports",
	"debug":                    "log.level",
	"timeout":                  "server.idle_timeout",
	"data-timeout":             "server.data_timeout",
	"banner":                   "server.banner",
	"permit-foreign-addresses": "server.permit_foreign_addresses",
	"permit-privileged-ports":  "server.permit_privileged_ports",
	"proxy-protocol-from":      "server.proxy_protocol_from",
	"use-localtime":            "server.use_localtime",
	"disable-sendfile":         "server.disable_sendfile",
	"disable-hash":             "server.disable_hash",
	"hash-workers":             "server.hash_workers",
	"mode-z":                   "server.mode_z",
	"mode-z-max":               "server.mode_z_max",
	"mode-z-max-level":         "server.mode_z_max_level",
	"data-notsent-lowat":       "server.data_notsent_lowat",
	"data-loops":               "server.data_loops",
	"data-writers":             "server.data_writers",
	"list-cache-size":          "server.list_cache_size",
	"list-sort-max":            "server.list_sort_max",
	"list-numeric-owners":      "server.list_numeric_owners",
	"open-file-cache":          "server.open_file_cache",
	"workers":                  "server.workers",
	"max-cons":                 "server.max_cons",
	"max-cons-per-ip":          "server.max_cons_per_ip",
	"max-transfers-per-ip":     "server.max_transfers_per_ip",
	"dir-message":              "server.dir_message",
	"welcome-file":             "server.welcome_file",
	"max-login-attempts":       "server.max_login_attempts",
	"loops":                    "server.loops",
	"read-limit":               "server.read_limit",
	"write-limit":              "server.write_limit",
	"global-read-limit":        "server.global_read_limit",
	"global-write-limit":       "server.global_write_limit",
	"read-limit-per-ip":        "server.read_limit_per_ip",
	"write-limit-per-ip":       "server.write_limit_per_ip",
	"max-sessions-per-user":    "server.max_sessions_per_user",
	"login-timeout":            "server.login_timeout",
	"ban-after":                "server.ban_after",
	"ban-window":               "server.ban_window",
	"ban-time":                 "server.ban_time",
	"shutdown-grace":           "server.shutdown_grace",
	"run-as":                   "server.run_as",
	"pid-file":                 "server.pid_file",
	"tls":                      "tls.cert_file",
	"certfile":                 "tls.cert_file",
	"keyfile":                  "tls.key_file",
	"tls-control-required":     "tls.control_required",
	"tls-data-required":        "tls.data_required",
	"tls-implicit":             "tls.implicit_listen",
	"tls-no-session-reuse":     "tls.require_session_reuse",
	"log-format":               "log.format",
	"xferlog":                  "log.xferlog",
	"metrics":                  "metrics.listen",
	"config":                   "",
	"check-config":             "",
	"version":                  "",
}

// userKeys stands for the [anonymous], [[user]] and [system_users] tables: -u, -P, -w
// and -d describe the one user (or anonymous directory) of a server without a file; the
// file describes many, each with its own keys.
const userKeys = "anonymous, user, system_users"

// durationValue is a flag taking a Go duration ("5m") or whole seconds ("300"), parsed as
// the config file parses its durations.
type durationValue struct{ p *time.Duration }

func (d durationValue) String() string {
	if d.p == nil {
		return ""
	}
	return d.p.String()
}

func (d durationValue) Set(s string) error {
	v, err := config.ParseDuration(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), strconv.Quote(s)+" "))
	}
	*d.p = v
	return nil
}

// given reports whether any of the named flags was on the command line.
func (o *options) given(names ...string) bool {
	for _, n := range names {
		if o.set[n] {
			return true
		}
	}
	return false
}

// flagSet declares every flag under its short and long name.
func flagSet(o *options, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fastftpd", flag.ContinueOnError)
	fs.SetOutput(out)
	str := func(p *string, short, long, def, help string) {
		if short != "" {
			fs.StringVar(p, short, def, help)
		}
		fs.StringVar(p, long, def, help)
	}
	num := func(p *int, short, long string, def int, help string) {
		if short != "" {
			fs.IntVar(p, short, def, help)
		}
		fs.IntVar(p, long, def, help)
	}
	boolean := func(p *bool, short, long, help string) {
		if short != "" {
			fs.BoolVar(p, short, false, help)
		}
		fs.BoolVar(p, long, false, help)
	}
	dur := func(p *time.Duration, long string, def time.Duration, help string) {
		*p = def
		fs.Var(durationValue{p}, long, help)
	}
	str(&o.iface, "i", "interface", "", "address to listen on (default: every IPv4 and IPv6 address; with --config, only to narrow server.listen)")
	num(&o.port, "p", "port", 2121, "port to listen on (with --config: the port of every server.listen address)")
	boolean(&o.write, "w", "write", "grant write access (anonymous or the -u user; not with --config)")
	str(&o.dir, "d", "directory", ".", "directory to serve (not with --config)")
	str(&o.natAddr, "n", "nat-address", "", "IPv4 address to announce in PASV replies (NAT)")
	str(&o.masqMap, "", "masquerade-map", "", "IPv4 to announce per local address, LOCAL=PUBLIC[,LOCAL=PUBLIC...] (multi-homed NAT)")
	str(&o.portRange, "r", "range", "", "passive ports to use, FROM-TO, e.g. 60000-65535 (default: any free port)")
	boolean(&o.debug, "D", "debug", "log every command (debug level)")
	str(&o.user, "u", "username", "", "a user name to require instead of anonymous access (needs -P; not with --config)")
	str(&o.pass, "P", "password", "", "the password of the -u user (needs -u; not with --config)")
	dur(&o.timeout, "timeout", config.DefaultTimeout, "how long a control connection may idle before it is closed, e.g. 5m or 300 (seconds); 0: never")
	dur(&o.dataTimeout, "data-timeout", config.DefaultTimeout, "how long to wait for a data connection or a stalled transfer; 0: never")
	str(&o.banner, "", "banner", "fastftp "+version+" ready.", "text of the 220 greeting")
	boolean(&o.foreign, "", "permit-foreign-addresses", "allow data connections from/to an address other than the client's (FXP)")
	boolean(&o.privileged, "", "permit-privileged-ports", "allow PORT/EPRT to ports below 1024")
	str(&o.proxyFrom, "", "proxy-protocol-from", "", "load balancers that send a PROXY protocol v1/v2 header (HAProxy send-proxy-v2), CIDR[,CIDR...]: from them the header is required and names the client; from others it is refused")
	boolean(&o.localTime, "", "use-localtime", "show times in local time instead of GMT")
	boolean(&o.noSendfile, "", "disable-sendfile", "copy through user-space buffers instead of sendfile(2)/splice(2)")
	boolean(&o.noHash, "", "disable-hash", "turn off the checksum commands HASH, XCRC, XMD5, XSHA1, XSHA256, XSHA512")
	num(&o.hashWorkers, "", "hash-workers", 0, "most checksums computed at once; 0 means one per 4 CPUs (the default)")
	boolean(&o.modeZ, "", "mode-z", "accept MODE Z (zlib-compressed transfers, as lftp's ftp:use-mode-z and FileZilla use): costs CPU, never zero-copy")
	num(&o.modeZMax, "", "mode-z-max", 0, "most MODE Z transfers at once, server-wide, more get 425; 0 means one per CPU (the default)")
	num(&o.modeZMaxLevel, "", "mode-z-max-level", 0, "highest compression level OPTS MODE Z LEVEL accepts, 1-9; 0 means 6, the default level (7-9 cost several times the CPU for a few per cent less)")
	str(&o.notSentLowat, "", "data-notsent-lowat", "auto", "bytes a download data socket may queue unsent (TCP_NOTSENT_LOWAT, Linux), K/M suffix: auto (64K on the data loops' downloads only, the default), a size for every download socket, or 0 (the kernel's default everywhere)")
	str(&o.listCacheSize, "", "list-cache-size", "64M", "memory for the listing cache (encoded LIST/NLST/MLSD of unchanged directories, LRU), K/M/G suffix; 0: off")
	num(&o.listSortMax, "", "list-sort-max", config.DefaultListSortMax, "LIST/NLST of directories up to this many entries are sorted by name, larger ones stream in directory order; 0: never sort")
	num(&o.openFileCache, "", "open-file-cache", config.DefaultOpenFileCache, "descriptors of hot small files (up to 1 MiB) RETR keeps open for 2 s after use, re-checked by one stat per RETR (a file renamed over is served new); they count against the descriptor limit; 0: off")
	boolean(&o.listNumericOwners, "", "list-numeric-owners", "LIST shows uid/gid numbers instead of user and group names")
	num(&o.maxCons, "", "max-cons", 0, "most simultaneous connections; 0 means unlimited (the default)")
	num(&o.maxConsPerIP, "", "max-cons-per-ip", 0, "most connections from one IP address; 0 means unlimited (the default)")
	num(&o.maxXfersPerIP, "", "max-transfers-per-ip", 0, "most file transfers at once from one client address (IPv6: its /64), apart from --max-cons-per-ip; more get 425; 0 means unlimited (the default); SIGHUP reloads it")
	str(&o.dirMessage, "", "dir-message", "", "show this file of the directory entered (e.g. .message) in the CWD reply, as vsftpd's dirmessage_enable; empty: off (the default)")
	str(&o.welcomeFile, "", "welcome-file", "", "show this file's text in the reply to a login (at most 4 KiB, 50 lines); empty: none (the default); SIGHUP rereads it")
	num(&o.maxLogin, "", "max-login-attempts", config.DefaultMaxLoginAttempts, "failed logins before the connection is closed; 0 means unlimited")
	num(&o.loops, "", "loops", 0, "control event loops (default: one per two CPUs, at least one)")
	str(&o.workers, "", "workers", "1", "processes serving the listeners (unix), or auto (one per CPU); limits stay global across them and each takes a slice of --range")
	str(&o.dataLoops, "", "data-loops", "auto", "move file transfers on N data event loops instead of a goroutine each (Linux): auto (one per CPU, the default), off (or 0), or N")
	num(&o.dataWriters, "", "data-writers", 0, "goroutines that copy uploads into their files beside the data loops: uploads finish sooner, control replies wait longer meanwhile; 0: the loops do (the default)")
	str(&o.readLimit, "", "read-limit", "0", "upload bandwidth per session, bytes/s with K/M/G suffix (0: unlimited)")
	str(&o.writeLimit, "", "write-limit", "0", "download bandwidth per session, bytes/s with K/M/G suffix (0: unlimited)")
	str(&o.globalRead, "", "global-read-limit", "0", "upload bandwidth of all sessions together (0: unlimited)")
	str(&o.globalWrite, "", "global-write-limit", "0", "download bandwidth of all sessions together (0: unlimited)")
	str(&o.readPerIP, "", "read-limit-per-ip", "0", "upload bandwidth of one client address (IPv6: its /64), all its sessions together (0: unlimited)")
	str(&o.writePerIP, "", "write-limit-per-ip", "0", "download bandwidth of one client address (IPv6: its /64), all its sessions together (0: unlimited)")
	num(&o.maxUserSessions, "", "max-sessions-per-user", 0, "most logged-in sessions per user; 0 means unlimited (the default)")
	dur(&o.loginTimeout, "login-timeout", config.DefaultLoginTimeout, "how long a connection may take to log in; 0: no limit")
	num(&o.banAfter, "", "ban-after", 0, "ban an address after this many failed logins within --ban-window; 0 means never (the default)")
	dur(&o.banWindow, "ban-window", config.DefaultBanWindow, "window in which --ban-after failures count")
	dur(&o.banTime, "ban-time", config.DefaultBanTime, "how long a banned address is refused")
	boolean(&o.tls, "", "tls", "enable FTPS: AUTH TLS on the main port (needs --certfile, which alone enables it too)")
	str(&o.certFile, "", "certfile", "", "TLS certificate (PEM; may also hold the key); enables AUTH TLS; SIGHUP reloads it")
	str(&o.keyFile, "", "keyfile", "", "TLS private key (PEM), if not in --certfile")
	boolean(&o.tlsControl, "", "tls-control-required", "refuse logins before AUTH TLS")
	boolean(&o.tlsData, "", "tls-data-required", "refuse transfers without PROT P")
	str(&o.tlsImplicit, "", "tls-implicit", "", "also serve implicit FTPS on this address, e.g. :990 (needs --certfile)")
	boolean(&o.tlsNoReuse, "", "tls-no-session-reuse", "accept PROT P data connections that do not resume the control TLS session (Python's ftplib)")
	str(&o.logFormat, "", "log-format", "text", "log format: text or json")
	str(&o.xferlog, "", "xferlog", "", "append a wu-ftpd xferlog line per transfer to this file (SIGHUP reopens it)")
	str(&o.metrics, "", "metrics", "", "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9121")
	str(&o.runAs, "", "run-as", "", "started as root: the account to switch to once the ports are bound (default with anonymous access: ftp, else nobody)")
	str(&o.pidFile, "", "pid-file", "", "write the serving process's PID to this file; after a SIGUSR2 upgrade (new binary, same sockets, no connection refused) the new process rewrites it, so kill -USR2 $(cat FILE) always reaches the live one")
	str(&o.configFile, "c", "config", "", "TOML configuration file (a flag given on the command line overrides only its key; SIGHUP reloads users and limits)")
	boolean(&o.checkConfig, "", "check-config", "validate the --config file with the flags, load the TLS key pair, print problems with line numbers, and exit")
	dur(&o.grace, "shutdown-grace", config.DefaultShutdownGrace, "on SIGINT/SIGTERM, how long running transfers may go on; 0: stop at once")
	boolean(&o.showVersion, "v", "version", "print the version and exit")
	fs.Usage = func() {} // a bad flag gets its one-line error; -h prints usage (run)
	return fs
}

// usage prints each flag once, with its short and long names together.
func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, "Usage: fastftpd [options]\n       fastftpd passwd [--bcrypt]   (print a password hash for the config file)\n\n"+
		"Serve a directory over FTP (defaults: current directory, anonymous, read-only, port 2121).\n\nOptions:\n")
	short := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			fs.VisitAll(func(g *flag.Flag) {
				if len(g.Name) > 1 && g.Usage == f.Usage {
					short[g.Name] = f.Name
				}
			})
		}
	})
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			return
		}
		names := "    --" + f.Name
		if s, ok := short[f.Name]; ok {
			names = "-" + s + ", --" + f.Name
		}
		kind, _ := flag.UnquoteUsage(f)
		if _, ok := f.Value.(durationValue); ok {
			kind = "duration"
		}
		if kind != "" {
			names += " " + strings.ToUpper(kind)
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(out, "  %-36s %s%s\n", names, f.Usage, def)
	})
}
