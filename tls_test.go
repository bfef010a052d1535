package fastftp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testcert"
	"github.com/fastftp/fastftp/internal/testkit"
	"github.com/fastftp/fastftp/metrics"
)

// writeCert makes a self-signed certificate for localhost/127.0.0.1 in dir and returns
// the PEM file paths.
func writeCert(t *testing.T, dir string, serial int64) (string, string) {
	t.Helper()
	cert, key, _, err := testcert.Write(dir, serial)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

type tlsServer struct {
	addr, implicit, dir string
	certs               *fastftp.CertReloader
	certFile, keyFile   string
	srv                 *fastftp.Server
}

// startTLSServer serves plaintext+AUTH TLS and implicit FTPS; "alice"/"pw" has full rights,
// "bob"/"pw2" reads the same tree.
func startTLSServer(t *testing.T, cfg fastftp.Config) *tlsServer {
	t.Helper()
	ts := &tlsServer{dir: t.TempDir()}
	ts.certFile, ts.keyFile = writeCert(t, t.TempDir(), 1)
	certs, err := fastftp.LoadCert(ts.certFile, ts.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ts.certs = certs
	st := auth.NewStatic()
	st.AddUser("alice", "pw", ts.dir, auth.MustParsePerm(auth.ReadWrite))
	st.AddUser("bob", "pw2", ts.dir, auth.MustParsePerm(auth.ReadOnly))
	cfg.Auth, cfg.TLS = st, certs.TLSConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.FailedLoginDelay = -1
	if cfg.PassivePortMin == 0 {
		base := uint16(21000 + time.Now().UnixNano()%5000)
		cfg.PassivePortMin, cfg.PassivePortMax = base, base+40
	}
	srv, err := fastftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	iln := testkit.Listen(t)
	go srv.ServeTLS(iln) // shut down with the plaintext listener by testkit.Serve's cleanup
	ts.addr, ts.implicit = testkit.Serve(t, srv), iln.Addr().String()
	ts.srv = srv
	return ts
}

// clientTLS resumes sessions on data connections (ServerName keys the session cache).
func clientTLS() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, ServerName: "localhost",
		ClientSessionCache: tls.NewLRUClientSessionCache(16)}
}

