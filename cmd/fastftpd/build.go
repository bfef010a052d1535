// From command line and config file to a server configuration. Without --config the flags
// alone decide (their defaults are pyftpdlib's); with it the file decides and flags given
// explicitly override it.

package main

import (
	"errors"
	"fmt"
	"log/slog"
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
	"github.com/fastftp/fastftp/throttle"
)

// settings is everything the command needs: the library Config plus listeners and logs.
type settings struct {
	cfg       fastftp.Config
	listen    []string
	implicit  []string
	certs     *fastftp.CertReloader
	certFile  string
	xferlog   string
	metrics   string
	logFormat string
	logLevel  slog.Level
	access    string // for the start-up log: who may log in, read-only or not
}

// seconds turns a flag's whole seconds into a library timeout (0 on the command line and
// in the file means never; the library says never with a negative value).
func seconds(n int) time.Duration {
	if n <= 0 {
		return -1
	}
	return time.Duration(n) * time.Second
}

func never(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// build makes the settings from the options and, when given, the loaded config file.
func build(o *options, file *config.File) (*settings, error) {
	st := &settings{logFormat: o.logFormat, logLevel: slog.LevelInfo}
	cfg := &st.cfg
	useFlag := func(names ...string) bool { return file == nil || o.given(names...) }

	if file != nil {
		fromFile(st, file)
		a, err := file.Authorizer()
		if err != nil {
			return nil, fmt.Errorf("%s: users: %w", file.Name, err)
		}
		st.cfg.Auth = a
	}
	if useFlag("banner") {
		cfg.Banner = o.banner
	}
	if useFlag("loops") {
		cfg.Loops = o.loops
	}
	if useFlag("timeout") {
		cfg.IdleTimeout = seconds(o.timeout)
	}
	if useFlag("permit-foreign-addresses") {
		cfg.PermitForeignAddresses = o.foreign
	}
	if useFlag("permit-privileged-ports") {
		cfg.PermitPrivilegedPorts = o.privileged
	}
	if useFlag("use-localtime") {
		cfg.UseLocalTime = o.localTime
	}
	if useFlag("disable-sendfile") {
		cfg.DisableSendfile = o.noSendfile
	}
	if useFlag("data-notsent-lowat") {
		n, err := parseLowat(o.notSentLowat)
		if err != nil {
			return nil, fmt.Errorf("--data-notsent-lowat: %v", err)
		}
		cfg.DataNotSentLowat = n
	}
	if useFlag("max-cons") || useFlag("max-cons-per-ip") {
		if o.maxCons < 0 || o.maxConsPerIP < 0 {
			return nil, errors.New("--max-cons and --max-cons-per-ip take 0 (unlimited) or more")
		}
	}
	if useFlag("max-cons") {
		cfg.MaxConns = o.maxCons
	}
	if useFlag("max-cons-per-ip") {
		cfg.MaxConnsPerIP = o.maxConsPerIP
	}
	if useFlag("max-login-attempts") {
		cfg.MaxLoginAttempts = o.maxLogin
	}
	// Not in the file: always from the flags.
	cfg.MaxSessionsPerUser = o.maxUserSessions
	cfg.LoginTimeout = seconds(o.loginTimeout)
	cfg.BanAfter, cfg.BanWindow, cfg.BanTime = o.banAfter, o.banWindow, o.banTime
	cfg.Debug = o.debug
	if o.debug {
		st.logLevel = slog.LevelDebug
	}
	if useFlag("log-format") {
		st.logFormat = o.logFormat
	}
	if useFlag("xferlog") {
		st.xferlog = o.xferlog
	}
	if useFlag("metrics") {
		st.metrics = o.metrics
	}
	for _, r := range []struct {
		flag string
		text string
		dst  *float64
	}{
		{"read-limit", o.readLimit, &cfg.ReadLimit},
		{"write-limit", o.writeLimit, &cfg.WriteLimit},
		{"global-read-limit", o.globalRead, &cfg.GlobalReadLimit},
		{"global-write-limit", o.globalWrite, &cfg.GlobalWriteLimit},
	} {
		if !useFlag(r.flag) {
			continue
		}
		v, err := throttle.ParseRate(r.text)
		if err != nil {
			return nil, fmt.Errorf("--%s: %v", r.flag, err)
		}
		*r.dst = v
	}
	if useFlag("n", "nat-address") && o.natAddr != "" {
		a, err := netip.ParseAddr(o.natAddr)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("--nat-address %q is not an IPv4 address", o.natAddr)
		}
		cfg.MasqueradeAddress = a
	}
	if useFlag("r", "range") && o.portRange != "" {
		lo, hi, ok := strings.Cut(o.portRange, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if !ok || err1 != nil || err2 != nil || a == 0 || a > b {
			return nil, fmt.Errorf("--range %q: want FROM-TO, e.g. 60000-65535", o.portRange)
		}
		cfg.PassivePortMin, cfg.PassivePortMax = uint16(a), uint16(b)
	}
	if useFlag("i", "interface", "p", "port") {
		if o.port < 0 || o.port > 65535 {
			return nil, fmt.Errorf("port %d is out of range 0-65535", o.port)
		}
		st.listen = []string{net.JoinHostPort(o.iface, strconv.Itoa(o.port))}
	}
	if useFlag("u", "username", "P", "password", "w", "write", "d", "directory") {
		if err := flagUsers(st, o); err != nil {
			return nil, err
		}
	}
	if err := flagTLS(st, o, file); err != nil {
		return nil, err
	}
	return st, nil
}

// fromFile copies the file's settings.
func fromFile(st *settings, f *config.File) {
	cfg, s := &st.cfg, &f.Server
	cfg.Banner = s.Banner
	cfg.Loops = s.Loops
	cfg.MaxConns, cfg.MaxConnsPerIP = s.MaxConns, s.MaxConnsPerIP
	cfg.MaxLoginAttempts = s.MaxLoginAttempts
	cfg.IdleTimeout, cfg.DataTimeout = never(s.IdleTimeout), never(s.DataTimeout)
	cfg.PassivePortMin, cfg.PassivePortMax = s.PassivePortMin, s.PassivePortMax
	cfg.MasqueradeAddress, cfg.MasqueradeMap = s.MasqueradeAddress, s.MasqueradeMap
	cfg.UseLocalTime, cfg.DisableSendfile = s.UseLocalTime, s.DisableSendfile
	cfg.DataNotSentLowat = s.DataNotSentLowat
	cfg.PermitForeignAddresses, cfg.PermitPrivilegedPorts = s.PermitForeignAddresses, s.PermitPrivilegedPorts
	cfg.ReadLimit, cfg.WriteLimit = s.ReadLimit, s.WriteLimit
	cfg.GlobalReadLimit, cfg.GlobalWriteLimit = s.GlobalReadLimit, s.GlobalWriteLimit
	st.listen = s.Listen
	st.logFormat, st.logLevel, st.xferlog = f.Log.Format, f.Log.Level, f.Log.Xferlog
	st.metrics = f.Metrics.Listen
	st.access = fmt.Sprintf("%d users from %s", len(f.Users), f.Name)
	if f.Anonymous.Enabled {
		st.access += " + anonymous (" + f.Anonymous.Perm.String() + ")"
	}
	if f.SystemUsers.Enabled {
		st.access += " + system accounts"
	}
}

// flagUsers builds pyftpdlib's single user (or anonymous) from -u/-P/-w/-d; with a config
// file it replaces the file's users.
func flagUsers(st *settings, o *options) error {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", o.dir, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("directory %s does not exist or is not a directory", o.dir)
	}
	letters := auth.ReadOnly
	if o.write {
		letters = auth.ReadWrite
	}
	perm := auth.MustParsePerm(letters)
	users := auth.NewStatic()
	switch {
	case o.user != "" && o.pass == "":
		return errors.New("-u/--username needs -P/--password")
	case o.user != "":
		err = users.AddUser(o.user, o.pass, dir, perm)
		st.access = "user " + o.user
	default:
		err = users.AddAnonymous(dir, perm)
		st.access = "anonymous"
	}
	if err != nil {
		return err
	}
	if o.write {
		st.access += ", read-write"
	} else {
		st.access += ", read-only"
	}
	st.cfg.Auth, st.cfg.Root = users, dir
	return nil
}

