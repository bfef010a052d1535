// Command fastftpd runs the fastftp FTP server. With no flags it serves the current
// directory, anonymous and read-only, on port 2121 of every interface, like
// `python3 -m pyftpdlib`; the flags keep pyftpdlib's names. `--config FILE` takes a TOML
// file instead (flags given explicitly override it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/config"
	"github.com/fastftp/fastftp/metrics"
	"github.com/fastftp/fastftp/sendfile"
	"github.com/fastftp/fastftp/xferlog"
)

const version = "0.1.0"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "passwd" {
		os.Exit(runPasswd(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stderr))
}

// load reads the config file, if any, printing its problems one per line.
func load(o *options, stderr io.Writer) (*config.File, bool) {
	if o.configFile == "" {
		return nil, true
	}
	f, err := config.Load(o.configFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return f, true
}

func run(args []string, stderr io.Writer) int {
	o := options{set: map[string]bool{}}
	fs := flagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(fs, stderr)
			return 0
		}
		return 2
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.showVersion {
		fmt.Fprintln(stderr, "fastftpd", version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fastftpd: unexpected argument %q (see -h)\n", fs.Arg(0))
		return 2
	}
	if o.checkConfig && o.configFile == "" {
		fmt.Fprintln(stderr, "fastftpd: --check-config needs --config FILE")
		return 2
	}
	file, ok := load(&o, stderr)
	if !ok {
		return 2
	}
	st, err := build(&o, file)
	if err == nil {
		// At start only: a reload runs as whoever the server became.
		st.runAs, st.runAsNote, err = resolveRunAs(st.file, o.given("run-as") || file == nil)
	}
	if err != nil {
		fmt.Fprintln(stderr, "fastftpd:", err)
		return 2
	}
	if o.checkConfig {
		for _, w := range file.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		fmt.Fprintf(stderr, "%s: OK (%d users)\n", o.configFile, len(file.Users))
		return 0
	}
	var handler slog.Handler
	hopts := &slog.HandlerOptions{Level: st.logLevel}
	switch st.logFormat {
	case "text", "":
		handler = slog.NewTextHandler(stderr, hopts)
	case "json":
		handler = slog.NewJSONHandler(stderr, hopts)
	default:
		fmt.Fprintf(stderr, "fastftpd: --log-format %q: want text or json\n", st.logFormat)
		return 2
	}
	log := slog.New(handler)
	st.cfg.Logger = log
	if file != nil {
		for _, w := range file.Warnings {
			log.Warn(w)
		}
	}
	return serve(st, &o, log, stderr)
}

// serve runs the server until a signal, reloading on SIGHUP.
func serve(st *settings, o *options, log *slog.Logger, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "fastftpd: "+format+"\n", a...)
		return 1
	}
	if st.workers > 1 { // workers.go
		if !isWorker() {
			return supervise(st, log, stderr)
		}
		var err error
		if log, err = joinWorkers(st, log); err != nil {
			return fail("%v", err)
		}
	}
	if st.xferlog != "" {
		w, err := xferlog.Open(st.xferlog)
		if err != nil {
			return fail("transfer log: %v", err)
		}
		defer w.Close()
		st.cfg.TransferLog = w
	}
	var mln net.Listener
	if st.metrics != "" {
		st.cfg.Metrics = metrics.New()
		var err error
		if mln, err = listenFor(st.metrics, st.metricsFrom); err != nil {
			return fail("metrics: %v", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", st.cfg.Metrics.Handler())
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(mln)
		defer hs.Close()
	}
	srv, err := fastftp.New(st.cfg)
	if err != nil {
		return fail("%v", err)
	}
	served := make(chan error, len(st.listen)+len(st.implicit))
	var lns []net.Listener
	var addrs, implicit []string
	open := func(list []string, from string, tls bool) error {
		for _, a := range list {
			ln, err := listenFor(a, from)
			if err != nil {
				return err
			}
			lns = append(lns, ln)
			if tls {
				implicit = append(implicit, ln.Addr().String())
				go func() { served <- srv.ServeTLS(ln) }()
			} else {
				addrs = append(addrs, ln.Addr().String())
				go func() { served <- srv.Serve(ln) }()
			}
		}
		return nil
	}
	if len(st.listen) == 0 {
		st.listen = []string{":2121"}
	}
	err = open(st.implicit, st.implicitFrom, true)
	if err == nil {
		err = open(st.listen, st.listenFrom, false)
	}
	if err == nil && st.runAs != nil {
		err = dropPrivileges(st.runAs)
	}
	if err != nil {
		for _, ln := range lns {
			ln.Close()
		}
		srv.Shutdown(context.Background())
		return fail("%v", err)
	}
	// Signals are caught before the start-up log announces the server, so that a SIGHUP
	// sent as soon as it is seen reloads instead of killing.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if st.runAs == nil && os.Geteuid() == 0 {
		log.Warn("running as root", "run_as", st.runAsNote)
	}
	logStart(log, st, addrs, implicit, mln)
	for _, a := range addrs {
		log.Info("starting FTP server", "address", a, "pid", os.Getpid(), "version", version)
	}

	for {
		select {
		case err := <-served:
			return fail("%v", err)
		case <-hup:
			reload(srv, st, o, log)
			continue
		case sig := <-sigs:
			log.Info("stopping: no new connections; waiting for transfers", "signal", sig.String(), "grace", st.grace)
		}
		break
	}
	ctx, cancel := context.WithTimeout(context.Background(), max(st.grace, 0))
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

// reload applies SIGHUP: users and limits from the config file (flags still win), the TLS
// certificate, and a fresh transfer log file. Sessions stay connected; logged-in users
// keep their rights until they log in again. On any error the old settings stay. Changed
// settings that only a restart applies are named in a warning.
func reload(srv *fastftp.Server, st *settings, o *options, log *slog.Logger) {
	if o.configFile != "" {
		file, err := config.Load(o.configFile)
		if err != nil {
			log.Error("SIGHUP: config not reloaded; the old one stays in use", "err", err)
		} else if next, err := build(o, file); err != nil {
			log.Error("SIGHUP: config not reloaded; the old one stays in use", "err", err)
		} else {
			c := &next.cfg
			srv.SetAuthorizer(c.Auth)
			srv.SetRates(c.ReadLimit, c.WriteLimit, c.GlobalReadLimit, c.GlobalWriteLimit)
			srv.SetConnLimits(c.MaxConns, c.MaxConnsPerIP)
			log.Info("SIGHUP: users and limits reloaded", "config", o.configFile, "users", len(file.Users))
			if keys := restartNeeded(st, next); len(keys) > 0 {
				log.Warn("SIGHUP: changed settings need a restart; the running values stay", "keys", strings.Join(keys, ", "))
			}
		}
	}
	if st.certs != nil {
		if err := st.certs.Reload(); err != nil {
			log.Error("SIGHUP: certificate not reloaded; the old one stays in use", "err", err)
		} else {
			log.Info("SIGHUP: TLS certificate reloaded", "certfile", st.certFile)
		}
	}
	if w := st.cfg.TransferLog; w != nil {
		if err := w.Reopen(); err != nil {
			log.Error("SIGHUP: transfer log not reopened", "err", err)
		}
	}
}

// restartNeeded lists the keys whose value differs between the running settings and
// reloaded ones, among those a reload does not apply (everything but the users, the
// rates, max_cons and max_cons_per_ip).
func restartNeeded(cur, next *settings) []string {
	var keys []string
	a, b := restartOnly(cur), restartOnly(next)
	for i := range a {
		if a[i][1] != b[i][1] {
			keys = append(keys, a[i][0])
		}
	}
	return keys
}

func restartOnly(st *settings) [][2]string {
	f := st.file
	s, t := &f.Server, &f.TLS
	v := func(x any) string { return fmt.Sprint(x) }
	return [][2]string{
		{"server.listen", v(s.Listen)},
		{"server.banner", s.Banner},
		{"server.loops", v(s.Loops)},
		{"server.workers", v(s.Workers)},
		{"server.max_login_attempts", v(s.MaxLoginAttempts)},
		{"server.max_sessions_per_user", v(s.MaxSessionsPerUser)},
		{"server.idle_timeout", v(s.IdleTimeout)},
		{"server.data_timeout", v(s.DataTimeout)},
		{"server.login_timeout", v(s.LoginTimeout)},
		{"server.ban_after", v(s.BanAfter)},
		{"server.ban_window", v(s.BanWindow)},
		{"server.ban_time", v(s.BanTime)},
		{"server.shutdown_grace", v(s.ShutdownGrace)},
		{"server.run_as", s.RunAs},
		{"server.passive_ports", v([2]uint16{s.PassivePortMin, s.PassivePortMax})},
		{"server.masquerade_address", v(s.MasqueradeAddress)},
		{"server.masquerade_map", v(s.MasqueradeMap)},
		{"server.use_localtime", v(s.UseLocalTime)},
		{"server.disable_sendfile", v(s.DisableSendfile)},
		{"server.disable_hash", v(s.DisableHash)},
		{"server.hash_workers", v(s.HashWorkers)},
		{"server.data_notsent_lowat", v(s.DataNotSentLowat)},
		{"server.data_loops", v(s.DataLoops)},
		{"server.permit_foreign_addresses", v(s.PermitForeignAddresses)},
		{"server.permit_privileged_ports", v(s.PermitPrivilegedPorts)},
		{"server.proxy_protocol_from", v(s.ProxyProtocolFrom)},
		{"log.format", f.Log.Format},
		{"log.level", v(f.Log.Level)},
		{"log.xferlog", f.Log.Xferlog},
		{"metrics.listen", f.Metrics.Listen},
		{"tls.cert_file", t.CertFile},
		{"tls.key_file", t.KeyFile},
		{"tls.control_required", v(t.ControlRequired)},
		{"tls.data_required", v(t.DataRequired)},
		{"tls.implicit_listen", v(t.ImplicitListen)},
		{"tls.require_session_reuse", v(t.RequireSessionReuse)},
	}
}

// bind opens a listener and turns the errors operators hit into one sentence that names
// the flag or key the address came from (from).
func bind(addr, from string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1} // as fastftp.Listen: the idle timeout closes dead clients
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err == nil {
		return ln, nil
	}
	_, port, _ := net.SplitHostPort(addr)
	switch {
	case errors.Is(err, syscall.EACCES) && from == "-p":
		return nil, fmt.Errorf("port %s needs root or CAP_NET_BIND_SERVICE; use -p 2121", port)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("port %s (%s) needs root or CAP_NET_BIND_SERVICE; choose a port above 1023", port, from)
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %s is already in use by another program; choose another with %s", port, from)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("address %s (%s) is not an address of this machine", addr, from)
	}
	return nil, fmt.Errorf("listen on %s (%s): %w", addr, from, err)
}