func TestFTPSGoClientExplicitAndImplicit(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	content := make([]byte, 3<<20+7)
	rand.Read(content)
	for _, mode := range []string{"explicit", "implicit"} {
		t.Run(mode, func(t *testing.T) {
			opt, addr := ftp.DialWithExplicitTLS(clientTLS()), ts.addr
			if mode == "implicit" {
				opt, addr = ftp.DialWithTLS(clientTLS()), ts.implicit
			}
			c, err := ftp.Dial(addr, opt, ftp.DialWithTimeout(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Quit()
			if err := c.Login("alice", "pw"); err != nil {
				t.Fatal(err)
			}
			name := mode + ".bin"
			if err := c.Stor(name, bytes.NewReader(content)); err != nil {
				t.Fatal(err)
			}
			r, err := c.Retr(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || sha256.Sum256(got) != sha256.Sum256(content) {
				t.Fatalf("PROT P round trip: %d bytes, %v", len(got), err)
			}
			entries, err := c.List("/")
			if err != nil || len(entries) == 0 {
				t.Fatalf("LIST over TLS: %v %v", entries, err)
			}
		})
	}
}

// TestFTPSWithDataLoops: with the data-loop engine on, PROT P transfers keep the goroutine
// path (the engine refuses a TLS connection, the session falls back) and arrive intact.
func TestFTPSWithDataLoops(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{TLSDataRequired: true, DataLoops: 2})
	content := make([]byte, 1<<20+3)
	rand.Read(content)
	c, err := ftp.Dial(ts.addr, ftp.DialWithExplicitTLS(clientTLS()), ftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("f.bin", bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	r, err := c.Retr("f.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("PROT P round trip with DataLoops: %d bytes, %v", len(got), err)
	}
	if n := ts.srv.DataLoopBytes(); n != 0 {
		t.Errorf("the engine moved %d bytes of PROT P transfers, want 0 (TLS keeps the goroutine path)", n)
	}
}

// TestFTPSRefusals: plaintext login when TLS is required, PROT C when data TLS is required,
// and a data connection that does not resume the control session.
func TestFTPSRefusals(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	raw := testkit.Dial(t, ts.addr)
	raw.Timeout = 5 * time.Second
	raw.Reply()
	raw.SendRaw("USER alice\r\nFEAT\r\n") // pipelined: the refusal must not stop FEAT
	if text := raw.Expect(530); !strings.HasPrefix(text, "530 ") {
		t.Fatalf("plaintext USER: %q, want 530", text)
	}
	if feat := raw.Expect(211); !strings.Contains(feat, "\n AUTH TLS") {
		t.Fatalf("FEAT does not list AUTH TLS:\n%s", feat)
	}
	raw.Conn.Close()

	// No session cache: the data connection makes a full handshake and must be refused.
	noReuse := &tls.Config{InsecureSkipVerify: true}
	c, err := ftp.Dial(ts.addr, ftp.DialWithExplicitTLS(noReuse), ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err = c.List("/")
	if replyCode(err) != 522 {
		t.Fatalf("LIST without TLS session reuse: %v, want 522", err)
	}
}

// TestFTPSInjection: commands pipelined in plaintext behind AUTH TLS are never executed.
func TestFTPSInjection(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{})
	c := testkit.Dial(t, ts.addr)
	c.Conn.SetDeadline(time.Now().Add(5 * time.Second))
	c.Timeout = 5 * time.Second
	c.Reply() // 220
	c.SendRaw("AUTH TLS\r\nUSER alice\r\nPASS pw\r\nMKD injected\r\n")
	c.Expect(234)
	rest, _ := io.ReadAll(c.R) // the handshake fails on "USER ...": the server closes
	if bytes.Contains(rest, []byte("331")) || bytes.Contains(rest, []byte("257")) {
		t.Fatalf("plaintext after AUTH TLS was executed: %q", rest)
	}
	if _, err := os.Stat(filepath.Join(ts.dir, "injected")); err == nil {
		t.Fatal("MKD pipelined after AUTH TLS created a directory")
	}
}

// TestFTPSHandshakeTimeout: a client that never completes the handshake is closed on time.
// The AUTH TLS session counts as closed for tls_handshake_failed; the implicit one, never
// started, counts neither as opened nor as closed.
func TestFTPSHandshakeTimeout(t *testing.T) {
	m := metrics.New()
	web := httptest.NewServer(m.Handler())
	defer web.Close()
	ts := startTLSServer(t, fastftp.Config{TLSHandshakeTimeout: 300 * time.Millisecond, Metrics: m})
	for _, mode := range []string{"implicit", "AUTH TLS"} {
		addr := ts.implicit
		if mode != "implicit" {
			addr = ts.addr
		}
		c := testkit.Dial(t, addr)
		c.Timeout = 5 * time.Second
		if mode != "implicit" {
			c.Reply()
			c.Send("AUTH TLS")
			c.Reply()
		}
		c.Conn.SetDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err := io.ReadAll(c.R)
		if d := time.Since(start); err != nil || d > 2*time.Second {
			t.Errorf("%s: stalled handshake closed after %v (err %v), want ~300ms", mode, d, err)
		}
		c.Conn.Close()
	}
	want := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{metrics.NameSessions, nil, 0},
		{metrics.NameSessionsTotal, nil, 1},
		{metrics.NameSessionsClosed, nil, 1},
		{metrics.NameSessionsClosed, map[string]string{"reason": "tls_handshake_failed"}, 1},
	}
	// The client sees EOF when the server closes the socket, a moment before the session's
	// end is counted: scrape until every figure holds, for at most 5 s.
	var wrong []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fams := scrape(t, web.URL+"/metrics")
		wrong = wrong[:0]
		for _, c := range want {
			if v := value(fams, c.name, c.labels); v != c.want {
				wrong = append(wrong, fmt.Sprintf("%s%v = %v, want %v", c.name, c.labels, v, c.want))
			}
		}
		if len(wrong) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range wrong {
		t.Error(w)
	}
}

func TestFTPSCertReload(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{})
	serial := func() int64 {
		c, err := tls.Dial("tcp", ts.implicit, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	if s := serial(); s != 1 {
		t.Fatalf("serial %d, want 1", s)
	}
	newCert, newKey := writeCert(t, t.TempDir(), 2)
	b1, _ := os.ReadFile(newCert)
	b2, _ := os.ReadFile(newKey)
	os.WriteFile(ts.certFile, b1, 0o600)
	os.WriteFile(ts.keyFile, b2, 0o600)
	if err := ts.certs.Reload(); err != nil {
		t.Fatal(err)
	}
	if s := serial(); s != 2 {
		t.Fatalf("after reload serial %d, want 2", s)
	}
}

// replyCode extracts the FTP reply code from a jlaffaye/ftp error (0 if none).
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func needTool(t *testing.T, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (.ci/run installs it)", name)
	}
	return p
}

// TestFTPSCurl: curl --ssl-reqd lists, downloads, uploads and resumes over PROT P with
// session reuse.
func TestFTPSCurl(t *testing.T) {
	curl := needTool(t, "curl")
	ts := startTLSServer(t, fastftp.Config{TLSDataRequired: true})
	content := make([]byte, 1<<20)
	rand.Read(content)
	os.WriteFile(filepath.Join(ts.dir, "d.bin"), content, 0o644)
	url := "ftp://alice:pw@" + ts.addr + "/"
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "--ssl-reqd", "-k"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return out
	}
	if got := run(url + "d.bin"); !bytes.Equal(got, content) {
		t.Fatal("curl FTPS download differs")
	}
	if got := string(run("--list-only", url)); !strings.Contains(got, "d.bin") {
		t.Fatalf("curl FTPS list: %q", got)
	}
	up := filepath.Join(t.TempDir(), "u.bin")
	os.WriteFile(up, content, 0o644)
	run("-T", up, url+"u.bin")
	if got, _ := os.ReadFile(filepath.Join(ts.dir, "u.bin")); !bytes.Equal(got, content) {
		t.Fatal("curl FTPS upload differs")
	}
	part := filepath.Join(t.TempDir(), "part.bin")
	os.WriteFile(part, content[:300000], 0o644)
	run("-C", "-", "-o", part, url+"d.bin")
	if got, _ := os.ReadFile(part); !bytes.Equal(got, content) {
		t.Fatal("curl FTPS resumed download differs")
	}
}

// TestFTPSLftp: lftp with ftp:ssl-force and ftp:ssl-protect-data mirrors a tree up and down.
func TestFTPSLftp(t *testing.T) {
	lftp := needTool(t, "lftp")
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	src := t.TempDir()
	for i := range 5 {
		b := make([]byte, 1000*i+1)
		rand.Read(b)
		os.WriteFile(filepath.Join(src, fmt.Sprintf("f%d", i)), b, 0o644)
	}
	dst := t.TempDir()
	host, port, _ := net.SplitHostPort(ts.addr)
	script := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set ftp:ssl-force true; "+
		"set ftp:ssl-protect-data true; set ssl:verify-certificate no; "+
		"open -u alice,pw -p %s %s; mirror -R %s /up; mirror /up %s", port, host, src, dst)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, lftp, "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("lftp: %v\n%s", err, out)
	}
	for i := range 5 {
		name := fmt.Sprintf("f%d", i)
		a, _ := os.ReadFile(filepath.Join(src, name))
		b, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("lftp FTPS mirror: %s differs (%v)", name, err)
		}
	}
}

