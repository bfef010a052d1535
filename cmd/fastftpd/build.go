// From command line and config file to a server configuration, in three steps:
//
//  1. the settings start as the config file's (--config), or as the file's defaults;
//  2. flags apply to them (applyFlags): without --config every flag applies, with its
//     default; with --config a flag given on the command line overrides only the key it
//     names (keyOf), and combinations that would replace the file's users or widen its
//     listen addresses are refused;
//  3. convert turns the result into a fastftp.Config: the one place where fastftpd's
//     vocabulary (0 = off or unlimited) meets the library's (0 = the library's default,
//     negative = off).

package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/config"
	"github.com/fastftp/fastftp/internal/proxyhdr"
	"github.com/fastftp/fastftp/session"
	"github.com/fastftp/fastftp/throttle"
)

// settings is everything the command needs: the library Config plus listeners and logs.
type settings struct {
	file      *config.File // the effective settings, in the file's vocabulary
	cfg       fastftp.Config
	listen    []string
	implicit  []string
	certs     *fastftp.CertReloader
	certFile  string
	xferlog   string
	metrics   string
	logFormat string
	logLevel  slog.Level
	grace     time.Duration
	workers   int    // processes (see workers.go); 1: this one
	access    string // for the start-up log: who may log in
	readOnly  bool   // no login may change files
	runAs     *account
	runAsNote string // for the start-up log: which account serves, and why
	pidFile   string // "" = none
	// listenDefault and implicitDefault: no flag or key named the control (implicit
	// FTPS) addresses, so the sockets systemd passes are served whatever their address.
	listenDefault, implicitDefault bool
	// sockets are the listening sockets handed over (by systemd or a predecessor) and
	// open (listen.go); nil until the first listener opens.
	sockets *sockets
	// from names, for messages, where each address came from ("-p", "--metrics", or a
	// key of the file).
	listenFrom, implicitFrom, metricsFrom string
}

// build makes the settings from the options and, when given, the loaded config file
// (which it changes: the flags are applied to it).
func build(o *options, file *config.File) (*settings, error) {
	f := file
	if f == nil {
		var err error
		if f, err = config.Parse("command line", nil); err != nil {
			return nil, err
		}
	}
	if err := applyFlags(o, f, file != nil); err != nil {
		return nil, err
	}
	st, err := convert(f)
	if err != nil {
		return nil, err
	}
	st.listenFrom, st.implicitFrom, st.metricsFrom = "-p", "--tls-implicit", "--metrics"
	st.listenDefault = !o.given("p", "port", "i", "interface") && (file == nil || file.Server.ListenDefault)
	st.implicitDefault = !o.given("tls-implicit") && (file == nil || len(file.TLS.ImplicitListen) == 0)
	if file != nil {
		if !o.given("p", "port", "i", "interface") {
			st.listenFrom = "server.listen in " + file.Name
		}
		if !o.given("tls-implicit") {
			st.implicitFrom = "tls.implicit_listen in " + file.Name
		}
		if !o.given("metrics") {
			st.metricsFrom = "metrics.listen in " + file.Name
		}
	}
	return st, nil
}

