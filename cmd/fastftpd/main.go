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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/config"
	"github.com/fastftp/fastftp/metrics"
	"github.com/fastftp/fastftp/reactor"
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
		if mln, err = openMetrics(st); err != nil {
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
	// SIGUSR2 is caught before the pid file names this process: one sent as soon as it
	// does upgrades (it waits in the channel until the signal loop runs).
	usr2 := make(chan os.Signal, 1)
	if upgradeSignal != nil {
		signal.Notify(usr2, upgradeSignal)
	}
	// Sockets come from a predecessor (upgrade), from systemd, or are bound (listen.go).
	// Nothing is accepted before the last step that can fail: a successor that fails
	// exits without having taken a connection from its predecessor's queue.
	ctrlLns, tlsLns, err := openListeners(st)
	if err == nil {
		err = writePidFile(st.pidFile, st.runAs) // as root, if root is left
	}
	if err == nil && st.runAs != nil {
		err = dropPrivileges(st.runAs)
	}
	if err == nil && isWorker() {
		followSupervisor() // after the drop, which cleared the parent-death signal
	}
	if err != nil {
		if st.sockets != nil {
			st.sockets.close()
		}
		srv.Shutdown(context.Background())
		return fail("%v", err)
	}
	served := make(chan error, len(ctrlLns)+len(tlsLns))
	var addrs, implicit []string
	for _, ln := range tlsLns {
		implicit = append(implicit, ln.Addr().String())
		go func() { served <- srv.ServeTLS(ln) }()
	}
	for _, ln := range ctrlLns {
		addrs = append(addrs, ln.Addr().String())
		go func() { served <- srv.Serve(ln) }()
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

	// Serving: the pid file, the predecessor and systemd are told (upgrade.go).
	announce(st, log)
	defer releasePidFile(st.pidFile)
	type upgradeResult struct {
		pid int
		err error
	}
	var upgrading context.CancelFunc // non-nil while a successor starts
	upgraded := make(chan upgradeResult, 1)
	for {
		select {
		case err := <-served:
			return fail("%v", err)
		case <-hup:
			reload(srv, st, o, log)
			continue
		case <-usr2:
			if upgrading != nil {
				log.Warn("SIGUSR2: an upgrade is already under way; ignored")
				continue
			}
			if os.Getpid() == 1 {
				log.Error("SIGUSR2 ignored: this process is PID 1 (a container's init), and its exit would stop the container with the new process in it; run fastftpd under an init (docker run --init, tini) to upgrade in place")
				continue
			}
			log.Info("SIGUSR2: upgrade: starting the executable again with the listening sockets")
			ctx, cancel := context.WithCancel(context.Background())
			upgrading = cancel
			go func() {
				pid, err := startSuccessor(ctx, st.sockets, log, upgradeTimeout)
				upgraded <- upgradeResult{pid, err}
			}()
			continue
		case r := <-upgraded:
			upgrading()
			upgrading = nil
			if r.err != nil {
				log.Error("upgrade failed; this process serves on", "err", r.err)
				continue
			}
			notifySystemd("MAINPID="+strconv.Itoa(r.pid), log) // also works with NotifyAccess=main
			log.Info("upgrade: the successor serves; stopping accepting and draining", "successor_pid", r.pid, "grace", st.grace)
		case sig := <-sigs:
			if upgrading != nil { // the operator stops the service: no successor either
				upgrading()
				if r := <-upgraded; r.err == nil {
					log.Warn("upgrade: the successor became ready as this process stops; it serves on", "successor_pid", r.pid)
				} else {
					log.Info("upgrade abandoned", "err", r.err)
				}
				upgrading = nil
			}
			notifySystemd("STOPPING=1", log)
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

// reload applies SIGHUP: users, limits and virtual hosts (with their certificates) from the
// config file (flags still win), the TLS certificate, and a fresh transfer log file. Sessions stay connected; logged-in users
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
			srv.SetAddrRates(c.ReadLimitPerIP, c.WriteLimitPerIP)
			srv.SetConnLimits(c.MaxConns, c.MaxConnsPerIP)
			srv.SetMaxTransfersPerIP(c.MaxTransfersPerIP)
			if err := srv.SetNotices(c.DirMessage, c.Welcome); err != nil {
				log.Error("SIGHUP: directory message not changed", "err", err)
			}
			if err := srv.SetHosts(c.Hosts); err != nil { // checked by build: not expected
				log.Error("SIGHUP: virtual hosts not reloaded; the old ones stay in use", "err", err)
			}
			log.Info("SIGHUP: users and limits reloaded", "config", o.configFile, "users", len(file.Users), "hosts", len(file.Hosts))
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
// rates, max_cons, max_cons_per_ip, max_transfers_per_ip, dir_message and welcome_file).
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
		{"server.pid_file", s.PidFile},
		{"server.passive_ports", v([2]uint16{s.PassivePortMin, s.PassivePortMax})},
		{"server.masquerade_address", v(s.MasqueradeAddress)},
		{"server.masquerade_map", v(s.MasqueradeMap)},
		{"server.use_localtime", v(s.UseLocalTime)},
		{"server.disable_sendfile", v(s.DisableSendfile)},
		{"server.disable_hash", v(s.DisableHash)},
		{"server.hash_workers", v(s.HashWorkers)},
		{"server.mode_z", v(s.ModeZ)},
		{"server.mode_z_max", v(s.ModeZMax)},
		{"server.mode_z_max_level", v(s.ModeZMaxLevel)},
		{"server.data_notsent_lowat", v(s.DataNotSentLowat)},
		{"server.data_loops", v(s.DataLoops)},
		{"server.data_writers", v(s.DataWriters)},
		{"server.list_cache_size", v(s.ListCacheSize)},
		{"server.list_sort_max", v(s.ListSortMax)},
		{"server.list_numeric_owners", v(s.ListNumericOwners)},
		{"server.open_file_cache", v(s.OpenFileCache)},
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

// logStart logs the effective configuration, once, in one line.
func logStart(log *slog.Logger, st *settings, addrs, implicit []string, mln net.Listener) {
	cfg, s := &st.cfg, &st.file.Server
	loops := cfg.Loops
	if loops <= 0 {
		loops = reactor.DefaultLoops()
	}
	dataLoops := cfg.DataLoopCount() // 0 with --disable-sendfile, "off", or not on Linux
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
		"max_transfers_per_ip", lim(s.MaxTransfersPerIP),
		"max_sessions_per_user", lim(s.MaxSessionsPerUser),
		"max_login_attempts", lim(s.MaxLoginAttempts),
		"ban", ban,
		"read_limit", rate(s.ReadLimit),
		"write_limit", rate(s.WriteLimit),
		"global_read_limit", rate(s.GlobalReadLimit),
		"global_write_limit", rate(s.GlobalWriteLimit),
		"read_limit_per_ip", rate(s.ReadLimitPerIP),
		"write_limit_per_ip", rate(s.WriteLimitPerIP),
		"event_loops", loops,
		"sendfile", !cfg.DisableSendfile && sendfile.Supported(),
		"hash", !cfg.DisableHash,
		"mode_z", cfg.ModeZ,
		"data_loops", dataLoops, // 0: a goroutine per transfer
		"data_writers", cfg.DataWriters,
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