// TestFTPSPythonFtplib: ftplib's FTP_TLS cannot resume TLS sessions on data connections,
// so it works against the relaxed mode only.
func TestFTPSPythonFtplib(t *testing.T) {
	py := needTool(t, "python3")
	ts := startTLSServer(t, fastftp.Config{TLSNoSessionReuse: true})
	os.WriteFile(filepath.Join(ts.dir, "p.txt"), []byte("hello over tls\n"), 0o644)
	host, port, _ := net.SplitHostPort(ts.addr)
	script := `
import ftplib, ssl, sys, io
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
f = ftplib.FTP_TLS(context=ctx, timeout=10)
f.connect(sys.argv[1], int(sys.argv[2])); f.login("alice", "pw"); f.prot_p()
buf = io.BytesIO(); f.retrbinary("RETR p.txt", buf.write)
f.storbinary("STOR q.txt", io.BytesIO(b"from ftplib\n"))
print(buf.getvalue().decode().strip()); f.quit()
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", script, host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello over tls" {
		t.Fatalf("ftplib: %v %q", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(ts.dir, "q.txt")); string(b) != "from ftplib\n" {
		t.Fatalf("ftplib upload: %q", b)
	}
}

// TestFTPSREINKeepsDataTLS: REIN on a TLS control connection, then a new login; PROT P data
// connections must still work (REIN used to wipe the ticket stamp: every later transfer got
// 522).
func TestFTPSREINKeepsDataTLS(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	c, err := ftp.Dial(ts.addr, ftp.DialWithExplicitTLS(clientTLS()), ftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	content := []byte("before and after REIN")
	if err := c.Stor("a.txt", bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(); err != nil { // REIN
		t.Fatalf("REIN: %v", err)
	}
	if _, err := c.List("/"); replyCode(err) != 530 {
		t.Fatalf("LIST after REIN, before login: %v, want 530", err)
	}
	if err := c.Login("alice", "pw"); err != nil {
		t.Fatalf("login after REIN: %v", err)
	}
	for i := range 3 {
		r, err := c.Retr("a.txt")
		if err != nil {
			t.Fatalf("RETR %d after REIN: %v", i, err)
		}
		got, err := io.ReadAll(r)
		cerr := r.Close() // the final reply: 226, or the 522 of a refused data connection
		if err != nil || cerr != nil || !bytes.Equal(got, content) {
			t.Fatalf("RETR %d after REIN: %q %v %v", i, got, err, cerr)
		}
	}
	if entries, err := c.List("/"); err != nil || len(entries) != 1 {
		t.Fatalf("LIST after REIN: %v %v", entries, err)
	}
}

// gatedCache is a client session cache that can hide its tickets: while closed, Get misses
// (the handshake is a full one) but Put still stores, as when a client starts several
// control connections at once and they all race to the server before any ticket exists.
type gatedCache struct {
	tls.ClientSessionCache
	open atomic.Bool
}

func (g *gatedCache) Get(key string) (*tls.ClientSessionState, bool) {
	if !g.open.Load() {
		return nil, false
	}
	return g.ClientSessionCache.Get(key)
}

// TestFTPSSharedTicketCache: one client, one session cache, several control connections
// (rclone's shape). A data connection that resumes a ticket of a sibling control connection
// of the same user from the same address is accepted; one that resumes another user's
// ticket is refused with 522.
func TestFTPSSharedTicketCache(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	os.WriteFile(filepath.Join(ts.dir, "f.txt"), []byte("shared"), 0o644)
	cache := &gatedCache{ClientSessionCache: tls.NewLRUClientSessionCache(1)} // one ticket per host, as Go keeps it
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", ClientSessionCache: cache}
	dial := func(user, pass string) *ftp.ServerConn {
		t.Helper()
		c, err := ftp.Dial(ts.addr, ftp.DialWithExplicitTLS(cfg), ftp.DialWithTimeout(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Quit() })
		if err := c.Login(user, pass); err != nil {
			t.Fatal(err)
		}
		return c
	}
	retr := func(c *ftp.ServerConn) error {
		r, err := c.Retr("f.txt")
		if err != nil {
			return err
		}
		got, err := io.ReadAll(r)
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err == nil && string(got) != "shared" {
			err = fmt.Errorf("got %q", got)
		}
		return err
	}
	// Three control connections with full handshakes; the cache then holds the last one's
	// ticket, which the first connection's data connection resumes.
	a := dial("alice", "pw")
	dial("alice", "pw")
	dial("alice", "pw")
	cache.open.Store(true)
	if err := retr(a); err != nil {
		t.Fatalf("data connection resuming a sibling's ticket (same user, same address): %v", err)
	}
	// Now bob's control connection leaves its ticket in the cache; alice's next data
	// connection resumes it and must be refused.
	cache.open.Store(false)
	dial("bob", "pw2")
	cache.open.Store(true)
	if err := retr(a); replyCode(err) != 522 {
		t.Fatalf("data connection resuming another user's ticket: %v, want 522", err)
	}
}

// TestFTPSRclone: rclone sync over explicit FTPS with 8 parallel transfers (it shares one
// TLS session cache between its control connections); every file arrives, none is refused.
func TestFTPSRclone(t *testing.T) {
	rclone := needTool(t, "rclone")
	ts := startTLSServer(t, fastftp.Config{TLSControlRequired: true, TLSDataRequired: true})
	src := t.TempDir()
	want := map[string][]byte{}
	for i := range 36 {
		b := make([]byte, 1000+i*7919)
		rand.Read(b)
		name := fmt.Sprintf("f%02d.bin", i)
		want[name] = b
		os.WriteFile(filepath.Join(src, name), b, 0o644)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obscured, err := exec.CommandContext(ctx, rclone, "obscure", "pw").Output()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(ts.addr)
	remote := fmt.Sprintf(":ftp,host=%s,port=%s,user=alice,pass=%s,explicit_tls=true,no_check_certificate=true:up",
		host, port, strings.TrimSpace(string(obscured)))
	cmd := exec.CommandContext(ctx, rclone, "sync", src, remote, "--transfers", "8", "--checkers", "8",
		"--config", "/dev/null", "--retries", "1", "--low-level-retries", "1")
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("522")) {
		t.Fatalf("rclone sync: %v\n%s", err, out)
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(ts.dir, "up", name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(got), err, len(b))
		}
	}
}

// TestFTPSPythonFtplibStrict: against the default (strict) server, ftplib's data connection
// is refused with a 522 that names the fix.
func TestFTPSPythonFtplibStrict(t *testing.T) {
	py := needTool(t, "python3")
	ts := startTLSServer(t, fastftp.Config{})
	os.WriteFile(filepath.Join(ts.dir, "p.txt"), []byte("x\n"), 0o644)
	host, port, _ := net.SplitHostPort(ts.addr)
	script := `
import ftplib, ssl, sys, io
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
f = ftplib.FTP_TLS(context=ctx, timeout=10)
f.connect(sys.argv[1], int(sys.argv[2])); f.login("alice", "pw"); f.prot_p()
try:
    f.retrbinary("RETR p.txt", io.BytesIO().write)
    print("no error")
except ftplib.all_errors as e:
    print(e)
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", script, host, port).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "522") || !strings.Contains(string(out), "--tls-no-session-reuse") {
		t.Fatalf("ftplib against the strict server: %v %q, want a 522 naming --tls-no-session-reuse", err, out)
	}
}