// applyFlags applies the command line to f. With a file (withFile), only the flags given
// explicitly apply, each to the key it names.
func applyFlags(o *options, f *config.File, withFile bool) error {
	use := func(names ...string) bool { return !withFile || o.given(names...) }
	s := &f.Server
	for _, n := range []struct {
		flag string
		v    int
	}{{"max-cons", o.maxCons}, {"max-cons-per-ip", o.maxConsPerIP}, {"max-login-attempts", o.maxLogin},
		{"loops", o.loops}, {"max-sessions-per-user", o.maxUserSessions}, {"ban-after", o.banAfter},
		{"hash-workers", o.hashWorkers}, {"data-writers", o.dataWriters},
		{"list-sort-max", o.listSortMax}, {"max-transfers-per-ip", o.maxXfersPerIP},
		{"mode-z-max", o.modeZMax}, {"mode-z-max-level", o.modeZMaxLevel}, {"open-file-cache", o.openFileCache}} {
		if n.v < 0 {
			zero := map[string]string{"loops": "one per two CPUs", "hash-workers": "one per 4 CPUs",
				"list-sort-max": "never sort", "mode-z-max": "one per CPU", "mode-z-max-level": "6", "open-file-cache": "off",
				"data-writers": "the data loops write uploads"}[n.flag]
			if zero == "" {
				zero = "unlimited"
			}
			return fmt.Errorf("--%s %d: want 0 (%s) or more", n.flag, n.v, zero)
		}
	}
	if o.modeZMaxLevel > 9 {
		return fmt.Errorf("--mode-z-max-level %d: want a zlib level, 0 (6) to 9", o.modeZMaxLevel)
	}
	dataLoops, err := config.ParseDataLoops(o.dataLoops)
	if err != nil {
		return fmt.Errorf("--data-loops %v", err)
	}
	if use("banner") {
		s.Banner = o.banner
	}
	if use("loops") {
		s.Loops = o.loops
	}
	if use("timeout") {
		s.IdleTimeout = o.timeout
	}
	if use("data-timeout") {
		s.DataTimeout = o.dataTimeout
	}
	if use("login-timeout") {
		s.LoginTimeout = o.loginTimeout
	}
	if use("permit-foreign-addresses") {
		s.PermitForeignAddresses = o.foreign
	}
	if use("permit-privileged-ports") {
		s.PermitPrivilegedPorts = o.privileged
	}
	if use("proxy-protocol-from") {
		p, err := proxyhdr.ParsePrefixes(strings.Split(o.proxyFrom, ","))
		if err != nil {
			return fmt.Errorf("--proxy-protocol-from: %v", err)
		}
		s.ProxyProtocolFrom = p
	}
	if use("use-localtime") {
		s.UseLocalTime = o.localTime
	}
	if use("disable-sendfile") {
		s.DisableSendfile = o.noSendfile
	}
	if use("disable-hash") {
		s.DisableHash = o.noHash
	}
	if use("hash-workers") {
		s.HashWorkers = o.hashWorkers
	}
	if use("mode-z") {
		s.ModeZ = o.modeZ
	}
	if use("mode-z-max") {
		s.ModeZMax = o.modeZMax
	}
	if use("mode-z-max-level") {
		s.ModeZMaxLevel = o.modeZMaxLevel
	}
	if use("data-notsent-lowat") {
		n, err := parseLowat(o.notSentLowat)
		if err != nil {
			return fmt.Errorf("--data-notsent-lowat: %v", err)
		}
		s.DataNotSentLowat = n
	}
	if use("data-loops") {
		s.DataLoops = dataLoops
	}
	if use("data-writers") {
		s.DataWriters = o.dataWriters
	}
	if use("list-cache-size") {
		n, err := parseListCacheSize(o.listCacheSize)
		if err != nil {
			return fmt.Errorf("--list-cache-size: %v", err)
		}
		s.ListCacheSize = n
	}
	if use("list-sort-max") {
		s.ListSortMax = o.listSortMax
	}
	if use("open-file-cache") {
		s.OpenFileCache = o.openFileCache
	}
	if use("list-numeric-owners") {
		s.ListNumericOwners = o.listNumericOwners
	}
	if use("workers") {
		n, err := config.ParseWorkers(o.workers)
		if err != nil {
			return fmt.Errorf("--workers %v", err)
		}
		s.Workers = n
	}
	if use("max-cons") {
		s.MaxConns = o.maxCons
	}
	if use("max-cons-per-ip") {
		s.MaxConnsPerIP = o.maxConsPerIP
	}
	if use("max-transfers-per-ip") {
		s.MaxTransfersPerIP = o.maxXfersPerIP
	}
	if use("dir-message") {
		if err := session.CheckMessageName(o.dirMessage); err != nil {
			return fmt.Errorf("--dir-message %q: %v", o.dirMessage, err)
		}
		s.DirMessage = o.dirMessage
	}
	if use("welcome-file") {
		s.WelcomeFile = o.welcomeFile
	}
	if use("max-login-attempts") {
		s.MaxLoginAttempts = o.maxLogin
	}
	if use("max-sessions-per-user") {
		s.MaxSessionsPerUser = o.maxUserSessions
	}
	if use("ban-after") {
		s.BanAfter = o.banAfter
	}
	if use("ban-window") {
		s.BanWindow = o.banWindow
	}
	if use("ban-time") {
		s.BanTime = o.banTime
	}
	if s.BanWindow <= 0 || s.BanTime <= 0 {
		return errors.New("--ban-window and --ban-time (server.ban_window, server.ban_time) must be positive; --ban-after 0 turns banning off")
	}
	if use("shutdown-grace") {
		s.ShutdownGrace = o.grace
	}
	if use("run-as") {
		s.RunAs = o.runAs
	}
	if use("pid-file") {
		s.PidFile = absPath(o.pidFile)
	}
	if use("log-format") {
		f.Log.Format = o.logFormat
	}
	if use("debug") && o.debug {
		f.Log.Level = slog.LevelDebug
	}
	if use("xferlog") {
		f.Log.Xferlog = absPath(o.xferlog)
	}
	if use("metrics") {
		if withFile && o.metrics != "" && f.Metrics.Listen != "" && !covered([]string{f.Metrics.Listen}, o.metrics) {
			return fmt.Errorf("--metrics %s would widen metrics.listen of %s (%s) to an address the file does not listen on; edit metrics.listen instead",
				o.metrics, f.Name, f.Metrics.Listen)
		}
		f.Metrics.Listen = o.metrics
	}
	for _, r := range []struct {
		flag string
		text string
		dst  *float64
	}{
		{"read-limit", o.readLimit, &s.ReadLimit},
		{"write-limit", o.writeLimit, &s.WriteLimit},
		{"global-read-limit", o.globalRead, &s.GlobalReadLimit},
		{"global-write-limit", o.globalWrite, &s.GlobalWriteLimit},
		{"read-limit-per-ip", o.readPerIP, &s.ReadLimitPerIP},
		{"write-limit-per-ip", o.writePerIP, &s.WriteLimitPerIP},
	} {
		if !use(r.flag) {
			continue
		}
		v, err := throttle.ParseRate(r.text)
		if err != nil {
			return fmt.Errorf("--%s: %v", r.flag, err)
		}
		*r.dst = v
	}
	if use("n", "nat-address") && o.natAddr != "" {
		a, err := netip.ParseAddr(o.natAddr)
		if err != nil || !a.Unmap().Is4() {
			return fmt.Errorf("--nat-address %q is not an IPv4 address", o.natAddr)
		}
		s.MasqueradeAddress = a.Unmap()
	}
	if use("masquerade-map") && o.masqMap != "" {
		m, err := parseMasqueradeMap(o.masqMap)
		if err != nil {
			return err
		}
		s.MasqueradeMap = m
	}
	if use("r", "range") && o.portRange != "" {
		lo, hi, err := config.ParsePortRange(o.portRange)
		if err != nil {
			return fmt.Errorf("--range: %v", err)
		}
		s.PassivePortMin, s.PassivePortMax = lo, hi
	}
	if s.Workers > 1 && s.PassivePortMin != 0 && s.Workers > int(s.PassivePortMax-s.PassivePortMin)+1 {
		return fmt.Errorf("--workers %d needs a passive port for each worker, but --range (server.passive_ports) %d-%d has %d",
			s.Workers, s.PassivePortMin, s.PassivePortMax, int(s.PassivePortMax-s.PassivePortMin)+1)
	}
	if err := applyListen(o, f, withFile); err != nil {
		return err
	}
	if withFile {
		if err := refuseUserFlags(o, f); err != nil {
			return err
		}
	} else if err := flagUsers(o, f); err != nil {
		return err
	}
	return applyTLS(o, f, withFile)
}

