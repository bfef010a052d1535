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
	"os"
	"os/signal"
	"runtime"
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
	if o.checkConfig {
		for _, w := range file.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		fmt.Fprintf(stderr, "%s: OK (%d users)\n", o.configFile, len(file.Users))
		return 0
	}
	st, err := build(&o, file)
	if err != nil {
		fmt.Fprintln(stderr, "fastftpd:", err)
		return 2
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
	if st.xferlog != "" {
		w, err := xferlog.Open(st.xferlog)
		if err != nil {
			return fail("transfer log: %v", err)
		}
		defer w.Close()
		st.cfg.TransferLog = w
	}
	if st.metrics != "" {
		st.cfg.Metrics = metrics.New()
		mln, err := fastftp.Listen(st.metrics)
		if err != nil {
			return fail("metrics: %v", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", st.cfg.Metrics.Handler())
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(mln)
		defer hs.Close()
		log.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	srv, err := fastftp.New(st.cfg)
	if err != nil {
		return fail("%v", err)
	}
	served := make(chan error, len(st.listen)+len(st.implicit))
	var lns []net.Listener
	open := func(addrs []string, tls bool) error {
		for _, a := range addrs {
			ln, err := fastftp.Listen(a)
			if err != nil {
				return err
			}
			lns = append(lns, ln)
			if tls {
				log.Info("implicit FTPS", "address", ln.Addr().String())
				go func() { served <- srv.ServeTLS(ln) }()
			} else {
				go func() { served <- srv.Serve(ln) }()
			}
		}
		return nil
	}
	if len(st.listen) == 0 {
		st.listen = []string{":2121"}
	}
	err = open(st.implicit, true)
	if err == nil {
		logStart(log, st, o)
		err = open(st.listen, false)
	}
	if err != nil {
		for _, ln := range lns {
			ln.Close()
		}
		srv.Shutdown(context.Background())
		return fail("%v", err)
	}
	for _, ln := range lns[len(st.implicit):] {
		log.Info("starting FTP server", "address", ln.Addr().String(), "pid", os.Getpid(), "version", version)
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	for {
		select {
		case err := <-served:
			return fail("%v", err)
		case <-hup:
			reload(srv, st, o, log)
			continue
		case sig := <-sigs:
			log.Info("stopping: no new connections; waiting for transfers", "signal", sig.String(), "grace", o.grace)
		}
		break
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

// reload applies SIGHUP: users and limits from the config file (flags still win), the TLS
// certificate, and a fresh transfer log file. Sessions stay connected; logged-in users
// keep their rights until they log in again. On any error the old settings stay.
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

func logStart(log *slog.Logger, st *settings, o *options) {
	cfg := &st.cfg
	loops := cfg.Loops
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
	log.Info("concurrency model: gnet reactor", "event_loops", loops)
	log.Info("serving", "directory", cfg.Root, "access", st.access)
	log.Info("masquerade (NAT) address", "address", nat)
	log.Info("passive ports", "range", ports)
	log.Info("use sendfile(2)", "enabled", !cfg.DisableSendfile && sendfile.Supported())
	if cfg.ReadLimit+cfg.WriteLimit+cfg.GlobalReadLimit+cfg.GlobalWriteLimit > 0 {
		log.Info("bandwidth limits (bytes/s, 0 unlimited)", "read", cfg.ReadLimit, "write", cfg.WriteLimit,
			"global_read", cfg.GlobalReadLimit, "global_write", cfg.GlobalWriteLimit)
	}
	if cfg.TLS != nil {
		log.Info("FTPS (AUTH TLS)", "certfile", st.certFile, "control_required", cfg.TLSControlRequired,
			"data_required", cfg.TLSDataRequired, "session_reuse_required", !cfg.TLSNoSessionReuse)
	}
}
