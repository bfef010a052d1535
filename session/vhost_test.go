package session

import (
	"crypto/tls"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/auth"
)

// hostAuth is an Authorizer with one read-only user whose home holds a file named after
// the host, so that a listing or SIZE tells which tree the session sees.
func hostAuth(t testing.TB, user, marker string) *auth.Static {
	t.Helper()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, marker), []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	st := auth.NewStatic()
	if err := st.AddUser(user, "pw-"+user, home, auth.MustParsePerm(auth.ReadOnly)); err != nil {
		t.Fatal(err)
	}
	return st
}

func withHosts(hosts ...Host) func(*Env) { return func(e *Env) { e.Hosts = hosts } }

func twoHosts(t testing.TB) func(*Env) {
	return withHosts(
		Host{Names: []string{"a.example", "www.a.example"}, Banner: "A mirror.", Auth: hostAuth(t, "alice", "a.txt")},
		Host{Names: []string{"b.example"}, Auth: hostAuth(t, "bea", "b.txt"), MaxSessions: 1},
	)
}

func TestHOSTSelectsUsersAndTree(t *testing.T) {
	s, ft := newTestSession(t, twoHosts(t))
	got := lines(feed(s, ft, "HOST WWW.A.Example\r\nUSER bob\r\nPASS secret\r\nUSER alice\r\nPASS pw-alice\r\nSIZE a.txt\r\nSIZE b.txt\r\nHOST b.example\r\n"))
	want := []string{
		"220 A mirror.",
		"331 Username ok, send password.",
		"530 Authentication failed.", // bob is the default host's user
		"331 Username ok, send password.",
		"230 Login successful.",
		"213 5",
		"550 /b.txt: No such file or directory.",
		"503 HOST not allowed after login.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("replies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHOSTRules(t *testing.T) {
	s, ft := newTestSession(t, twoHosts(t))
	for _, c := range []struct{ in, want string }{
		{"HOST nowhere.example\r\n", "504 Unknown host."},
		{"HOST bad_name!\r\n", "501 Syntax error: HOST wants a domain name or an [IP address]."},
		{"HOST a..example\r\n", "501 Syntax error: HOST wants a domain name or an [IP address]."},
		{"HOST\r\n", "501 Syntax error: command needs an argument."},
		{"HOST [127.0.0.1]\r\n", "220 test ready."}, // an address: the default host
		{"HOST [::1]\r\n", "220 test ready."},
		{"HOST b.example.\r\n", "220 test ready."}, // no banner of its own: the server's
		{"HOST a.example\r\n", "220 A mirror."},    // before USER, the last HOST wins
		{"USER alice\r\n", "331 Username ok, send password."},
		{"HOST b.example\r\n", "503 HOST must come before USER."},
		{"PASS pw-alice\r\n", "230 Login successful."},
		{"REIN\r\n", "220 Ready for new user."},
		{"HOST b.example\r\n", "220 test ready."}, // allowed again after REIN
		{"USER alice\r\n", "331 Username ok, send password."},
		{"PASS pw-alice\r\n", "530 Authentication failed."}, // alice is not b's
		{"USER bea\r\n", "331 Username ok, send password."},
		{"PASS pw-bea\r\n", "230 Login successful."},
	} {
		if got := strings.Join(lines(feed(s, ft, c.in)), "|"); got != c.want {
			t.Errorf("%q: got %q, want %q", strings.TrimSpace(c.in), got, c.want)
		}
	}
	if got := feed(s, ft, "FEAT\r\n"); !strings.Contains(got, "\r\n HOST\r\n") {
		t.Errorf("FEAT does not list HOST:\n%s", got)
	}
}

// TestHOSTAfterREINForgetsTheHost: after REIN without a new HOST, the session is back on
// the default host (RFC 7151: REIN returns to the state right after connecting).
func TestHOSTAfterREINForgetsTheHost(t *testing.T) {
	s, ft := newTestSession(t, twoHosts(t))
	feed(s, ft, "HOST a.example\r\nUSER alice\r\nPASS pw-alice\r\nREIN\r\n")
	if got := feed(s, ft, "USER bob\r\nPASS secret\r\n"); !strings.HasSuffix(got, "230 Login successful.\r\n") {
		t.Fatalf("bob after REIN: %q", got)
	}
}

func TestHOSTWithoutHostsServesEveryName(t *testing.T) {
	s, ft := newTestSession(t)
	if got := feed(s, ft, "HOST ftp.example.org\r\nUSER bob\r\nPASS secret\r\n"); got != "220 test ready.\r\n331 Username ok, send password.\r\n230 Login successful.\r\n" {
		t.Fatalf("replies: %q", got)
	}
}

func TestHostMaxSessions(t *testing.T) {
	opt := twoHosts(t)
	s1, ft1 := newTestSession(t, opt)
	env := s1.env
	if got := feed(s1, ft1, "HOST b.example\r\nUSER bea\r\nPASS pw-bea\r\n"); !strings.HasSuffix(got, "230 Login successful.\r\n") {
		t.Fatalf("first: %q", got)
	}
	s2, ft2 := newSessionOn(env)
	if got := feed(s2, ft2, "HOST b.example\r\nUSER bea\r\nPASS pw-bea\r\n"); !strings.HasSuffix(got, "530 Too many sessions on this host; try again later.\r\n") {
		t.Fatalf("second: %q", got)
	}
	feed(s1, ft1, "REIN\r\n") // frees the slot
	if got := feed(s2, ft2, "USER bea\r\nPASS pw-bea\r\n"); !strings.HasSuffix(got, "230 Login successful.\r\n") {
		t.Fatalf("after REIN of the first: %q", got)
	}
}

func newSessionOn(env *Env) (*Session, *fakeTransport) {
	ft := &fakeTransport{posted: make(chan func(), 16)}
	s := New(env, s0local, s0remote)
	s.Start(ft)
	ft.out = ft.out[:0]
	return s, ft
}

func TestSNISelectsHost(t *testing.T) {
	certA := &tls.Certificate{Certificate: [][]byte{[]byte("A")}}
	hosts := []Host{
		{Names: []string{"a.example"}, Auth: hostAuth(t, "alice", "a.txt"), Certificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return certA, nil }},
		{Names: []string{"b.example"}, Auth: hostAuth(t, "bea", "b.txt")},
	}
	s, ft := newTestSession(t, withHosts(hosts...))
	// SNI alone selects the host and its certificate.
	if c, err := s.ChooseCertificate(&tls.ClientHelloInfo{ServerName: "A.example"}); c != certA || err != nil {
		t.Fatalf("SNI a.example: %v, %v", c, err)
	}
	if got := feed(s, ft, "HOST b.example\r\n"); !strings.HasPrefix(got, "504 HOST names another host than the TLS server name") {
		t.Fatalf("HOST disagreeing with SNI: %q", got)
	}
	if got := feed(s, ft, "HOST a.example\r\nUSER alice\r\nPASS pw-alice\r\n"); !strings.HasSuffix(got, "230 Login successful.\r\n") {
		t.Fatalf("HOST agreeing with SNI: %q", got)
	}

	// HOST first, then a ClientHello naming another host: login refused.
	s2, ft2 := newSessionOn(s.env)
	feed(s2, ft2, "HOST b.example\r\n")
	if c, err := s2.ChooseCertificate(&tls.ClientHelloInfo{ServerName: "a.example"}); c != nil || err != nil {
		t.Fatalf("b has no certificate of its own: %v, %v", c, err)
	}
	for _, in := range []string{"USER bea\r\n", "PASS pw-bea\r\n"} {
		if got := feed(s2, ft2, in); !strings.HasPrefix(got, "530 HOST and the TLS server name (SNI) name different hosts") {
			t.Fatalf("%q after a conflict: %q", in, got)
		}
	}

	// An unknown server name is ignored: the default host, the server's certificate.
	s3, ft3 := newSessionOn(s.env)
	if c, err := s3.ChooseCertificate(&tls.ClientHelloInfo{ServerName: "alias.example"}); c != nil || err != nil {
		t.Fatalf("unknown SNI: %v, %v", c, err)
	}
	if got := feed(s3, ft3, "USER bob\r\nPASS secret\r\n"); !strings.HasSuffix(got, "230 Login successful.\r\n") {
		t.Fatalf("default host after an unknown SNI: %q", got)
	}
}

func TestSetHostsReload(t *testing.T) {
	s, ft := newTestSession(t, twoHosts(t))
	feed(s, ft, "HOST a.example\r\n")
	// a.example keeps its first name with new users; b.example goes away.
	if err := s.env.SetHosts([]Host{{Names: []string{"a.example"}, Auth: hostAuth(t, "anna", "a2.txt")}}); err != nil {
		t.Fatal(err)
	}
	if got := feed(s, ft, "USER alice\r\nPASS pw-alice\r\nUSER anna\r\nPASS pw-anna\r\n"); !strings.HasSuffix(got, "530 Authentication failed.\r\n331 Username ok, send password.\r\n230 Login successful.\r\n") {
		t.Fatalf("after reload: %q", got)
	}
	s2, ft2 := newSessionOn(s.env)
	if got := feed(s2, ft2, "HOST b.example\r\n"); got != "504 Unknown host.\r\n" {
		t.Fatalf("removed host: %q", got)
	}
	// A session that chose b before the reload cannot log in after it.
	if err := s.env.SetHosts([]Host{{Names: []string{"b.example"}, Auth: hostAuth(t, "bea", "b.txt")}}); err != nil {
		t.Fatal(err)
	}
	feed(s2, ft2, "HOST b.example\r\n")
	if err := s.env.SetHosts(nil); err != nil {
		t.Fatal(err)
	}
	if got := feed(s2, ft2, "USER bea\r\n"); got != "530 This host is no longer served; reconnect.\r\n" {
		t.Fatalf("host removed after HOST: %q", got)
	}
}

func TestCheckHosts(t *testing.T) {
	a := auth.NewStatic()
	for _, c := range []struct {
		hosts []Host
		want  string
	}{
		{[]Host{{Auth: a}}, "host #1 has no name"},
		{[]Host{{Names: []string{"a.example"}}}, "no Authorizer"},
		{[]Host{{Names: []string{"a b"}, Auth: a}}, "not a domain name"},
		{[]Host{{Names: []string{"x.example"}, Auth: a}, {Names: []string{"X.EXAMPLE"}, Auth: a}}, "belongs to host #1 and host #2"},
		{[]Host{{Names: []string{"x.example"}, Auth: a, Banner: "two\r\nlines"}}, "one line"},
	} {
		if err := CheckHosts(c.hosts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckHosts: %v, want %q", err, c.want)
		}
	}
}

func FuzzHOST(f *testing.F) {
	for _, s := range []string{"a.example", "[::1]", "[127.0.0.1]", "A.EXAMPLE.", "..", "a" + strings.Repeat(".a", 200)} {
		f.Add(s)
	}
	hosts := []Host{{Names: []string{"a.example"}, Auth: auth.NewStatic()}}
	f.Fuzz(func(t *testing.T, name string) {
		s, ft := newTestSession(t, withHosts(hosts...))
		ft.out = ft.out[:0]
		got := feed(s, ft, "HOST "+strings.NewReplacer("\r", "", "\n", "").Replace(name)+"\r\n")
		if len(got) < 5 || !strings.Contains("220 501 504 500", got[:3]) || strings.Count(got, "\r\n") != 1 {
			t.Fatalf("HOST %q: %q", name, got)
		}
	})
}

func BenchmarkHostLookup(b *testing.B) {
	env := &Env{}
	hosts := make([]Host, 100)
	for i := range hosts {
		hosts[i] = Host{Names: []string{"mirror" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example.org"}, Auth: auth.NewStatic()}
	}
	if err := env.SetHosts(hosts); err != nil {
		b.Fatal(err)
	}
	t := env.hostTable()
	name := []byte("MIRRORQC.Example.ORG")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := t.lookup(name); !ok {
			b.Fatal("not found")
		}
	}
}

var (
	s0local  = netip.MustParseAddrPort("127.0.0.1:21")
	s0remote = netip.MustParseAddrPort("127.0.0.1:40001")
)