// applyListen sets server.listen from -i and -p. With a file, -p changes the port of each
// of the file's addresses and keeps their hosts; -i may only narrow them: it is accepted
// when the file listens on every address, or on the very address -i names.
func applyListen(o *options, f *config.File, withFile bool) error {
	if o.port < 0 || o.port > 65535 {
		return fmt.Errorf("-p/--port %d is out of range 0-65535", o.port)
	}
	port := strconv.Itoa(o.port)
	if !withFile {
		f.Server.Listen = []string{net.JoinHostPort(o.iface, port)}
		return nil
	}
	if !o.given("i", "interface", "p", "port") {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range f.Server.Listen {
		host, p, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("%s: server.listen %q: %v", f.Name, a, err)
		}
		if o.given("i", "interface") {
			if !everyAddress(host) && !sameHost(host, o.iface) {
				return fmt.Errorf("-i %s would widen server.listen of %s (%s) to an address the file does not listen on; edit server.listen instead",
					o.iface, f.Name, strings.Join(f.Server.Listen, ", "))
			}
			host = o.iface
		}
		if o.given("p", "port") {
			p = port
		}
		n := net.JoinHostPort(host, p)
		if seen[n] && p != "0" {
			continue // [":21", ":2121"] with -p 2121: one listener
		}
		seen[n] = true
		out = append(out, n)
	}
	f.Server.Listen = out
	return nil
}