// logStart logs the effective configuration, once, in one line.
func logStart(log *slog.Logger, st *settings, addrs, implicit []string, mln net.Listener) {
	cfg, s := &st.cfg, &st.file.Server
	loops := cfg.Loops
	if loops <= 0 {
		loops = runtime.NumCPU()
	}
	dataLoops := cfg.DataLoops
	if cfg.DisableSendfile || runtime.GOOS != "linux" {
		dataLoops = 0 // the engine is off with --disable-sendfile, and Linux-only
	}
	nat, ports, tlsDesc, metricsURL := "none", "any free port", "off", "off"
	if cfg.MasqueradeAddress.IsValid() {
		nat = cfg.MasqueradeAddress.String()
	}
	if len(cfg.MasqueradeMap) > 0 {
		nat += fmt.Sprintf(" (+%d per local address)", len(cfg.MasqueradeMap))
	}
	if cfg.PassivePortMin != 0 {
		ports = fmt.Sprintf("%d-%d", cfg.PassivePortMin, cfg.PassivePortMax)
	}
	if cfg.TLS != nil {
		tlsDesc = fmt.Sprintf("AUTH TLS, cert %s, control_required=%v data_required=%v session_reuse_required=%v",
			st.certFile, cfg.TLSControlRequired, cfg.TLSDataRequired, !cfg.TLSNoSessionReuse)
	}
	if mln != nil {
		metricsURL = "http://" + mln.Addr().String() + "/metrics"
	}
	dur := func(d time.Duration) string {
		if d <= 0 {
			return "off"
		}
		return d.String()
	}
	lim := func(n int) string {
		if n <= 0 {
			return "unlimited"
		}
		return strconv.Itoa(n)
	}
	rate := func(r float64) string {
		if r <= 0 {
			return "unlimited"
		}
		return strconv.FormatFloat(r, 'f', -1, 64) + "B/s"
	}
	ban := "off"
	if s.BanAfter > 0 {
		ban = fmt.Sprintf("%d failures in %s ban for %s", s.BanAfter, s.BanWindow, s.BanTime)
	}
	log.Info("effective configuration",
		"listen", strings.Join(addrs, ","),
		"implicit_ftps", strings.Join(implicit, ","),
		"passive_ports", ports,
		"masquerade", nat,
		"proxy_protocol_from", proxyDesc(s.ProxyProtocolFrom),
		"access", st.access,
		"read_only", st.readOnly,
		"tls", tlsDesc,
		"run_as", st.runAsNote,
		"idle_timeout", dur(s.IdleTimeout),
		"data_timeout", dur(s.DataTimeout),
		"login_timeout", dur(s.LoginTimeout),
		"max_cons", lim(s.MaxConns),
		"max_cons_per_ip", lim(s.MaxConnsPerIP),
		"max_sessions_per_user", lim(s.MaxSessionsPerUser),
		"max_login_attempts", lim(s.MaxLoginAttempts),
		"ban", ban,
		"read_limit", rate(s.ReadLimit),
		"write_limit", rate(s.WriteLimit),
		"global_read_limit", rate(s.GlobalReadLimit),
		"global_write_limit", rate(s.GlobalWriteLimit),
		"event_loops", loops,
		"sendfile", !cfg.DisableSendfile && sendfile.Supported(),
		"hash", !cfg.DisableHash,
		"data_loops", dataLoops, // 0: a goroutine per transfer
		"metrics", metricsURL,
		"shutdown_grace", dur(st.grace),
	)
}

// proxyDesc names the trusted balancers for the start-up log.
func proxyDesc(p []netip.Prefix) string {
	if len(p) == 0 {
		return "off"
	}
	out := make([]string, len(p))
	for i, x := range p {
		out[i] = x.String()
	}
	return strings.Join(out, ",")
}
