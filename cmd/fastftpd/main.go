// Command fastftpd runs the fastftp FTP server. With no flags it serves the current
// directory, anonymous and read-only, on port 2121 of every interface, like
// `python3 -m pyftpdlib`; the flags keep pyftpdlib's names.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/throttle"
)

const version = "0.1.0"

type options struct {
	iface, natAddr, portRange, dir, user, pass, banner string
	port, timeout, maxCons, maxConsPerIP, maxLogin     int
	loops                                              int
	write, debug, foreign, privileged, localTime       bool
	noSendfile, showVersion                            bool
	grace                                              time.Duration

	readLimit, writeLimit, globalRead, globalWrite string
	maxUserSessions, loginTimeout, banAfter        int
	banWindow, banTime                             time.Duration

	tls, tlsControl, tlsData, tlsNoReuse bool
	certFile, keyFile, tlsImplicit       string
	certs                                *fastftp.CertReloader
	logFormat                            string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
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
	str(&o.logFormat, "", "log-format", "text", "log format: text or json")
	str(&o.user, "u", "username", "", "a user name to require instead of anonymous access (needs -P)")
	str(&o.pass, "P", "password", "", "the password of the -u user")
	num(&o.timeout, "", "timeout", 300, "seconds a control connection may idle before it is closed (0: never)")
	str(&o.banner, "", "banner", "fastftp "+version+" ready.", "text of the 220 greeting")
	boolean(&o.foreign, "", "permit-foreign-addresses", "allow data connections from/to an address other than the client's (FXP)")
	boolean(&o.privileged, "", "permit-privileged-ports", "allow PORT/EPRT to ports below 1024")
	boolean(&o.localTime, "", "use-localtime", "show times in local time instead of GMT")
	boolean(&o.noSendfile, "", "disable-sendfile", "copy through user-space buffers instead of sendfile(2)/splice(2)")
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
	fs.DurationVar(&o.grace, "shutdown-grace", 30*time.Second, "on SIGINT/SIGTERM, how long running transfers may go on")
	boolean(&o.tls, "", "tls", "enable FTPS: AUTH TLS on the main port (needs --certfile)")
	str(&o.certFile, "", "certfile", "", "TLS certificate (PEM; may also hold the key); SIGHUP reloads it")
	str(&o.keyFile, "", "keyfile", "", "TLS private key (PEM), if not in --certfile")
	boolean(&o.tlsControl, "", "tls-control-required", "refuse logins before AUTH TLS")
	boolean(&o.tlsData, "", "tls-data-required", "refuse transfers without PROT P")
	str(&o.tlsImplicit, "", "tls-implicit", "", "also serve implicit FTPS on this address, e.g. :990 (needs --certfile)")
	boolean(&o.tlsNoReuse, "", "tls-no-session-reuse", "accept PROT P data connections that do not resume the control TLS session (Python's ftplib)")
	boolean(&o.showVersion, "v", "version", "print the version and exit")
	fs.Usage = func() { usage(fs, out) }
	return fs
}

// usage prints each flag once, with its short and long names together.
func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, "Usage: fastftpd [options]\n\nServe a directory over FTP (defaults: current directory, anonymous, read-only, port 2121).\n\nOptions:\n")
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

