// validate.go: from raw decoded values to a typed File, collecting every problem with
// the line of the key that holds it.

package config

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/proxyhdr"
	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/throttle"
)

// Defaults for keys absent from the file.
const (
	DefaultListen           = ":2121"
	DefaultMaxLoginAttempts = 3
	DefaultTimeout          = 300 * time.Second
	DefaultMinUID           = 1000
	DefaultLoginTimeout     = 60 * time.Second
	DefaultBanWindow        = time.Minute
	DefaultBanTime          = 10 * time.Minute
	DefaultShutdownGrace    = 30 * time.Second
	// DefaultListSortMax: LIST/NLST of directories up to this many entries are sorted.
	DefaultListSortMax = 10000
	// DefaultOpenFileCache: descriptors of hot small files RETR keeps open (1.3% of a
	// 20,000-descriptor budget).
	DefaultOpenFileCache = 256
)

// permLetters is the alphabet of auth.Perm, for messages.
const permLetters = "elradfmwMT"

type validator struct {
	name string
	dir  string // relative paths in the file are relative to this
	pos  positions
	errs ErrorList
	warn []string
}

func baseDir(name string) string {
	d, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		return filepath.Dir(name)
	}
	return d
}

// errorf records a problem at the line of key path (or of its nearest ancestor).
func (v *validator) errorf(key, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.name, Line: v.pos.at(key).line, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(key, format string, args ...any) {
	e := Error{File: v.name, Line: v.pos.at(key).line, Msg: fmt.Sprintf(format, args...)}
	v.warn = append(v.warn, e.Error())
}

func (v *validator) file(r *rawFile) *File {
	f := &File{Name: v.name}
	v.server(&f.Server, &r.Server)
	v.log(&f.Log, &r.Log)
	if r.Metrics.Listen != "" {
		f.Metrics.Listen = v.listenAddr("metrics.listen", "metrics.listen", r.Metrics.Listen)
	}
	v.anonymous(&f.Anonymous, &r.Anonymous)
	v.users(f, r.User)
	f.SystemUsers = SystemUsers{Enabled: r.SystemUsers.Enabled, Perm: auth.MustParsePerm(auth.ReadWrite), MinUID: DefaultMinUID}
	if r.SystemUsers.Perm != nil {
		f.SystemUsers.Perm = v.perm("system_users.perm", "system_users: ", *r.SystemUsers.Perm)
	}
	if r.SystemUsers.MinUID != nil {
		f.SystemUsers.MinUID = *r.SystemUsers.MinUID
		if f.SystemUsers.MinUID < 1 {
			v.errorf("system_users.min_uid", "system_users.min_uid: %d would admit root (want 1 or more; usually 1000)", f.SystemUsers.MinUID)
		}
	}
	v.tls(&f.TLS, &r.TLS)
	v.hosts(f, r.Host)
	f.Warnings = v.warn
	return f
}

func (v *validator) server(s *Server, r *rawServer) {
	s.Listen = []string{DefaultListen}
	s.ListenDefault = r.Listen == nil
	if r.Listen != nil {
		s.Listen = v.listenList("server.listen", *r.Listen)
		if len(*r.Listen) == 0 {
			v.errorf("server.listen", "server.listen: no address (want at least one, e.g. [%q])", DefaultListen)
		}
	}
	s.Banner = v.oneLine("server.banner", "server.banner", r.Banner)
	s.Loops = r.Loops
	s.MaxConns, s.MaxConnsPerIP = r.MaxCons, r.MaxConsPerIP
	s.MaxTransfersPerIP = r.MaxTransfersPerIP
	v.nonNegative("server.max_transfers_per_ip", "server.max_transfers_per_ip", s.MaxTransfersPerIP)
	s.DirMessage = r.DirMessage
	if r.DirMessage == "." || r.DirMessage == ".." || strings.ContainsAny(r.DirMessage, "/\x00") {
		// The server checks it too (session.CheckMessageName); said here with the line.
		v.errorf("server.dir_message", "server.dir_message: %q: want a file name without '/', such as \".message\"", r.DirMessage)
	}
	if r.WelcomeFile != "" {
		s.WelcomeFile = v.readable("server.welcome_file", "server.welcome_file", r.WelcomeFile)
	}
	s.MaxLoginAttempts = DefaultMaxLoginAttempts
	if r.MaxLoginAttempts != nil {
		s.MaxLoginAttempts = *r.MaxLoginAttempts
	}
	s.MaxSessionsPerUser = r.MaxSessionsPerUser
	s.BanAfter = r.BanAfter
	for key, n := range map[string]int{"server.loops": s.Loops, "server.max_cons": s.MaxConns,
		"server.max_cons_per_ip": s.MaxConnsPerIP, "server.max_login_attempts": s.MaxLoginAttempts,
		"server.max_sessions_per_user": s.MaxSessionsPerUser, "server.ban_after": s.BanAfter} {
		v.nonNegative(key, key, n)
	}
	s.IdleTimeout = v.duration("server.idle_timeout", r.IdleTimeout, DefaultTimeout)
	s.DataTimeout = v.duration("server.data_timeout", r.DataTimeout, DefaultTimeout)
	s.LoginTimeout = v.duration("server.login_timeout", r.LoginTimeout, DefaultLoginTimeout)
	s.BanWindow = v.duration("server.ban_window", r.BanWindow, DefaultBanWindow)
	s.BanTime = v.duration("server.ban_time", r.BanTime, DefaultBanTime)
	for key, d := range map[string]any{"server.ban_window": r.BanWindow, "server.ban_time": r.BanTime} {
		if x, err := durationOf(d); err == nil && d != nil && x == 0 {
			v.errorf(key, "%s: 0 is not a period (want a duration such as \"10m\"; ban_after = 0 turns banning off)", key)
		}
	}
	s.ShutdownGrace = v.duration("server.shutdown_grace", r.ShutdownGrace, DefaultShutdownGrace)
	s.RunAs = r.RunAs
	if strings.ContainsAny(r.RunAs, " \t\r\n:\x00") {
		v.errorf("server.run_as", "server.run_as: %q is not a user name", r.RunAs)
	}
	if r.PidFile != "" {
		s.PidFile = v.abs(r.PidFile)
		if fi, err := os.Stat(filepath.Dir(s.PidFile)); err != nil || !fi.IsDir() {
			v.errorf("server.pid_file", "server.pid_file: directory %s does not exist", filepath.Dir(s.PidFile))
		}
	}
	if r.PassivePorts != "" {
		s.PassivePortMin, s.PassivePortMax = v.portRange("server.passive_ports", r.PassivePorts)
	}
	if r.MasqueradeAddress != "" {
		s.MasqueradeAddress = v.ipv4("server.masquerade_address", "server.masquerade_address", r.MasqueradeAddress)
	}
	if len(r.MasqueradeMap) > 0 {
		s.MasqueradeMap = make(map[netip.Addr]netip.Addr, len(r.MasqueradeMap))
		for local, public := range r.MasqueradeMap {
			key := "server.masquerade_map." + local
			l := v.ipv4(key, "server.masquerade_map: local address", local)
			p := v.ipv4(key, "server.masquerade_map["+strconv.Quote(local)+"]", public)
			if l.IsValid() && p.IsValid() {
				s.MasqueradeMap[l] = p
			}
		}
	}
	if len(r.ProxyProtocolFrom) > 0 {
		p, err := proxyhdr.ParsePrefixes(r.ProxyProtocolFrom)
		if err != nil {
			v.errorf("server.proxy_protocol_from", "server.proxy_protocol_from: %v", err)
		}
		s.ProxyProtocolFrom = p
	}
	s.UseLocalTime, s.DisableSendfile = r.UseLocalTime, r.DisableSendfile
	s.DisableHash, s.HashWorkers = r.DisableHash, r.HashWorkers
	v.nonNegative("server.hash_workers", "server.hash_workers", s.HashWorkers)
	s.ModeZ, s.ModeZMax, s.ModeZMaxLevel = r.ModeZ, r.ModeZMax, r.ModeZMaxLevel
	v.nonNegative("server.mode_z_max", "server.mode_z_max", s.ModeZMax)
	if s.ModeZMaxLevel < 0 || s.ModeZMaxLevel > 9 {
		v.errorf("server.mode_z_max_level", "server.mode_z_max_level: %d is not a zlib level 0-9 (0 means 6)", s.ModeZMaxLevel)
	}
	s.DataNotSentLowat = v.lowat("server.data_notsent_lowat", r.DataNotSentLowat)
	s.DataLoops = v.dataLoops("server.data_loops", r.DataLoops)
	s.DataWriters = r.DataWriters
	if s.DataWriters < 0 || s.DataWriters > maxDataWriters {
		v.errorf("server.data_writers", "server.data_writers: %d: want 0 (the loops write uploads) to %d", s.DataWriters, maxDataWriters)
	}
	s.ListCacheSize = v.size("server.list_cache_size", r.ListCacheSize, maxListCache, "16G")
	s.ListSortMax = DefaultListSortMax
	if r.ListSortMax != nil {
		s.ListSortMax = *r.ListSortMax
		v.nonNegative("server.list_sort_max", "server.list_sort_max", s.ListSortMax)
	}
	s.ListNumericOwners = r.ListNumericOwners
	s.OpenFileCache = DefaultOpenFileCache
	if r.OpenFileCache != nil {
		s.OpenFileCache = *r.OpenFileCache
		v.nonNegative("server.open_file_cache", "server.open_file_cache", s.OpenFileCache)
	}
	s.Workers = v.workers("server.workers", r.Workers)
	s.PermitForeignAddresses, s.PermitPrivilegedPorts = r.PermitForeignAddresses, r.PermitPrivilegedPorts
	s.ReadLimit = v.rate("server.read_limit", "server.read_limit", r.ReadLimit)
	s.WriteLimit = v.rate("server.write_limit", "server.write_limit", r.WriteLimit)
	s.GlobalReadLimit = v.rate("server.global_read_limit", "server.global_read_limit", r.GlobalReadLimit)
	s.GlobalWriteLimit = v.rate("server.global_write_limit", "server.global_write_limit", r.GlobalWriteLimit)
	s.ReadLimitPerIP = v.rate("server.read_limit_per_ip", "server.read_limit_per_ip", r.ReadLimitPerIP)
	s.WriteLimitPerIP = v.rate("server.write_limit_per_ip", "server.write_limit_per_ip", r.WriteLimitPerIP)
}

func (v *validator) log(l *Log, r *rawLog) {
	switch r.Format {
	case "", "text":
		l.Format = "text"
	case "json":
		l.Format = "json"
	default:
		v.errorf("log.format", "log.format: %q is not a format (want \"text\" or \"json\")", r.Format)
	}
	switch strings.ToLower(r.Level) {
	case "", "info":
		l.Level = slog.LevelInfo
	case "debug":
		l.Level = slog.LevelDebug
	case "warn", "warning":
		l.Level = slog.LevelWarn
	case "error":
		l.Level = slog.LevelError
	default:
		v.errorf("log.level", "log.level: %q is not a level (want debug, info, warn or error)", r.Level)
	}
	if r.Xferlog != "" {
		l.Xferlog = v.abs(r.Xferlog)
		if fi, err := os.Stat(filepath.Dir(l.Xferlog)); err != nil || !fi.IsDir() {
			v.errorf("log.xferlog", "log.xferlog: directory %s does not exist", filepath.Dir(l.Xferlog))
		}
	}
}

func (v *validator) anonymous(a *Anonymous, r *rawAnonymous) {
	a.Enabled = r.Enabled
	a.Perm = auth.MustParsePerm(auth.ReadOnly)
	if r.Perm != nil {
		a.Perm = v.perm("anonymous.perm", "anonymous: ", *r.Perm)
	}
	if r.Home != "" {
		a.Home = v.home("anonymous.home", "anonymous: ", r.Home, r.Enabled)
	}
	if !r.Enabled {
		return
	}
	if r.Home == "" {
		v.errorf("anonymous", "anonymous: enabled but home is not set")
	}
	if w := a.Perm &^ auth.MustParsePerm(auth.ReadOnly); w != 0 {
		v.warnf("anonymous.perm", "anonymous: users who need no password may change files (perm %q)", w.String())
	}
}

func (v *validator) users(f *File, raw []rawUser) {
	f.Users = v.userList("user", "", "", raw)
}

// userList validates [[user]] tables at key prefix (a [[host]]'s: "host[0].user"), whose
// messages start with from; defHome ("" for none) is the home of users that set none.
func (v *validator) userList(prefix, from, defHome string, raw []rawUser) []User {
	var out []User
	seen := map[string]int{} // name -> index of first definition
	for i := range raw {
		r := &raw[i]
		key := prefix + "[" + strconv.Itoa(i) + "]"
		u := User{Name: r.Name, Line: v.pos.at(key).line, Perm: auth.MustParsePerm(auth.ReadOnly)}
		who := fmt.Sprintf("%suser %q: ", from, r.Name)
		switch {
		case r.Name == "":
			v.errorf(key, "%suser #%d: name is missing", from, i+1)
			who = fmt.Sprintf("%suser #%d: ", from, i+1)
		case strings.ContainsFunc(r.Name, func(c rune) bool { return c <= ' ' || c == 0x7f }):
			v.errorf(key+".name", "%sname has spaces or control characters", who)
		case strings.EqualFold(r.Name, "anonymous") || strings.EqualFold(r.Name, "ftp"):
			v.errorf(key+".name", "%sname is reserved for anonymous access (use [anonymous])", who)
		}
		if first, dup := seen[r.Name]; dup && r.Name != "" {
			v.errorf(key+".name", "%sdefined twice (first at line %d)", who, v.pos.at(prefix+"["+strconv.Itoa(first)+"]").line)
		} else {
			seen[r.Name] = i
		}
		switch {
		case r.Password == nil || *r.Password == "":
			v.errorf(key, "%spassword is missing (make a hash with `fastftpd passwd`)", who)
		default:
			u.Password = *r.Password
			v.password(key+".password", who, u.Password)
		}
		switch {
		case r.Home == "" && defHome != "":
			u.Home = defHome
		case r.Home == "":
			v.errorf(key, "%shome is missing", who)
		default:
			u.Home = v.home(key+".home", who, r.Home, true)
		}
		if r.Perm != nil {
			u.Perm = v.perm(key+".perm", who, *r.Perm)
		}
		v.nonNegative(key+".max_sessions", who+"max_sessions", r.MaxSessions)
		u.Limits = auth.Limits{
			MaxSessions:      r.MaxSessions,
			ReadBytesPerSec:  v.rate(key+".read_limit", who+"read_limit", r.ReadLimit),
			WriteBytesPerSec: v.rate(key+".write_limit", who+"write_limit", r.WriteLimit),
		}
		u.LoginMsg = v.oneLine(key+".login_msg", who+"login_msg", r.LoginMsg)
		u.QuitMsg = v.oneLine(key+".quit_msg", who+"quit_msg", r.QuitMsg)
		dirs := map[string]bool{}
		for j := range r.Override {
			o := &r.Override[j]
			okey := key + ".override[" + strconv.Itoa(j) + "]"
			if o.Dir == "" {
				v.errorf(okey, "%soverride #%d: dir is missing", who, j+1)
				continue
			}
			dir := path.Clean("/" + o.Dir)
			owho := fmt.Sprintf("%soverride %q: ", who, dir)
			if dirs[dir] {
				v.errorf(okey+".dir", "%sdirectory listed twice", owho)
			}
			dirs[dir] = true
			if o.Perm == nil {
				v.errorf(okey, "%sperm is missing", owho)
				continue
			}
			u.Override = append(u.Override, auth.Override{Dir: dir, Perm: v.perm(okey+".perm", owho, *o.Perm), Recursive: o.Recursive})
		}
		out = append(out, u)
	}
	return out
}

// hosts validates the [[host]] tables: names (unique across hosts), root, users, limits
// and certificate, each error at its line.
func (v *validator) hosts(f *File, raw []rawHost) {
	owner := map[string]int{} // name -> index of the host that has it
	for i := range raw {
		r := &raw[i]
		key := "host[" + strconv.Itoa(i) + "]"
		h := Host{Line: v.pos.at(key).line, Anonymous: r.Anonymous, MaxSessions: r.MaxSessions}
		names := v.hostNames(key+".name", i, r.Name)
		who := fmt.Sprintf("host #%d: ", i+1)
		if len(names) > 0 {
			who = fmt.Sprintf("host %q: ", names[0])
		}
		for _, n := range names {
			if j, dup := owner[n]; dup {
				v.errorf(key+".name", "%sname %q is also host #%d's (line %d)", who, n, j+1, v.pos.at("host["+strconv.Itoa(j)+"]").line)
				continue
			}
			owner[n] = i
		}
		h.Names = names
		if r.Root != "" {
			h.Root = v.home(key+".root", who, r.Root, true)
		}
		if r.Anonymous && r.Root == "" {
			v.errorf(key+".anonymous", "%sanonymous = true needs root (the tree anonymous users see)", who)
		}
		h.Banner = v.oneLine(key+".banner", who+"banner", r.Banner)
		v.nonNegative(key+".max_sessions", who+"max_sessions", r.MaxSessions)
		h.ReadLimit = v.rate(key+".read_limit", who+"read_limit", r.ReadLimit)
		h.WriteLimit = v.rate(key+".write_limit", who+"write_limit", r.WriteLimit)
		h.Users = v.userList(key+".user", who, h.Root, r.User)
		if len(r.User) == 0 && !r.Anonymous {
			v.errorf(key, "%snobody can log in (add [[host.user]] tables or anonymous = true)", who)
		}
		switch {
		case r.CertFile != "":
			before := len(v.errs)
			h.CertFile = v.readable(key+".cert_file", who+"cert_file", r.CertFile)
			if r.KeyFile != "" {
				h.KeyFile = v.readable(key+".key_file", who+"key_file", r.KeyFile)
			}
			if len(v.errs) == before {
				if err := CheckKeyPair(h.CertFile, h.KeyFile); err != nil {
					v.errorf(key+".cert_file", "%s%v", who, err)
				}
			}
			if f.TLS.CertFile == "" {
				v.errorf(key+".cert_file", "%scert_file needs tls.cert_file (the default host's certificate, which enables TLS)", who)
			}
		case r.KeyFile != "":
			v.errorf(key+".key_file", "%skey_file is set but cert_file is not (cert_file may hold both)", who)
		}
		f.Hosts = append(f.Hosts, h)
	}
}

// hostNames reads a [[host]]'s name: one name or a list, each a domain name, lower-cased.
func (v *validator) hostNames(key string, i int, val any) []string {
	var list, keys []string // keys: where each name is written
	switch x := val.(type) {
	case nil:
		v.errorf("host["+strconv.Itoa(i)+"]", "host #%d: name is missing", i+1)
		return nil
	case string:
		list, keys = []string{x}, []string{key}
	case []any:
		for j, e := range x {
			ekey := key + "[" + strconv.Itoa(j) + "]"
			s, ok := e.(string)
			if !ok {
				v.errorf(ekey, "host #%d: name: want strings, not %v", i+1, e)
				continue
			}
			list, keys = append(list, s), append(keys, ekey)
		}
		if len(x) == 0 {
			v.errorf(key, "host #%d: name: the list is empty", i+1)
		}
	default:
		v.errorf(key, "host #%d: name: want a string or a list of strings", i+1)
		return nil
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for j, n := range list {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		switch {
		case !proto.ValidHostName([]byte(n)):
			v.errorf(keys[j], "host #%d: name %q is not a domain name (letters, digits, '-' and '_' in dot-separated labels)", i+1, n)
		case seen[n]:
			v.errorf(keys[j], "host #%d: name %q listed twice", i+1, n)
		default:
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func (v *validator) tls(t *TLS, r *rawTLS) {
	t.ControlRequired, t.DataRequired = r.ControlRequired, r.DataRequired
	t.RequireSessionReuse = r.RequireSessionReuse == nil || *r.RequireSessionReuse
	switch {
	case r.CertFile != "":
		before := len(v.errs)
		t.CertFile = v.readable("tls.cert_file", "tls.cert_file", r.CertFile)
		if r.KeyFile != "" {
			t.KeyFile = v.readable("tls.key_file", "tls.key_file", r.KeyFile)
		}
		if len(v.errs) == before {
			if err := CheckKeyPair(t.CertFile, t.KeyFile); err != nil {
				key := "tls.cert_file"
				if r.KeyFile != "" {
					key = "tls.key_file"
				}
				v.errorf(key, "tls: %v", err)
			}
		}
	case r.KeyFile != "":
		v.errorf("tls.key_file", "tls: key_file is set but cert_file is not (cert_file may hold both)")
	}
	if len(r.ImplicitListen) > 0 {
		t.ImplicitListen = v.listenList("tls.implicit_listen", r.ImplicitListen)
	}
	if r.CertFile == "" {
		for key, on := range map[string]bool{"tls.control_required": r.ControlRequired,
			"tls.data_required": r.DataRequired, "tls.implicit_listen": len(r.ImplicitListen) > 0} {
			if on {
				v.errorf(key, "%s needs a certificate (set tls.cert_file)", key)
			}
		}
	}
}

// perm parses permission letters, naming the first bad one.
func (v *validator) perm(key, who, letters string) auth.Perm {
	for i := 0; i < len(letters); i++ {
		if strings.IndexByte(permLetters, letters[i]) < 0 {
			v.errorf(key, "%sperm has unknown letter '%s' (valid: %s)", who, letters[i:i+1], permLetters)
			return 0
		}
	}
	p, err := auth.ParsePerm(letters)
	if err != nil { // unreachable after the loop above, kept in case auth grows rules
		v.errorf(key, "%sperm: %v", who, err)
	}
	return p
}

// password checks a stored password: a hash must parse; plaintext gets a warning; a
// "$..." string of another scheme is refused, because auth would take it as plaintext.
func (v *validator) password(key, who, pw string) {
	switch {
	case strings.HasPrefix(pw, "$2a$"), strings.HasPrefix(pw, "$2b$"), strings.HasPrefix(pw, "$2y$"):
		if _, err := bcrypt.Cost([]byte(pw)); err != nil {
			v.errorf(key, "%spassword is a malformed bcrypt hash: %v", who, err)
		}
	case strings.HasPrefix(pw, "$argon2id$"):
		if msg := checkArgon2id(pw); msg != "" {
			v.errorf(key, "%spassword is a malformed argon2id hash: %s", who, msg)
		}
	case strings.HasPrefix(pw, "$") && strings.Count(pw, "$") >= 2:
		scheme, _, _ := strings.Cut(pw[1:], "$")
		v.errorf(key, "%spassword looks like a $%s$ hash, which virtual users do not support (want bcrypt or argon2id: `fastftpd passwd`)", who, scheme)
	default:
		v.warnf(key, "%spassword is stored in plaintext; replace it with a hash from `fastftpd passwd`", who)
	}
}

// checkArgon2id checks the shape of "$argon2id$v=19$m=M,t=T,p=P$salt$hash" and returns
// what is wrong ("" when nothing). auth verifies the same bounds when it loads the user.
func checkArgon2id(s string) string {
	parts := strings.Split(s, "$")
	if len(parts) != 6 {
		return "want $argon2id$v=19$m=...,t=...,p=...$salt$hash"
	}
	if parts[2] != "v=19" {
		return "version " + strconv.Quote(parts[2]) + " (want v=19)"
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 || !strings.HasPrefix(params[0], "m=") || !strings.HasPrefix(params[1], "t=") || !strings.HasPrefix(params[2], "p=") {
		return "parameters " + strconv.Quote(parts[3]) + " (want m=...,t=...,p=...)"
	}
	for _, p := range params {
		if n, err := strconv.ParseUint(p[2:], 10, 32); err != nil || n == 0 {
			return "parameter " + strconv.Quote(p) + " is not a positive number"
		}
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[4], "="))
	key, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[5], "="))
	switch {
	case err1 != nil || err2 != nil:
		return "salt or hash is not base64"
	case len(salt) < 8 || len(key) < 16:
		return "salt or hash too short"
	}
	return ""
}

// home resolves a home directory and, when check, requires it to be a directory.
func (v *validator) home(key, who, dir string, check bool) string {
	p := v.abs(dir)
	if !check {
		return p
	}
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		v.errorf(key, "%shome %s: %v", who, p, errText(err))
	case !fi.IsDir():
		v.errorf(key, "%shome %s is not a directory", who, p)
	}
	return p
}

func (v *validator) readable(key, what, file string) string {
	p := v.abs(file)
	f, err := os.Open(p)
	if err != nil {
		v.errorf(key, "%s %s: %v", what, p, errText(err))
		return p
	}
	f.Close()
	return p
}

// errText is the reason of an *fs.PathError without the path repeated.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func (v *validator) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(v.dir, p)
	}
	return filepath.Clean(p)
}

