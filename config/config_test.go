// config_test.go: the example file loads and builds a working Authorizer; every
// validation error names the right line; unknown keys and type errors are caught.
package config

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testcert"
	"github.com/fastftp/fastftp/sysauth"
)

// exampleIn returns example.toml with its /srv/ftp homes moved under a fresh temporary
// directory that holds them.
func exampleIn(t *testing.T) (doc []byte, base string) {
	t.Helper()
	b, err := os.ReadFile("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	base = t.TempDir()
	for _, d := range []string{"pub", "alice", "bob", "mirror-a", "mirror-b"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return []byte(strings.ReplaceAll(string(b), "/srv/ftp", base)), base
}

func TestExampleLoads(t *testing.T) {
	doc, base := exampleIn(t)
	path := filepath.Join(base, "fastftpd.toml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatalf("example.toml does not load: %v", err)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("example.toml has warnings: %q", f.Warnings)
	}
	if len(f.Hosts) != 2 || len(f.Hosts[0].Names) != 2 || f.Hosts[0].Users[0].Home != filepath.Join(base, "mirror-a") || !f.Hosts[1].Anonymous {
		t.Errorf("example hosts: %+v", f.Hosts)
	}
	s := &f.Server
	if !reflect.DeepEqual(s.Listen, []string{":2121"}) || s.Banner != "fastftp ready." || s.MaxLoginAttempts != 3 {
		t.Errorf("server: %+v", s)
	}
	if s.IdleTimeout != 300*time.Second || s.DataTimeout != 300*time.Second {
		t.Errorf("timeouts %v %v", s.IdleTimeout, s.DataTimeout)
	}
	// The example must not turn the data plane's defaults off for whoever copies it.
	if s.DataLoops != 0 || s.DataNotSentLowat != 0 {
		t.Errorf("data_loops %d, data_notsent_lowat %d: want 0, 0 (auto: the server's defaults)", s.DataLoops, s.DataNotSentLowat)
	}
	if s.PassivePortMin != 60000 || s.PassivePortMax != 60100 {
		t.Errorf("passive ports %d-%d", s.PassivePortMin, s.PassivePortMax)
	}
	if !reflect.DeepEqual(s.ProxyProtocolFrom, []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32"), netip.MustParsePrefix("10.0.0.3/32")}) {
		t.Errorf("proxy_protocol_from %v", s.ProxyProtocolFrom)
	}
	if s.MasqueradeAddress != netip.MustParseAddr("203.0.113.7") ||
		s.MasqueradeMap[netip.MustParseAddr("10.0.1.5")] != netip.MustParseAddr("198.51.100.7") || len(s.MasqueradeMap) != 2 {
		t.Errorf("masquerade %v %v", s.MasqueradeAddress, s.MasqueradeMap)
	}
	if s.GlobalWriteLimit != 100<<20 || s.ReadLimit != 0 {
		t.Errorf("limits %v %v", s.GlobalWriteLimit, s.ReadLimit)
	}
	if f.Log.Format != "text" || f.Log.Level != slog.LevelInfo || f.Log.Xferlog != "" || f.Metrics.Listen != "" {
		t.Errorf("log/metrics %+v %+v", f.Log, f.Metrics)
	}
	if !f.Anonymous.Enabled || f.Anonymous.Home != filepath.Join(base, "pub") || f.Anonymous.Perm.String() != "elr" {
		t.Errorf("anonymous %+v", f.Anonymous)
	}
	if len(f.Users) != 2 {
		t.Fatalf("%d users", len(f.Users))
	}
	a := f.Users[0]
	wantOv := []auth.Override{{Dir: "/incoming", Perm: auth.MustParsePerm("elrw"), Recursive: true}, {Dir: "/archive", Perm: auth.MustParsePerm("elr")}}
	if a.Name != "alice" || a.Home != filepath.Join(base, "alice") || a.Perm.String() != "elradfmwMT" ||
		!reflect.DeepEqual(a.Override, wantOv) || a.Limits != (auth.Limits{ReadBytesPerSec: 10 << 20, MaxSessions: 4}) ||
		a.LoginMsg != "Welcome, Alice." || a.QuitMsg != "" {
		t.Errorf("alice %+v", a)
	}
	if b := f.Users[1]; b.Name != "bob" || b.Perm.String() != "elr" || b.Override != nil {
		t.Errorf("bob %+v", b)
	}
	if f.SystemUsers.Enabled || f.SystemUsers.MinUID != 1000 || f.SystemUsers.Perm.String() != "elradfmwMT" {
		t.Errorf("system users %+v", f.SystemUsers)
	}
	if f.TLS.Enabled() || !f.TLS.RequireSessionReuse || len(f.TLS.ImplicitListen) != 0 {
		t.Errorf("tls %+v", f.TLS)
	}

	// The Authorizer logs in both users with the passwords the example's comments give,
	// and carries overrides, messages and limits.
	az, err := f.Authorizer()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	remote := netip.MustParseAddr("127.0.0.1")
	u, err := az.Authenticate(ctx, "alice", "alice-example", remote)
	if err != nil {
		t.Fatalf("alice: %v", err)
	}
	if u.LoginMsg != "Welcome, Alice." || u.Limits.MaxSessions != 4 || !u.Has("/incoming/x/y", auth.PermStore) || u.Has("/archive/f", auth.PermStore) {
		t.Errorf("alice's User %+v", u)
	}
	if _, err := az.Authenticate(ctx, "bob", "bob-example", remote); err != nil {
		t.Errorf("bob: %v", err)
	}
	if _, err := az.Authenticate(ctx, "bob", "alice-example", remote); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("bob with a wrong password: %v", err)
	}
	if u, err := az.Authenticate(ctx, "anonymous", "me@example.org", remote); err != nil || !u.Anonymous {
		t.Errorf("anonymous: %v %+v", err, u)
	}
}

func TestDefaults(t *testing.T) {
	f, err := Parse("empty.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Server{Listen: []string{":2121"}, ListenDefault: true, MaxLoginAttempts: 3, IdleTimeout: DefaultTimeout, DataTimeout: DefaultTimeout,
		LoginTimeout: DefaultLoginTimeout, BanWindow: DefaultBanWindow, BanTime: DefaultBanTime, ShutdownGrace: DefaultShutdownGrace,
		ListSortMax: DefaultListSortMax, OpenFileCache: DefaultOpenFileCache, Workers: 1}
	if !reflect.DeepEqual(f.Server, want) {
		t.Errorf("server defaults %+v", f.Server)
	}
	if f.Log.Format != "text" || f.Log.Level != slog.LevelInfo || f.Anonymous.Enabled || f.Anonymous.Perm.String() != "elr" ||
		f.SystemUsers.MinUID != 1000 || !f.TLS.RequireSessionReuse || len(f.Users) != 0 || len(f.Warnings) != 0 {
		t.Errorf("defaults %+v", f)
	}
	az, err := f.Authorizer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := az.Authenticate(context.Background(), "anonymous", "", netip.Addr{}); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("anonymous with anonymous off: %v", err)
	}
}