func run(args []string, stderr io.Writer) int {
	var o options
	fs := flagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.showVersion {
		fmt.Fprintln(stderr, "fastftpd", version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fastftpd: unexpected argument %q (see -h)\n", fs.Arg(0))
		return 2
	}
	level := slog.LevelInfo
	if o.debug {
		level = slog.LevelDebug
	}
	var handler slog.Handler
	switch o.logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	case "json":
		handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	default:
		fmt.Fprintf(stderr, "fastftpd: --log-format %q: want text or json\n", o.logFormat)
		return 2
	}
	log := slog.New(handler)
	cfg, addr, err := buildConfig(&o, log)
	if err != nil {
		fmt.Fprintln(stderr, "fastftpd:", err)
		return 2
	}
	srv, err := fastftp.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "fastftpd:", err)
		return 1
	}
	ln, err := fastftp.Listen(addr)
	if err != nil {
		fmt.Fprintln(stderr, "fastftpd:", err)
		srv.Shutdown(context.Background())
		return 1
	}
	served := make(chan error, 2)
	if o.tlsImplicit != "" {
		iln, err := fastftp.Listen(o.tlsImplicit)
		if err != nil {
			fmt.Fprintln(stderr, "fastftpd: implicit FTPS:", err)
			ln.Close()
			srv.Shutdown(context.Background())
			return 1
		}
		log.Info("implicit FTPS", "address", iln.Addr().String())
		go func() { served <- srv.ServeTLS(iln) }()
	}
	logStart(log, &o, cfg, ln)

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() { served <- srv.Serve(ln) }()
wait:
	for {
		select {
		case err := <-served:
			fmt.Fprintln(stderr, "fastftpd:", err)
			return 1
		case <-hup:
			if o.certs == nil {
				log.Info("SIGHUP: nothing to reload")
			} else if err := o.certs.Reload(); err != nil {
				log.Error("SIGHUP: certificate not reloaded; the old one stays in use", "err", err)
			} else {
				log.Info("SIGHUP: TLS certificate reloaded", "certfile", o.certFile)
			}
		case sig := <-sigs:
			log.Info("stopping: no new connections; waiting for transfers", "signal", sig.String(), "grace", o.grace)
			break wait
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.grace)
	go func() { // a second signal stops at once
		<-sigs
		cancel()
	}()
	err = srv.Shutdown(ctx)
	cancel()
	if err != nil {
		log.Warn("transfers cut short at shutdown", "err", err)
	}
	log.Info("stopped")
	return 0
}