func (v *validator) listenList(key string, addrs []string) []string {
	out := make([]string, 0, len(addrs))
	seen := map[string]bool{}
	for i, a := range addrs {
		ekey := key + "[" + strconv.Itoa(i) + "]"
		n := v.listenAddr(ekey, key, a)
		if n == "" {
			continue
		}
		if seen[n] {
			v.errorf(ekey, "%s: %q listed twice", key, a)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// listenAddr validates "host:port" where host is empty or an IP literal and returns it
// normalised ("" on error).
func (v *validator) listenAddr(key, what, a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		v.errorf(key, "%s: %q is not host:port (e.g. \":2121\", \"127.0.0.1:2121\", \"[::1]:2121\")", what, a)
		return ""
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		v.errorf(key, "%s: %q: port %q is not a number from 0 to 65535", what, a, port)
		return ""
	}
	if host == "" {
		return ":" + strconv.FormatUint(pn, 10)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		v.errorf(key, "%s: %q: host %q is not an IP address (names are not resolved)", what, a, host)
		return ""
	}
	return netip.AddrPortFrom(ip, uint16(pn)).String()
}

func (v *validator) ipv4(key, what, s string) netip.Addr {
	ip, err := netip.ParseAddr(s)
	if err == nil {
		ip = ip.Unmap()
	}
	if err != nil || !ip.Is4() {
		v.errorf(key, "%s: %q is not an IPv4 address (PASV replies carry IPv4 only)", what, s)
		return netip.Addr{}
	}
	return ip
}

func (v *validator) portRange(key, s string) (lo, hi uint16) {
	lo, hi, err := ParsePortRange(s)
	if err != nil {
		v.errorf(key, "%s: %v", key, err)
	}
	return lo, hi
}

// duration takes a Go duration string ("300s", "5m") or a number of seconds.
func (v *validator) duration(key string, val any, def time.Duration) time.Duration {
	switch x := val.(type) {
	case nil:
		return def
	case int64:
		if x < 0 || x > math.MaxInt64/int64(time.Second) {
			v.errorf(key, "%s: %d seconds is out of range", key, x)
			return 0
		}
		return time.Duration(x) * time.Second
	case string:
		d, err := ParseDuration(x)
		if err != nil {
			v.errorf(key, "%s: %v", key, err)
			return 0
		}
		return d
	}
	v.errorf(key, "%s: want a duration string such as \"300s\" or a number of seconds", key)
	return 0
}

// maxDataLoops bounds data_loops (fastftp.MaxDataLoops; this package does not import the
// server).
const maxDataLoops = 256

// maxDataWriters bounds data_writers (fastftp.MaxDataWriters).
const maxDataWriters = 256

// ParseDataLoops reads a data-loop count: "auto" (0: one loop per GOMAXPROCS, the
// default), "off" or "0" (-1: a goroutine per transfer), or 1 to the maximum.
func ParseDataLoops(text string) (int, error) {
	switch text {
	case "auto":
		return 0, nil
	case "off", "0":
		return -1, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > maxDataLoops {
		return 0, fmt.Errorf("%q: want \"auto\" (one per CPU), \"off\" (0) or 1 to %d", text, maxDataLoops)
	}
	return n, nil
}

// dataLoops takes "auto", "off" or a number for server.data_loops; 0 (auto) when absent.
func (v *validator) dataLoops(key string, val any) int {
	return v.word(key, val, ParseDataLoops, 0, `"auto", "off" or a number of loops`)
}

// word reads a key whose value is a number or a word ("auto", "off"), through parse;
// absent when the key is missing or wrong (the error names the key).
func (v *validator) word(key string, val any, parse func(string) (int, error), absent int, want string) int {
	var text string
	switch x := val.(type) {
	case nil:
		return absent
	case int64:
		text = strconv.FormatInt(x, 10)
	case string:
		text = x
	default:
		v.errorf(key, "%s: want %s", key, want)
		return absent
	}
	n, err := parse(text)
	if err != nil {
		v.errorf(key, "%s: %v", key, err)
		return absent
	}
	return n
}

// MaxWorkers bounds server.workers and --workers (internal/shm.MaxWorkers).
const MaxWorkers = 64

// ParseWorkers reads a worker count: "auto" (one per CPU, at most MaxWorkers) or 1 to
// MaxWorkers.
func ParseWorkers(text string) (int, error) {
	if text == "auto" {
		return min(runtime.NumCPU(), MaxWorkers), nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > MaxWorkers {
		return 0, fmt.Errorf("%q: want \"auto\" (one per CPU) or 1 to %d", text, MaxWorkers)
	}
	return n, nil
}

// workers takes "auto" or a number for server.workers; 1 when absent.
func (v *validator) workers(key string, val any) int {
	return v.word(key, val, ParseWorkers, 1, `"auto" or a number of processes`)
}

// maxLowat bounds data_notsent_lowat (fastftp.MaxDataNotSentLowat; this package does not
// import the server's).
const maxLowat = 1 << 30

// maxListCache bounds server.list_cache_size: more is a typo, not a cache.
const maxListCache = 16 << 30

// lowat takes "128K", "1M", "0" (off) or a number of bytes, for data_notsent_lowat: 0 when
// absent, -1 for "0", else the bytes.
// "auto" (the server's default: 64 KiB on the data loops' downloads) is 0, like absent.
func (v *validator) lowat(key string, val any) int {
	if val == "auto" {
		return 0
	}
	return int(v.size(key, val, maxLowat, "1G"))
}

// size takes "128K", "64M", "0" (off) or a number of bytes up to max (maxText): 0 when
// absent, -1 for "0", else the bytes.
func (v *validator) size(key string, val any, max float64, maxText string) int64 {
	var n float64
	switch x := val.(type) {
	case nil:
		return 0
	case int64:
		n = float64(x)
	case string:
		r, err := throttle.ParseRate(x)
		if err != nil {
			v.errorf(key, "%s: %q is not a size (bytes with an optional K, M or G suffix; \"0\" means off)", key, x)
			return 0
		}
		n = r
	default:
		v.errorf(key, "%s: want a size string such as \"128K\" or a number of bytes", key)
		return 0
	}
	switch {
	case n < 0 || n > max || n != float64(int64(n)):
		v.errorf(key, "%s: %v is not a whole number of bytes between 0 and %s", key, n, maxText)
		return 0
	case n == 0:
		return -1
	}
	return int64(n)
}

// rate takes "512K", "10M", "0" or a number of bytes per second.
func (v *validator) rate(key, what string, val any) float64 {
	switch x := val.(type) {
	case nil:
		return 0
	case int64:
		if x < 0 {
			v.errorf(key, "%s: %d is negative", what, x)
			return 0
		}
		return float64(x)
	case string:
		r, err := throttle.ParseRate(x)
		if err != nil {
			v.errorf(key, "%s: %q is not a rate (bytes per second with an optional K, M, G or T suffix; \"0\" means unlimited)", what, x)
			return 0
		}
		return r
	}
	v.errorf(key, "%s: want a rate string such as \"10M\" or a number of bytes per second", what)
	return 0
}

func (v *validator) nonNegative(key, what string, n int) {
	if n < 0 {
		v.errorf(key, "%s: %d is negative", what, n)
	}
}

// oneLine refuses CR, LF and NUL in texts that end up in replies.
func (v *validator) oneLine(key, what, s string) string {
	if strings.ContainsAny(s, "\r\n\x00") {
		v.errorf(key, "%s must be one line (no line breaks)", what)
		return ""
	}
	return s
}

// ParseDuration reads a duration as the file and fastftpd's flags both write it: a Go
// duration ("300s", "5m", "1h30m") or a whole number of seconds ("300", the unit of
// fastftpd's older integer flags). "0" means off. Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		if n > math.MaxInt64/int64(time.Second) {
			return 0, fmt.Errorf("%q seconds is out of range", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. \"300s\", \"5m\", or seconds; \"0\" means off)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// durationOf is ParseDuration for a decoded TOML value (string or integer seconds).
func durationOf(val any) (time.Duration, error) {
	switch x := val.(type) {
	case nil:
		return 0, nil
	case int64:
		return ParseDuration(strconv.FormatInt(x, 10))
	case string:
		return ParseDuration(x)
	}
	return 0, fmt.Errorf("not a duration")
}

// ParsePortRange reads a passive port range "FROM-TO" (1 <= FROM <= TO <= 65535), as
// server.passive_ports and fastftpd's --range write it.
func ParsePortRange(s string) (lo, hi uint16, err error) {
	a, b, ok := strings.Cut(s, "-")
	x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q is not a range FROM-TO of ports 1-65535 (e.g. \"60000-60100\")", s)
	case x == 0 || x > y:
		return 0, 0, fmt.Errorf("%q: want 1 <= FROM <= TO <= 65535", s)
	}
	return uint16(x), uint16(y), nil
}

// CheckKeyPair loads a certificate and its private key as the server will (keyFile ""
// means the key is in certFile), so that a wrong or swapped pair fails here, in
// --check-config, rather than at start.
func CheckKeyPair(certFile, keyFile string) error {
	if keyFile == "" {
		keyFile = certFile
	}
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		if keyFile == certFile {
			return fmt.Errorf("%s does not hold a certificate and its private key: %v", certFile, err)
		}
		return fmt.Errorf("%s and %s are not a certificate and its private key: %v", certFile, keyFile, err)
	}
	return nil
}
