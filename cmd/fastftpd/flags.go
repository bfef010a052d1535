// Flags of fastftpd: pyftpdlib's names first, then fastftp's own.

package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// options holds the parsed command line. set tells which flags were given explicitly:
// with --config, only those override the file.
type options struct {
	iface, natAddr, portRange, dir, user, pass, banner string
	port, timeout, maxCons, maxConsPerIP, maxLogin     int
	loops                                              int
	write, debug, foreign, privileged, localTime       bool
	noSendfile, showVersion                            bool
	grace                                              time.Duration

	readLimit, writeLimit, globalRead, globalWrite string
	notSentLowat                                   string
	maxUserSessions, loginTimeout, banAfter        int
	banWindow, banTime                             time.Duration

	tls, tlsControl, tlsData, tlsNoReuse bool
	certFile, keyFile, tlsImplicit       string
	logFormat, xferlog, metrics          string
	configFile                           string
	checkConfig                          bool

	set map[string]bool
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
	str(&o.iface, "i", "interface", "", "address to listen on (default: every IPv4 and IPv6 address)")
	num(&o.port, "p", "port", 2121, "port to listen on")
	boolean(&o.write, "w", "write", "grant write access (anonymous or the -u user)")
	str(&o.dir, "d", "directory", ".", "directory to serve")
	str(&o.natAddr, "n", "nat-address", "", "IPv4 address to announce in PASV replies (NAT)")
	str(&o.portRange, "r", "range", "", "passive ports to use, FROM-TO, e.g. 60000-65535 (default: any free port)")
	boolean(&o.debug, "D", "debug", "log every command (debug level)")
	str(&o.user, "u", "username", "", "a user name to require instead of anonymous access (needs -P)")
	str(&o.pass, "P", "password", "", "the password of the -u user")
	num(&o.timeout, "", "timeout", 300, "seconds a control connection may idle before it is closed (0: never)")
	str(&o.banner, "", "banner", "fastftp "+version+" ready.", "text of the 220 greeting")
	boolean(&o.foreign, "", "permit-foreign-addresses", "allow data connections from/to an address other than the client's (FXP)")
	boolean(&o.privileged, "", "permit-privileged-ports", "allow PORT/EPRT to ports below 1024")
	boolean(&o.localTime, "", "use-localtime", "show times in local time instead of GMT")
	boolean(&o.noSendfile, "", "disable-sendfile", "copy through user-space buffers instead of sendfile(2)/splice(2)")
	str(&o.notSentLowat, "", "data-notsent-lowat", "0", "bytes a download data socket may queue unsent (TCP_NOTSENT_LOWAT, Linux), K/M suffix, e.g. 64K: faster, cheaper downloads, slower control replies under load; 0: the kernel's default")
	num(&o.maxCons, "", "max-cons", 0, "most simultaneous connections; 0 means unlimited (the default)")
	num(&o.maxConsPerIP, "", "max-cons-per-ip", 0, "most connections from one IP address; 0 means unlimited (the default)")
	num(&o.maxLogin, "", "max-login-attempts", 3, "failed logins before the connection is closed")
	num(&o.loops, "", "loops", 0, "event loops (default: one per CPU)")
	str(&o.readLimit, "", "read-limit", "0", "upload bandwidth per session, bytes/s with K/M/G suffix (0: unlimited)")
	str(&o.writeLimit, "", "write-limit", "0", "download bandwidth per session, bytes/s with K/M/G suffix (0: unlimited)")
	str(&o.globalRead, "", "global-read-limit", "0", "upload bandwidth of all sessions together (0: unlimited)")
	str(&o.globalWrite, "", "global-write-limit", "0", "download bandwidth of all sessions together (0: unlimited)")
	num(&o.maxUserSessions, "", "max-sessions-per-user", 0, "most logged-in sessions per user; 0 means unlimited (the default)")
	num(&o.loginTimeout, "", "login-timeout", 60, "seconds a connection may take to log in (0: no limit)")
	num(&o.banAfter, "", "ban-after", 0, "ban an address after this many failed logins within --ban-window; 0 means never (the default)")
	fs.DurationVar(&o.banWindow, "ban-window", time.Minute, "window in which --ban-after failures count")
	fs.DurationVar(&o.banTime, "ban-time", 10*time.Minute, "how long a banned address is refused")
	boolean(&o.tls, "", "tls", "enable FTPS: AUTH TLS on the main port (needs --certfile)")
	str(&o.certFile, "", "certfile", "", "TLS certificate (PEM; may also hold the key); SIGHUP reloads it")
	str(&o.keyFile, "", "keyfile", "", "TLS private key (PEM), if not in --certfile")
	boolean(&o.tlsControl, "", "tls-control-required", "refuse logins before AUTH TLS")
	boolean(&o.tlsData, "", "tls-data-required", "refuse transfers without PROT P")
	str(&o.tlsImplicit, "", "tls-implicit", "", "also serve implicit FTPS on this address, e.g. :990 (needs --certfile)")
	boolean(&o.tlsNoReuse, "", "tls-no-session-reuse", "accept PROT P data connections that do not resume the control TLS session (Python's ftplib)")
	str(&o.logFormat, "", "log-format", "text", "log format: text or json")
	str(&o.xferlog, "", "xferlog", "", "append a wu-ftpd xferlog line per transfer to this file (SIGHUP reopens it)")
	str(&o.metrics, "", "metrics", "", "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9121")
	str(&o.configFile, "c", "config", "", "TOML configuration file (flags given on the command line override it; SIGHUP reloads users and limits)")
	boolean(&o.checkConfig, "", "check-config", "validate the --config file, print problems with line numbers, and exit")
	fs.DurationVar(&o.grace, "shutdown-grace", 30*time.Second, "on SIGINT/SIGTERM, how long running transfers may go on")
	boolean(&o.showVersion, "v", "version", "print the version and exit")
	fs.Usage = func() { usage(fs, out) }
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
		if kind != "" {
			names += " " + strings.ToUpper(kind)
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(out, "  %-36s %s%s\n", names, f.Usage, def)
	})
}