// flagTLS applies the [tls] table and the TLS flags.
func flagTLS(st *settings, o *options, file *config.File) error {
	cfg := &st.cfg
	certFile, keyFile := o.certFile, o.keyFile
	enabled := o.tls || o.tlsImplicit != "" || certFile != ""
	if file != nil && file.TLS.Enabled() {
		t := &file.TLS
		if certFile == "" {
			certFile, keyFile = t.CertFile, t.KeyFile
		}
		enabled = true
		cfg.TLSControlRequired, cfg.TLSDataRequired = t.ControlRequired, t.DataRequired
		cfg.TLSNoSessionReuse = !t.RequireSessionReuse
		st.implicit = t.ImplicitListen
	}
	if !enabled {
		if o.tlsControl || o.tlsData {
			return errors.New("--tls-control-required and --tls-data-required need --tls and --certfile")
		}
		return nil
	}
	if certFile == "" {
		return errors.New("--tls and --tls-implicit need --certfile")
	}
	certs, err := fastftp.LoadCert(certFile, keyFile)
	if err != nil {
		return err
	}
	st.certs, st.certFile = certs, certFile
	cfg.TLS = certs.TLSConfig()
	if o.given("tls-control-required") || file == nil {
		cfg.TLSControlRequired = o.tlsControl
	}
	if o.given("tls-data-required") || file == nil {
		cfg.TLSDataRequired = o.tlsData
	}
	if o.given("tls-no-session-reuse") || file == nil {
		cfg.TLSNoSessionReuse = o.tlsNoReuse
	}
	if o.tlsImplicit != "" {
		st.implicit = []string{o.tlsImplicit}
	}
	return nil
}

// parseLowat reads a TCP_NOTSENT_LOWAT size ("128K", "1M", "65536"; "0" turns it off) into
// fastftp.Config.DataNotSentLowat, where 0 means the default and negative means off.
func parseLowat(text string) (int, error) {
	v, err := throttle.ParseRate(text) // the same K/M/G byte suffixes as the rate flags
	if err != nil || v != float64(int64(v)) || v > fastftp.MaxDataNotSentLowat {
		return 0, fmt.Errorf("%q is not a size of at most 1G (bytes with an optional K, M or G suffix; 0: off)", text)
	}
	if v == 0 {
		return -1, nil
	}
	return int(v), nil
}