// covered reports whether the host of addr is one that addrs (the file's) already listen
// on: the same address, or every address.
func covered(addrs []string, addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if h, _, err := net.SplitHostPort(a); err == nil && (everyAddress(h) || sameHost(h, host)) {
			return true
		}
	}
	return false
}

func everyAddress(host string) bool {
	a, err := netip.ParseAddr(host)
	return host == "" || err == nil && a.IsUnspecified()
}

func sameHost(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return x.Unmap() == y.Unmap()
}

// refuseUserFlags: with a file, -u, -P, -w and -d would replace its users by the one user
// (or anonymous directory) of the command line; they are refused.
func refuseUserFlags(o *options, f *config.File) error {
	for _, u := range []struct{ short, long string }{{"u", "username"}, {"P", "password"}, {"w", "write"}, {"d", "directory"}} {
		if o.given(u.short, u.long) {
			return fmt.Errorf("-%s/--%s cannot be used with --config: it would replace the users of %s (%s) with the single user or anonymous directory of the command line; edit [[user]] or [anonymous] in the file instead",
				u.short, u.long, f.Name, describeUsers(f))
		}
	}
	return nil
}

// flagUsers makes pyftpdlib's single user (or anonymous access) from -u/-P/-w/-d.
func flagUsers(o *options, f *config.File) error {
	switch {
	case o.given("P", "password") && o.user == "":
		return errors.New("-P/--password needs -u/--username (without -u, access is anonymous and takes no password)")
	case o.user != "" && o.pass == "":
		return errors.New("-u/--username needs -P/--password")
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return fmt.Errorf("-d/--directory %s: %w", o.dir, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("-d/--directory %s does not exist or is not a directory", o.dir)
	}
	letters := auth.ReadOnly
	if o.write {
		letters = auth.ReadWrite
	}
	perm := auth.MustParsePerm(letters)
	if o.user != "" {
		f.Anonymous.Enabled = false
		f.Users = []config.User{{Name: o.user, Password: o.pass, Home: dir, Perm: perm}}
		return nil
	}
	f.Anonymous = config.Anonymous{Enabled: true, Home: dir, Perm: perm}
	f.Users = nil
	return nil
}

// applyTLS applies the TLS flags. A certificate (--certfile or tls.cert_file) enables
// AUTH TLS by itself; --tls only insists that one is there.
func applyTLS(o *options, f *config.File, withFile bool) error {
	use := func(names ...string) bool { return !withFile || o.given(names...) }
	t := &f.TLS
	if o.certFile != "" {
		t.CertFile, t.KeyFile = absPath(o.certFile), ""
	}
	if o.keyFile != "" {
		if o.certFile == "" {
			return errors.New("--keyfile needs --certfile")
		}
		t.KeyFile = absPath(o.keyFile)
	}
	if use("tls-control-required") {
		t.ControlRequired = o.tlsControl
	}
	if use("tls-data-required") {
		t.DataRequired = o.tlsData
	}
	if use("tls-no-session-reuse") {
		t.RequireSessionReuse = !o.tlsNoReuse
	}
	if o.tlsImplicit != "" {
		if withFile && len(t.ImplicitListen) > 0 && !covered(t.ImplicitListen, o.tlsImplicit) {
			return fmt.Errorf("--tls-implicit %s would widen tls.implicit_listen of %s (%s) to an address the file does not listen on; edit tls.implicit_listen instead",
				o.tlsImplicit, f.Name, strings.Join(t.ImplicitListen, ", "))
		}
		t.ImplicitListen = []string{o.tlsImplicit}
	}
	if t.CertFile == "" {
		switch {
		case o.tls:
			return errors.New("--tls needs --certfile")
		case len(t.ImplicitListen) > 0:
			return errors.New("--tls-implicit needs --certfile")
		case t.ControlRequired || t.DataRequired:
			return errors.New("--tls-control-required and --tls-data-required need --certfile")
		}
		return nil
	}
	if o.certFile != "" {
		if err := config.CheckKeyPair(t.CertFile, t.KeyFile); err != nil {
			return fmt.Errorf("--certfile: %v", err)
		}
	}
	return nil
}

// convert turns fastftpd's settings into the library's Config. It is the one place where
// "0 = off or unlimited" (flags and file) becomes the library's "negative = off".
func convert(f *config.File) (*settings, error) {
	s, t := &f.Server, &f.TLS
	st := &settings{file: f, logFormat: f.Log.Format, logLevel: f.Log.Level, xferlog: f.Log.Xferlog,
		metrics: f.Metrics.Listen, listen: s.Listen, grace: s.ShutdownGrace, pidFile: s.PidFile, workers: max(s.Workers, 1)}
	cfg := &st.cfg
	cfg.Banner = s.Banner
	cfg.Loops = s.Loops
	cfg.MaxConns = s.MaxConns
	cfg.MaxConnsPerIP = s.MaxConnsPerIP
	cfg.MaxTransfersPerIP = s.MaxTransfersPerIP
	cfg.DirMessage = s.DirMessage
	if s.WelcomeFile != "" {
		text, err := readWelcome(s.WelcomeFile)
		if err != nil {
			return nil, err
		}
		cfg.Welcome = text
	}
	cfg.MaxLoginAttempts = unlimited(s.MaxLoginAttempts)
	cfg.MaxSessionsPerUser = s.MaxSessionsPerUser
	cfg.IdleTimeout = off(s.IdleTimeout)
	cfg.DataTimeout = off(s.DataTimeout)
	cfg.LoginTimeout = off(s.LoginTimeout)
	cfg.BanAfter = s.BanAfter
	cfg.BanWindow = s.BanWindow
	cfg.BanTime = s.BanTime
	cfg.PassivePortMin, cfg.PassivePortMax = s.PassivePortMin, s.PassivePortMax
	cfg.MasqueradeAddress = s.MasqueradeAddress
	cfg.MasqueradeMap = s.MasqueradeMap
	cfg.UseLocalTime = s.UseLocalTime
	cfg.DisableSendfile = s.DisableSendfile
	cfg.DisableHash = s.DisableHash
	cfg.HashWorkers = s.HashWorkers
	cfg.ModeZ, cfg.ModeZMax, cfg.ModeZMaxLevel = s.ModeZ, s.ModeZMax, s.ModeZMaxLevel
	cfg.DataNotSentLowat = s.DataNotSentLowat // 0: the library's default (64K on the data loops); -1: off
	cfg.DataLoops = s.DataLoops               // 0: auto, -1: off, in both
	cfg.ListCacheBytes = s.ListCacheSize      // 0: the library's default (64 MiB); -1: off
	cfg.DataWriters = s.DataWriters
	cfg.OpenFileCache = s.OpenFileCache
	if cfg.OpenFileCache == 0 {
		cfg.OpenFileCache = -1 // the file's 0 is "off"; the library's is its default
	}
	cfg.ListSortMax = s.ListSortMax
	if cfg.ListSortMax == 0 {
		cfg.ListSortMax = -1 // the file's 0 is "never"; the library's is its default
	}
	cfg.ListNumericOwners = s.ListNumericOwners
	cfg.PermitForeignAddresses = s.PermitForeignAddresses
	cfg.ProxyProtocolFrom = s.ProxyProtocolFrom
	cfg.PermitPrivilegedPorts = s.PermitPrivilegedPorts
	cfg.ReadLimit, cfg.WriteLimit = s.ReadLimit, s.WriteLimit
	cfg.GlobalReadLimit, cfg.GlobalWriteLimit = s.GlobalReadLimit, s.GlobalWriteLimit
	cfg.ReadLimitPerIP, cfg.WriteLimitPerIP = s.ReadLimitPerIP, s.WriteLimitPerIP
	cfg.Debug = f.Log.Level <= slog.LevelDebug
	a, err := f.Authorizer()
	if err != nil {
		return nil, err
	}
	cfg.Auth = a
	if f.Anonymous.Enabled {
		cfg.Root = f.Anonymous.Home
	}
	if cfg.Hosts, err = hosts(f); err != nil {
		return nil, err
	}
	st.access = describeUsers(f)
	st.readOnly = readOnly(f)
	if t.Enabled() {
		certs, err := fastftp.LoadCert(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, err
		}
		st.certs, st.certFile = certs, t.CertFile
		cfg.TLS = certs.TLSConfig()
		cfg.TLSControlRequired, cfg.TLSDataRequired = t.ControlRequired, t.DataRequired
		cfg.TLSNoSessionReuse = !t.RequireSessionReuse
		st.implicit = t.ImplicitListen
	}
	return st, nil
}

// hosts builds the virtual hosts of the file's [[host]] tables: each one's users and, when
// it has one, its certificate, loaded now (a reload builds them again, so SIGHUP reloads
// host certificates with the users).
func hosts(f *config.File) ([]fastftp.VirtualHost, error) {
	out := make([]fastftp.VirtualHost, 0, len(f.Hosts))
	for i := range f.Hosts {
		h := &f.Hosts[i]
		a, err := f.HostAuthorizer(h)
		if err != nil {
			return nil, err
		}
		vh := fastftp.VirtualHost{Names: h.Names, Banner: h.Banner, Auth: a, MaxSessions: h.MaxSessions,
			ReadLimit: h.ReadLimit, WriteLimit: h.WriteLimit}
		if h.CertFile != "" {
			certs, err := fastftp.LoadCert(h.CertFile, h.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("host %q: %w", h.Names[0], err)
			}
			vh.Certificate = certs.GetCertificate
		}
		out = append(out, vh)
	}
	return out, nil
}

// off: a duration of 0 (off) is negative for the library.
func off(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// unlimited: a count of 0 (unlimited) is a count never reached for the library.
func unlimited(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}

// describeUsers says who may log in, for the start-up log and for refusals.
func describeUsers(f *config.File) string {
	var parts []string
	if f.Anonymous.Enabled {
		parts = append(parts, fmt.Sprintf("anonymous %q in %s", f.Anonymous.Perm.String(), f.Anonymous.Home))
	}
	if n := len(f.Users); n > 0 {
		names := make([]string, 0, 3)
		for i := 0; i < n && i < 3; i++ {
			names = append(names, fmt.Sprintf("%s %q", f.Users[i].Name, f.Users[i].Perm.String()))
		}
		more := ""
		if n > 3 {
			more = fmt.Sprintf(" and %d more", n-3)
		}
		parts = append(parts, fmt.Sprintf("%d user(s): %s%s", n, strings.Join(names, ", "), more))
	}
	if f.SystemUsers.Enabled {
		parts = append(parts, fmt.Sprintf("system accounts with uid >= %d %q", f.SystemUsers.MinUID, f.SystemUsers.Perm.String()))
	}
	for _, h := range f.Hosts {
		what := fmt.Sprintf("%d user(s)", len(h.Users))
		if h.Anonymous {
			what += " and anonymous \"elr\" in " + h.Root
		}
		parts = append(parts, fmt.Sprintf("virtual host %s: %s", strings.Join(h.Names, ","), what))
	}
	if len(parts) == 0 {
		return "nobody"
	}
	return strings.Join(parts, "; ")
}

// readOnly reports whether no login may change anything.
func readOnly(f *config.File) bool {
	ro := auth.MustParsePerm(auth.ReadOnly)
	w := func(p auth.Perm) bool { return p&^ro != 0 }
	if f.Anonymous.Enabled && w(f.Anonymous.Perm) || f.SystemUsers.Enabled && w(f.SystemUsers.Perm) {
		return false
	}
	users := f.Users
	for _, h := range f.Hosts {
		users = append(users[:len(users):len(users)], h.Users...)
	}
	for _, u := range users {
		if w(u.Perm) {
			return false
		}
		for _, ov := range u.Override {
			if w(ov.Perm) {
				return false
			}
		}
	}
	return true
}

// parseMasqueradeMap reads --masquerade-map LOCAL=PUBLIC[,LOCAL=PUBLIC...].
func parseMasqueradeMap(s string) (map[netip.Addr]netip.Addr, error) {
	m := map[netip.Addr]netip.Addr{}
	for _, pair := range strings.Split(s, ",") {
		l, p, ok := strings.Cut(strings.TrimSpace(pair), "=")
		a, err1 := netip.ParseAddr(strings.TrimSpace(l))
		b, err2 := netip.ParseAddr(strings.TrimSpace(p))
		if !ok || err1 != nil || err2 != nil || !a.Unmap().Is4() || !b.Unmap().Is4() {
			return nil, fmt.Errorf("--masquerade-map: %q is not LOCAL=PUBLIC with two IPv4 addresses", pair)
		}
		m[a.Unmap()] = b.Unmap()
	}
	return m, nil
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// parseLowat reads a TCP_NOTSENT_LOWAT size ("128K", "1M", "65536"; "0" turns it off) the
// way the file's data_notsent_lowat is read: bytes, -1 for "0" (off), 0 for "auto" (the
// library's default).
func parseLowat(text string) (int, error) {
	if text == "auto" {
		return 0, nil
	}
	v, err := throttle.ParseRate(text) // the same K/M/G byte suffixes as the rate flags
	if err != nil || v != float64(int64(v)) || v > fastftp.MaxDataNotSentLowat {
		return 0, fmt.Errorf("%q is not a size of at most 1G (bytes with an optional K, M or G suffix; 0: off; auto: the default)", text)
	}
	if v == 0 {
		return -1, nil
	}
	return int(v), nil
}

// parseListCacheSize reads --list-cache-size as the file reads server.list_cache_size:
// bytes with K/M/G suffixes, "0" (returned as -1) turning the cache off.
func parseListCacheSize(text string) (int64, error) {
	v, err := throttle.ParseRate(text)
	if err != nil || v != float64(int64(v)) || v > 16<<30 {
		return 0, fmt.Errorf("%q is not a size of at most 16G (bytes with an optional K, M or G suffix; 0: off)", text)
	}
	if v == 0 {
		return -1, nil
	}
	return int64(v), nil
}

// readWelcome reads the welcome file's first bytes: the server shows at most 4 KiB of it
// (session.noticeMaxBytes), so a huge or endless file costs no more than that.
func readWelcome(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("welcome file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return "", fmt.Errorf("welcome file %s: %w", p, err)
	}
	return string(b), nil
}