func buildConfig(o *options, log *slog.Logger) (fastftp.Config, string, error) {
	cfg := fastftp.Config{
		Banner:                 o.banner,
		Loops:                  o.loops,
		IdleTimeout:            time.Duration(o.timeout) * time.Second,
		PermitForeignAddresses: o.foreign,
		PermitPrivilegedPorts:  o.privileged,
		UseLocalTime:           o.localTime,
		DisableSendfile:        o.noSendfile,
		MaxConns:               o.maxCons,
		MaxConnsPerIP:          o.maxConsPerIP,
		MaxLoginAttempts:       o.maxLogin,
		Debug:                  o.debug,
		Logger:                 log,
	}
	if o.timeout <= 0 {
		cfg.IdleTimeout = -1
	}
	cfg.LoginTimeout = time.Duration(o.loginTimeout) * time.Second
	if o.loginTimeout <= 0 {
		cfg.LoginTimeout = -1
	}
	cfg.MaxSessionsPerUser = o.maxUserSessions
	cfg.BanAfter, cfg.BanWindow, cfg.BanTime = o.banAfter, o.banWindow, o.banTime
	for _, r := range []struct {
		flag string
		text string
		dst  *float64
	}{
		{"--read-limit", o.readLimit, &cfg.ReadLimit},
		{"--write-limit", o.writeLimit, &cfg.WriteLimit},
		{"--global-read-limit", o.globalRead, &cfg.GlobalReadLimit},
		{"--global-write-limit", o.globalWrite, &cfg.GlobalWriteLimit},
	} {
		v, err := throttle.ParseRate(r.text)
		if err != nil {
			return cfg, "", fmt.Errorf("%s: %v", r.flag, err)
		}
		*r.dst = v
	}
	if o.port < 0 || o.port > 65535 {
		return cfg, "", fmt.Errorf("port %d is out of range 0-65535", o.port)
	}
	if o.maxCons < 0 || o.maxConsPerIP < 0 {
		return cfg, "", errors.New("--max-cons and --max-cons-per-ip take 0 (unlimited) or more")
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return cfg, "", fmt.Errorf("directory %s: %w", o.dir, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return cfg, "", fmt.Errorf("directory %s does not exist or is not a directory", o.dir)
	}
	if o.natAddr != "" {
		a, err := netip.ParseAddr(o.natAddr)
		if err != nil || !a.Is4() {
			return cfg, "", fmt.Errorf("--nat-address %q is not an IPv4 address", o.natAddr)
		}
		cfg.MasqueradeAddress = a
	}
	if o.portRange != "" {
		lo, hi, ok := strings.Cut(o.portRange, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if !ok || err1 != nil || err2 != nil || a == 0 || a > b {
			return cfg, "", fmt.Errorf("--range %q: want FROM-TO, e.g. 60000-65535", o.portRange)
		}
		cfg.PassivePortMin, cfg.PassivePortMax = uint16(a), uint16(b)
	}
	letters := auth.ReadOnly
	if o.write {
		letters = auth.ReadWrite
	}
	perm, _ := auth.ParsePerm(letters)
	st := auth.NewStatic()
	switch {
	case o.user != "" && o.pass == "":
		return cfg, "", errors.New("-u/--username needs -P/--password")
	case o.user != "":
		err = st.AddUser(o.user, o.pass, dir, perm)
	default:
		err = st.AddAnonymous(dir, perm)
	}
	if err != nil {
		return cfg, "", err
	}
	cfg.Auth = st
	cfg.Root = dir
	if o.tls || o.tlsImplicit != "" || o.certFile != "" {
		if o.certFile == "" {
			return cfg, "", errors.New("--tls and --tls-implicit need --certfile")
		}
		certs, err := fastftp.LoadCert(o.certFile, o.keyFile)
		if err != nil {
			return cfg, "", err
		}
		o.certs = certs
		cfg.TLS = certs.TLSConfig()
		cfg.TLSControlRequired, cfg.TLSDataRequired = o.tlsControl, o.tlsData
		cfg.TLSNoSessionReuse = o.tlsNoReuse
	} else if o.tlsControl || o.tlsData {
		return cfg, "", errors.New("--tls-control-required and --tls-data-required need --tls and --certfile")
	}
	return cfg, net.JoinHostPort(o.iface, strconv.Itoa(o.port)), nil
}

func logStart(log *slog.Logger, o *options, cfg fastftp.Config, ln net.Listener) {
	loops := o.loops
	if loops <= 0 {
		loops = runtime.NumCPU()
	}
	nat, ports := "none", "any free port"
	if cfg.MasqueradeAddress.IsValid() {
		nat = cfg.MasqueradeAddress.String()
	}
	if cfg.PassivePortMin != 0 {
		ports = fmt.Sprintf("%d-%d", cfg.PassivePortMin, cfg.PassivePortMax)
	}
	who := "anonymous"
	if o.user != "" {
		who = "user " + o.user
	}
	access := "read-only"
	if o.write {
		access = "read-write"
	}
	log.Info("concurrency model: gnet reactor", "event_loops", loops)
	log.Info("serving", "directory", cfg.Root, "access", who+", "+access)
	log.Info("masquerade (NAT) address", "address", nat)
	log.Info("passive ports", "range", ports)
	log.Info("use sendfile(2)", "enabled", !cfg.DisableSendfile && sendfile.Supported())
	if cfg.TLS != nil {
		log.Info("FTPS (AUTH TLS)", "certfile", o.certFile, "control_required", cfg.TLSControlRequired,
			"data_required", cfg.TLSDataRequired, "session_reuse_required", !cfg.TLSNoSessionReuse)
	}
	if cfg.ReadLimit+cfg.WriteLimit+cfg.GlobalReadLimit+cfg.GlobalWriteLimit > 0 {
		log.Info("bandwidth limits (bytes/s, 0 unlimited)", "read", cfg.ReadLimit, "write", cfg.WriteLimit,
			"global_read", cfg.GlobalReadLimit, "global_write", cfg.GlobalWriteLimit)
	}
	log.Info("starting FTP server", "address", ln.Addr().String(), "pid", os.Getpid(), "version", version)
}