func TestValuesAndForms(t *testing.T) {
	dir := t.TempDir()
	doc := `
[server]
listen = ["127.0.0.1:0", "[::1]:2121", ":21"]
idle_timeout = 0
data_timeout = 90
read_limit = 2048
write_limit = "1.5K"
[log]
format = "json"
level = "DEBUG"
xferlog = "logs/xferlog"
[metrics]
listen = "127.0.0.1:9121"
[[user]]
name = "u"
password = "secret"
home = "h"
[tls]
cert_file = "cert.pem"
key_file = "key.pem"
implicit_listen = [":990"]
control_required = true
require_session_reuse = false
`
	for _, d := range []string{"logs", "h"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeKeyPair(t, dir)
	f, err := Parse(filepath.Join(dir, "c.toml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Server
	if !reflect.DeepEqual(s.Listen, []string{"127.0.0.1:0", "[::1]:2121", ":21"}) || s.IdleTimeout != 0 || s.DataTimeout != 90*time.Second ||
		s.ReadLimit != 2048 || s.WriteLimit != 1536 {
		t.Errorf("server %+v", s)
	}
	if f.Log.Format != "json" || f.Log.Level != slog.LevelDebug || f.Log.Xferlog != filepath.Join(dir, "logs", "xferlog") {
		t.Errorf("log %+v", f.Log)
	}
	if f.Metrics.Listen != "127.0.0.1:9121" || f.Users[0].Home != filepath.Join(dir, "h") {
		t.Errorf("metrics %+v user %+v", f.Metrics, f.Users[0])
	}
	if f.TLS.CertFile != filepath.Join(dir, "cert.pem") || f.TLS.KeyFile != filepath.Join(dir, "key.pem") || !f.TLS.ControlRequired ||
		f.TLS.RequireSessionReuse || !reflect.DeepEqual(f.TLS.ImplicitListen, []string{":990"}) || !f.TLS.Enabled() {
		t.Errorf("tls %+v", f.TLS)
	}
	if len(f.Warnings) != 1 || !strings.HasPrefix(f.Warnings[0], filepath.Join(dir, "c.toml")+":16: user \"u\": password is stored in plaintext") {
		t.Errorf("warnings %q", f.Warnings)
	}
}

// TestErrorLines checks, for each kind of mistake, the line and the message. In each
// document the mistake is on the line marked "# <-"; HOME stands for an existing
// directory and FILE for a readable file.
func TestErrorLines(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, key, both := writeKeyPair(t, dir)
	user := "[[user]]\nname = \"alice\"\npassword = \"pw\"\nhome = \"HOME\"\n"
	host := "[[host]]\nname = \"a.example\"\nroot = \"HOME\"\nanonymous = true\n"
	cases := []struct{ name, doc, want string }{
		{"unknown key", "[server]\nbanner = \"x\"\nlisten_on = [\":21\"] # <-\n", `unknown key "server.listen_on"`},
		{"unknown table", "[server]\n[sever] # <-\n", `unknown key "sever"`},
		{"unknown user key", user + "pasword = \"x\" # <-\n", `unknown key "user.pasword"`},
		{"wrong type", "[server]\nloops = \"four\" # <-\n", "server.loops: want an integer, not a TOML string"},
		{"listen not a list", "[server]\nlisten = \":21\" # <-\n", "server.listen: want a list of strings"},
		{"syntax", "[server]\nbanner = \"unterminated # <-\n", ""},
		{"duplicate key", "[server]\nloops = 1\nloops = 2 # <-\n", "already defined"},
		{"negative", "[server]\n\nmax_cons = -1 # <-\n", "server.max_cons: -1 is negative"},
		{"listen port", "[server]\nlisten = [\":21\", \":70000\"] # <-\n", `port "70000"`},
		{"listen element line", "[server]\nlisten = [\n  \":21\",\n  \"host.example:21\", # <-\n]\n", "is not an IP address"},
		{"listen duplicate", "[server]\nlisten = [\":21\",\n \":21\"] # <-\n", "listed twice"},
		{"listen empty", "[server]\nlisten = [] # <-\n", "no address"},
		{"duration", "[server]\nidle_timeout = \"5 minutes\" # <-\n", `server.idle_timeout: "5 minutes" is not a duration`},
		{"negative duration", "[server]\ndata_timeout = \"-1s\" # <-\n", "negative"},
		{"float duration", "[server]\ndata_timeout = 1.5 # <-\n", "want a duration"},
		{"rate", "[server]\nglobal_read_limit = \"fast\" # <-\n", `server.global_read_limit: "fast" is not a rate`},
		{"port range", "[server]\npassive_ports = \"60100-60000\" # <-\n", "FROM <= TO"},
		{"port range syntax", "[server]\npassive_ports = \"60000:60100\" # <-\n", "not a range"},
		{"masquerade v6", "[server]\nmasquerade_address = \"2001:db8::1\" # <-\n", "not an IPv4 address"},
		{"masquerade map", "[server]\nmasquerade_map = { \"10.0.0.5\" = \"nat\" } # <-\n", `masquerade_map["10.0.0.5"]: "nat"`},
		{"proxy from", "[server]\nproxy_protocol_from = [\"10.0.0.0/8\", \"10.0.0.0/33\"] # <-\n", `server.proxy_protocol_from: "10.0.0.0/33" is neither an address nor a CIDR`},
		{"banner lines", "[server]\nbanner = \"a\\nb\" # <-\n", "one line"},
		{"log format", "[log]\nformat = \"xml\" # <-\n", "log.format"},
		{"log level", "[log]\nlevel = \"loud\" # <-\n", "log.level"},
		{"xferlog dir", "[log]\nxferlog = \"/nonexistent-dir-for-test/xferlog\" # <-\n", "does not exist"},
		{"metrics listen", "[metrics]\nlisten = \"9121\" # <-\n", "metrics.listen"},
		{"anonymous home missing", "[anonymous] # <-\nenabled = true\n", "enabled but home is not set"},
		{"anonymous home not dir", "[anonymous]\nenabled = true\nhome = \"FILE\" # <-\n", "is not a directory"},
		{"anonymous perm", "[anonymous]\nperm = \"elrz\" # <-\n", "anonymous: perm has unknown letter 'z'"},
		{"user perm", user + "perm = \"elradfmwMTx\" # <-\n", `user "alice": perm has unknown letter 'x' (valid: elradfmwMT)`},
		{"user no password", "[[user]] # <-\nname = \"bob\"\nhome = \"HOME\"\n", `user "bob": password is missing`},
		{"user no home", "[[user]] # <-\nname = \"bob\"\npassword = \"x\"\n", `user "bob": home is missing`},
		{"user no name", user + "[[user]] # <-\npassword = \"x\"\nhome = \"HOME\"\n", "user #2: name is missing"},
		{"user home missing", "[[user]]\nname = \"bob\"\npassword = \"x\"\nhome = \"/nonexistent-home-for-test\" # <-\n", "no such file or directory"},
		{"user duplicate", user + "[[user]]\nname = \"alice\" # <-\npassword = \"x\"\nhome = \"HOME\"\n", `user "alice": defined twice (first at line 1)`},
		{"user reserved", "[[user]]\nname = \"Anonymous\" # <-\npassword = \"x\"\nhome = \"HOME\"\n", "reserved"},
		{"user name space", "[[user]]\nname = \"a b\" # <-\npassword = \"x\"\nhome = \"HOME\"\n", "spaces"},
		{"bad bcrypt", "[[user]]\nname = \"b\"\npassword = \"$2b$10$tooshort\" # <-\nhome = \"HOME\"\n", "malformed bcrypt"},
		{"bad argon2id", "[[user]]\nname = \"b\"\npassword = \"$argon2id$v=19$m=x$a$b\" # <-\nhome = \"HOME\"\n", "malformed argon2id"},
		{"crypt hash", "[[user]]\nname = \"b\"\npassword = \"$6$salt$hash\" # <-\nhome = \"HOME\"\n", "$6$ hash"},
		{"user rate", user + "write_limit = \"-5\" # <-\n", `user "alice": write_limit: "-5" is not a rate`},
		{"user max sessions", user + "max_sessions = -2 # <-\n", `user "alice": max_sessions: -2 is negative`},
		{"user msg", user + "quit_msg = \"bye\\r\\n230 fake\" # <-\n", `user "alice": quit_msg must be one line`},
		{"override perm", user + "[[user.override]]\ndir = \"/in\"\nperm = \"elrQ\" # <-\n", `user "alice": override "/in": perm has unknown letter 'Q'`},
		{"override no dir", user + "[[user.override]]\ndir = \"/a\"\nperm = \"elr\"\n[[user.override]] # <-\nperm = \"elr\"\n", "override #2: dir is missing"},
		{"override no perm", user + "[[user.override]] # <-\ndir = \"/in\"\n", `override "/in": perm is missing`},
		{"override twice", user + "[[user.override]]\ndir = \"/in\"\nperm = \"e\"\n[[user.override]]\ndir = \"in/\" # <-\nperm = \"e\"\n", "listed twice"},
		{"second user's override", user + "[[user]]\nname = \"bob\"\npassword = \"x\"\nhome = \"HOME\"\n[[user.override]]\ndir = \"/d\"\nperm = \"!\" # <-\n", `user "bob": override "/d": perm has unknown letter '!'`},
		{"system perm", "[system_users]\nperm = \"rw+\" # <-\n", "system_users: perm has unknown letter '+'"},
		{"system min uid", "[system_users]\nmin_uid = 0 # <-\n", "would admit root"},
		{"tls not a pem", "[tls]\ncert_file = \"FILE\" # <-\n", "does not hold a certificate and its private key"},
		{"tls cert without key", "[tls]\ncert_file = \"CERT\" # <-\n", "does not hold a certificate and its private key"},
		{"tls swapped", "[tls]\ncert_file = \"KEY\"\nkey_file = \"CERT\" # <-\n", "are not a certificate and its private key"},
		{"tls key only", "[tls]\nkey_file = \"FILE\" # <-\n", "cert_file is not"},
		{"tls unreadable", "[tls]\ncert_file = \"FILE\"\nkey_file = \"/nonexistent-key-for-test.pem\" # <-\n", "tls.key_file"},
		{"tls required without cert", "[tls]\n\ndata_required = true # <-\n", "tls.data_required needs a certificate"},
		{"implicit without cert", "[tls]\nimplicit_listen = [\":990\"] # <-\n", "tls.implicit_listen needs a certificate"},
		{"implicit bad", "[tls]\ncert_file = \"BOTH\"\nimplicit_listen = [\"990\"] # <-\n", "tls.implicit_listen"},
		{"login timeout", "[server]\nlogin_timeout = \"soon\" # <-\n", "server.login_timeout"},
		{"ban window zero", "[server]\nban_after = 5\nban_window = 0 # <-\n", "server.ban_window: 0 is not a period"},
		{"ban after negative", "[server]\nban_after = -1 # <-\n", "server.ban_after: -1 is negative"},
		{"run as", "[server]\nrun_as = \"a b\" # <-\n", "server.run_as"},
		{"pid file dir", "[server]\npid_file = \"/nonexistent-dir-for-test/ftp.pid\" # <-\n", "server.pid_file: directory /nonexistent-dir-for-test does not exist"},
		{"host no name", "[[host]] # <-\nroot = \"HOME\"\nanonymous = true\n", "host #1: name is missing"},
		{"host bad name", "[[host]]\nname = [\"a.example\",\n \"a b\"] # <-\nroot = \"HOME\"\nanonymous = true\n", `name "a b" is not a domain name`},
		{"host name type", "[[host]]\nname = 7 # <-\nroot = \"HOME\"\nanonymous = true\n", "want a string or a list of strings"},
		{"host name twice", host + "[[host]]\nname = \"A.example.\" # <-\nroot = \"HOME\"\nanonymous = true\n", `name "a.example" is also host #1's (line 1)`},
		{"host nobody", "[[host]] # <-\nname = \"a.example\"\nroot = \"HOME\"\n", `host "a.example": nobody can log in`},
		{"host anonymous without root", "[[host]]\nname = \"a.example\"\nanonymous = true # <-\n", "needs root"},
		{"host root not dir", "[[host]]\nname = \"a.example\"\nroot = \"FILE\" # <-\nanonymous = true\n", "is not a directory"},
		{"host banner", host + "banner = \"a\\r\\n230 x\" # <-\n", `host "a.example": banner must be one line`},
		{"host max sessions", host + "max_sessions = -1 # <-\n", `host "a.example": max_sessions: -1 is negative`},
		{"host rate", host + "write_limit = \"lots\" # <-\n", `host "a.example": write_limit: "lots" is not a rate`},
		{"host user home", "[[host]]\nname = \"a.example\"\n[[host.user]] # <-\nname = \"ann\"\npassword = \"x\"\n", `host "a.example": user "ann": home is missing`},
		{"host user perm", host + "[[host.user]]\nname = \"ann\"\npassword = \"x\"\nperm = \"q\" # <-\n", `host "a.example": user "ann": perm has unknown letter 'q'`},
		{"host user twice", host + "[[host.user]]\nname = \"ann\"\npassword = \"x\"\n[[host.user]]\nname = \"ann\" # <-\npassword = \"y\"\n", `user "ann": defined twice (first at line 5)`},
		{"host cert without tls", host + "cert_file = \"BOTH\" # <-\n", "needs tls.cert_file"},
		{"host cert bad", "[tls]\ncert_file = \"BOTH\"\n" + host + "cert_file = \"FILE\" # <-\n", "does not hold a certificate and its private key"},
		{"host key only", host + "key_file = \"KEY\" # <-\n", "cert_file is not"},
		{"host unknown key", host + "rot = \"x\" # <-\n", `unknown key "host.rot"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.NewReplacer("HOME", dir, "FILE", file, "CERT", cert, "KEY", key, "BOTH", both).Replace(c.doc)
			wantLine := 0
			for i, l := range strings.Split(doc, "\n") {
				if strings.Contains(l, "# <-") {
					wantLine = i + 1
				}
			}
			_, err := Parse("test.toml", []byte(doc))
			if err == nil {
				t.Fatalf("no error for\n%s", doc)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("%T %v is not an ErrorList", err, err)
			}
			e := list[0]
			if len(list) > 1 {
				t.Errorf("%d errors, want 1: %v", len(list), err)
			}
			if e.File != "test.toml" || e.Line != wantLine || !strings.Contains(e.Msg, c.want) {
				t.Errorf("got %q (line %d)\nwant line %d containing %q", e.Error(), e.Line, wantLine, c.want)
			}
			if prefix := "test.toml:" + strconv.Itoa(wantLine) + ":"; !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("%q does not start with %q", e.Error(), prefix)
			}
		})
	}
}

// TestEveryProblemReported checks that validation goes on after the first problem and
// reports all of them in line order, and that unknown keys are all listed.
func TestEveryProblemReported(t *testing.T) {
	doc := "[log]\nlevel = \"x\"\n[server]\nloops = -1\n[[user]]\nname = \"a\"\nperm = \"?\"\n"
	_, err := Parse("t.toml", []byte(doc))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("%v", err)
	}
	var lines []int
	for _, e := range list {
		lines = append(lines, e.Line)
	}
	// level (2), loops (4), password and home missing (5, at the [[user]] header), perm (7).
	if !reflect.DeepEqual(lines, []int{2, 4, 5, 5, 7}) {
		t.Errorf("lines %v in\n%v", lines, err)
	}
	if n := strings.Count(err.Error(), "\n"); n != len(list)-1 {
		t.Errorf("text has %d lines for %d errors", n+1, len(list))
	}

	_, err = Parse("t.toml", []byte("[server]\nlisten_addr = 1\nbaner = \"x\"\n[[user]]\nnmae = \"a\"\n"))
	if !errors.As(err, &list) || len(list) != 3 || list[0].Line != 2 || list[1].Line != 3 || list[2].Line != 5 {
		t.Errorf("unknown keys: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.toml")
	if _, err := Load(missing); err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) = %v, want a read error naming the file", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("\n\n[server]\nloops = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":4:") {
		t.Errorf("Load(bad) = %v, want %s:4:...", err, bad)
	}
}

func TestAuthorizerSystemUsers(t *testing.T) {
	f, err := Parse("s.toml", []byte("[system_users]\nenabled = true\nmin_uid = 2000\n"))
	if err != nil {
		t.Fatal(err)
	}
	az, err := f.Authorizer()
	if os.Geteuid() != 0 {
		if err == nil || !strings.Contains(err.Error(), "system_users") {
			t.Fatalf("as non-root: %v, want an error about the shadow file", err)
		}
		t.Skip("system users need root to read the shadow file")
	}
	if err != nil {
		t.Fatal(err)
	}
	chain, ok := az.(sysauth.Chain)
	if !ok || len(chain) != 2 {
		t.Fatalf("Authorizer is %T, want a sysauth.Chain of Static then System", az)
	}
	if _, ok := chain[0].(*auth.Static); !ok {
		t.Errorf("first link is %T", chain[0])
	}
	// root is below min_uid: refused however the password is.
	_, err = az.Authenticate(context.Background(), "root", "x", netip.Addr{})
	if !errors.Is(err, auth.ErrBadCredentials) || !errors.Is(err, sysauth.ErrUIDTooLow) {
		t.Errorf("root: %v", err)
	}
}

// writeKeyPair writes a self-signed certificate and its key into dir as cert.pem and
// key.pem, and both in one file, both.pem.
func writeKeyPair(t *testing.T, dir string) (cert, key, both string) {
	t.Helper()
	cert, key, both, err := testcert.Write(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, both
}

// TestDurationsAndCertInOneFile: durations take seconds or Go syntax in every key, the
// new [server] keys load, and cert_file alone may hold both certificate and key.
func TestDurationsAndCertInOneFile(t *testing.T) {
	dir := t.TempDir()
	_, _, both := writeKeyPair(t, dir)
	doc := "[server]\nlogin_timeout = \"90\"\nban_after = 5\nban_window = 30\nban_time = \"1h\"\nshutdown_grace = \"0\"\n" +
		"max_sessions_per_user = 2\nrun_as = \"nobody\"\npid_file = \"run/ftp.pid\"\nlisten = [\":2121\"]\n[tls]\ncert_file = \"both.pem\"\n"
	os.Mkdir(filepath.Join(dir, "run"), 0o755)
	f, err := Parse(filepath.Join(dir, "c.toml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Server
	if s.LoginTimeout != 90*time.Second || s.BanAfter != 5 || s.BanWindow != 30*time.Second || s.BanTime != time.Hour ||
		s.ShutdownGrace != 0 || s.MaxSessionsPerUser != 2 || s.RunAs != "nobody" ||
		s.PidFile != filepath.Join(dir, "run", "ftp.pid") || s.ListenDefault {
		t.Errorf("server %+v", s)
	}
	if f.TLS.CertFile != both || f.TLS.KeyFile != "" || !f.TLS.Enabled() {
		t.Errorf("tls %+v", f.TLS)
	}
	for in, want := range map[string]time.Duration{"300": 300 * time.Second, "5m": 5 * time.Minute, "0": 0, " 2s ": 2 * time.Second} {
		if d, err := ParseDuration(in); err != nil || d != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"-1", "-1s", "5 minutes", "1.5"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

// TestDataNotSentLowat: data_notsent_lowat takes a size with K/M/G or a number of bytes;
// "0" turns the option off (-1, for fastftp.Config), absence leaves the server's default (0).
func TestDataNotSentLowat(t *testing.T) {
	for _, c := range []struct {
		val  string // "" for absent
		want int
		err  string
	}{
		{"", 0, ""},
		{`"auto"`, 0, ""},
		{`"128K"`, 128 << 10, ""},
		{"65536", 65536, ""},
		{`"1M"`, 1 << 20, ""},
		{`"0"`, -1, ""},
		{"0", -1, ""},
		{`"lots"`, 0, `"lots" is not a size`},
		{`"2G"`, 0, "between 0 and 1G"},
		{"-1", 0, "between 0 and 1G"},
		{`"0.5"`, 0, "whole number"},
		{"1.5", 0, "want a size"},
	} {
		doc := "[server]\n"
		if c.val != "" {
			doc += "data_notsent_lowat = " + c.val + "\n"
		}
		f, err := Parse(filepath.Join(t.TempDir(), "c.toml"), []byte(doc))
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), ":2:") {
				t.Errorf("data_notsent_lowat = %s: error %v, want one on line 2 with %q", c.val, err, c.err)
			}
		case err != nil:
			t.Errorf("data_notsent_lowat = %s: %v", c.val, err)
		case f.Server.DataNotSentLowat != c.want:
			t.Errorf("data_notsent_lowat = %s: %d, want %d", c.val, f.Server.DataNotSentLowat, c.want)
		}
	}
}

func TestListingKeys(t *testing.T) {
	for _, tt := range []struct {
		text    string
		size    int64
		sortMax int
		numeric bool
		err     string
	}{
		{"", 0, DefaultListSortMax, false, ""},
		{`list_cache_size = "0"`, -1, DefaultListSortMax, false, ""},
		{`list_cache_size = "8M"`, 8 << 20, DefaultListSortMax, false, ""},
		{`list_cache_size = 1000`, 1000, DefaultListSortMax, false, ""},
		{"list_sort_max = 0\nlist_numeric_owners = true", 0, 0, true, ""},
		{`list_cache_size = "lots"`, 0, 0, false, "server.list_cache_size"},
		{`list_cache_size = "17G"`, 0, 0, false, "server.list_cache_size"},
		{`list_sort_max = -1`, 0, 0, false, "server.list_sort_max"},
	} {
		f, err := Parse("t.toml", []byte("[server]\n"+tt.text+"\n"))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one naming %s", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		s := f.Server
		if s.ListCacheSize != tt.size || s.ListSortMax != tt.sortMax || s.ListNumericOwners != tt.numeric {
			t.Errorf("%q: size %d sort %d numeric %v", tt.text, s.ListCacheSize, s.ListSortMax, s.ListNumericOwners)
		}
	}
}

// TestHosts: [[host]] tables load with their names, root, users (home defaulting to the
// root), limits and certificate, and each host's Authorizer knows only its own users.
func TestHosts(t *testing.T) {
	dir := t.TempDir()
	cert, key, both := writeKeyPair(t, dir)
	for _, d := range []string{"a", "b", "bob"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	doc := `[tls]
cert_file = "` + both + `"

[[host]]
name = ["Mirror.A.example", "ftp.a.example."]
root = "a"
anonymous = true
banner = "A mirror."
max_sessions = 10
write_limit = "2M"
cert_file = "` + cert + `"
key_file = "` + key + `"
  [[host.user]]
  name = "ann"
  password = "pw-ann"
  perm = "elrw"

[[host]]
name = "b.example"
  [[host.user]]
  name = "bea"
  password = "pw-bea"
  home = "b"
`
	path := filepath.Join(dir, "f.toml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Hosts) != 2 {
		t.Fatalf("%d hosts", len(f.Hosts))
	}
	a, b := &f.Hosts[0], &f.Hosts[1]
	if !reflect.DeepEqual(a.Names, []string{"mirror.a.example", "ftp.a.example"}) || a.Root != filepath.Join(dir, "a") ||
		!a.Anonymous || a.Banner != "A mirror." || a.MaxSessions != 10 || a.WriteLimit != 2<<20 || a.ReadLimit != 0 || a.CertFile != cert || a.KeyFile != key || a.Line != 4 {
		t.Errorf("host a: %+v", a)
	}
	if len(a.Users) != 1 || a.Users[0].Home != a.Root || a.Users[0].Perm.String() != "elrw" {
		t.Errorf("host a users: %+v", a.Users)
	}
	if !reflect.DeepEqual(b.Names, []string{"b.example"}) || b.Root != "" || len(b.Users) != 1 || b.Users[0].Home != filepath.Join(dir, "b") {
		t.Errorf("host b: %+v", b)
	}
	ctx, ip := context.Background(), netip.MustParseAddr("127.0.0.1")
	aa, err := f.HostAuthorizer(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aa.Authenticate(ctx, "ann", "pw-ann", ip); err != nil {
		t.Errorf("ann on a: %v", err)
	}
	if _, err := aa.Authenticate(ctx, "anonymous", "x@y", ip); err != nil {
		t.Errorf("anonymous on a: %v", err)
	}
	ba, err := f.HostAuthorizer(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range [][2]string{{"ann", "pw-ann"}, {"anonymous", "x@y"}} {
		if _, err := ba.Authenticate(ctx, who[0], who[1], ip); err == nil {
			t.Errorf("%s logs in on b", who[0])
		}
	}
}

// TestWorkersKey: server.workers takes a count or "auto" (one per CPU), and refuses
// anything else with the key and line.
func TestWorkersKey(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want int
		err  string
	}{
		{"workers = 3", 3, ""},
		{`workers = "4"`, 4, ""},
		{`workers = "auto"`, min(runtime.NumCPU(), MaxWorkers), ""},
		{"workers = 0", 0, `server.workers: "0": want "auto"`},
		{"workers = 65", 0, "1 to 64"},
		{`workers = "many"`, 0, `"many"`},
		{"workers = 1.5", 0, "want \"auto\" or a number"},
	} {
		f, err := Parse("w.toml", []byte("[server]\n"+c.doc+"\n"))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an error with %q", c.doc, err, c.err)
			}
			continue
		}
		if err != nil || f.Server.Workers != c.want {
			t.Errorf("%s: %v, workers %d; want %d", c.doc, err, f.Server.Workers, c.want)
		}
	}
}
