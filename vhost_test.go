package fastftp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testcert"
	"github.com/fastftp/fastftp/internal/testkit"
)

type vhostServer struct{ plain, implicit string }

// startVhostServer serves the default host (user "bob", certificate "localhost") and two
// virtual hosts, a.example (user "ann", its own certificate) and b.example (user "bea",
// its own certificate), plaintext with AUTH TLS and implicit FTPS.
func startVhostServer(t *testing.T) *vhostServer {
	t.Helper()
	user := func(name string) auth.Authorizer {
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, name+".txt"), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		st := auth.NewStatic()
		if err := st.AddUser(name, "pw", home, auth.MustParsePerm(auth.ReadOnly)); err != nil {
			t.Fatal(err)
		}
		return st
	}
	cert := func(name string) *fastftp.CertReloader {
		c, k, _, err := testcert.WriteFor(t.TempDir(), 1, name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := fastftp.LoadCert(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	def, ca, cb := cert("localhost"), cert("a.example"), cert("b.example")
	srv, err := fastftp.New(fastftp.Config{
		Auth: user("bob"), TLS: def.TLSConfig(), TLSNoSessionReuse: true,
		Logger: slog.New(slog.DiscardHandler), FailedLoginDelay: -1,
		Hosts: []fastftp.VirtualHost{
			{Names: []string{"a.example", "ftp.a.example"}, Banner: "A mirror.", Auth: user("ann"), Certificate: ca.GetCertificate},
			{Names: []string{"b.example"}, Banner: "B mirror.", Auth: user("bea"), Certificate: cb.GetCertificate},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	iln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	go srv.ServeTLS(iln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &vhostServer{plain: ln.Addr().String(), implicit: iln.Addr().String()}
}

// ftpConn is a raw control connection on the test kit's strict reply reader: cmd sends a
// line and returns the whole reply ("220 A mirror." for a one-line reply).
type ftpConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func rawConn(t *testing.T, nc net.Conn) *ftpConn {
	t.Helper()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := &ftpConn{t: t, nc: nc, r: bufio.NewReader(nc)}
	t.Cleanup(func() { nc.Close() })
	return c
}

func (c *ftpConn) read() string {
	c.t.Helper()
	_, text, err := testkit.ReadReply(c.r)
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return text
}

func (c *ftpConn) cmd(line string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, line+"\r\n"); err != nil {
		c.t.Fatalf("%s: %v", line, err)
	}
	return c.read()
}

// startTLS upgrades with AUTH TLS, sending sni (none when ""), and returns the name of the
// certificate the server presented.
func (c *ftpConn) startTLS(sni string) string {
	c.t.Helper()
	if got := c.cmd("AUTH TLS"); !strings.HasPrefix(got, "234") {
		c.t.Fatalf("AUTH TLS: %s", got)
	}
	tc := tls.Client(c.nc, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("handshake (SNI %q): %v", sni, err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	return tc.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func TestVirtualHostCertificates(t *testing.T) {
	vs := startVhostServer(t)
	plain := func() *ftpConn {
		nc, err := net.Dial("tcp", vs.plain)
		if err != nil {
			t.Fatal(err)
		}
		c := rawConn(t, nc)
		c.read()
		return c
	}

	t.Run("HOST then AUTH TLS without SNI", func(t *testing.T) {
		c := plain()
		if got := c.cmd("HOST ftp.a.example"); got != "220 A mirror." {
			t.Fatalf("HOST: %s", got)
		}
		if name := c.startTLS(""); name != "a.example" {
			t.Fatalf("certificate %q, want a.example", name)
		}
		c.cmd("USER ann")
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("ann on a.example: %s", got)
		}
		if got := c.cmd("SIZE ann.txt"); got != "213 3" {
			t.Fatalf("SIZE in a's tree: %s", got)
		}
	})

	t.Run("SNI alone selects the host", func(t *testing.T) {
		c := plain()
		if name := c.startTLS("b.example"); name != "b.example" {
			t.Fatalf("certificate %q, want b.example", name)
		}
		c.cmd("USER ann")
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "530") {
			t.Fatalf("ann on b.example: %s", got)
		}
		c.cmd("USER bea")
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("bea on b.example: %s", got)
		}
	})

	t.Run("default host", func(t *testing.T) {
		c := plain()
		if name := c.startTLS("unlisted.example"); name != "localhost" {
			t.Fatalf("certificate %q, want the default localhost", name)
		}
		c.cmd("USER bob")
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("bob on the default host: %s", got)
		}
	})

	t.Run("HOST and SNI disagree", func(t *testing.T) {
		c := plain()
		c.cmd("HOST a.example")
		if name := c.startTLS("b.example"); name != "a.example" {
			t.Fatalf("certificate %q, want HOST's a.example", name)
		}
		if got := c.cmd("USER ann"); !strings.HasPrefix(got, "530 HOST and the TLS server name (SNI) name different hosts") {
			t.Fatalf("USER after disagreeing HOST and SNI: %s", got)
		}
	})

	t.Run("implicit FTPS", func(t *testing.T) {
		tc, err := tls.Dial("tcp", vs.implicit, &tls.Config{ServerName: "a.example", InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		c := rawConn(t, tc)
		if got := c.read(); got != "220 A mirror." {
			t.Fatalf("greeting: %s", got)
		}
		if name := tc.ConnectionState().PeerCertificates[0].Subject.CommonName; name != "a.example" {
			t.Fatalf("certificate %q, want a.example", name)
		}
		c.cmd("USER ann")
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("ann: %s", got)
		}
	})
}

// retr downloads name over EPSV on a logged-in raw connection and returns its size.
func (c *ftpConn) retr(name string) int {
	c.t.Helper()
	c.cmd("TYPE I")
	r := c.cmd("EPSV")
	i, j := strings.Index(r, "(|||"), strings.LastIndex(r, "|)")
	if !strings.HasPrefix(r, "229") || i < 0 || j < i+4 {
		c.t.Fatalf("EPSV: %s", r)
	}
	host, _, _ := net.SplitHostPort(c.nc.RemoteAddr().String())
	dc, err := net.DialTimeout("tcp", net.JoinHostPort(host, r[i+4:j]), 5*time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	defer dc.Close()
	_ = dc.SetDeadline(time.Now().Add(30 * time.Second))
	if got := c.cmd("RETR " + name); !strings.HasPrefix(got, "150") {
		c.t.Fatalf("RETR: %s", got)
	}
	n, err := io.Copy(io.Discard, dc)
	if err != nil {
		c.t.Fatal(err)
	}
	if got := c.read(); !strings.HasPrefix(got, "226") {
		c.t.Fatalf("RETR end: %s", got)
	}
	return int(n)
}

// TestHostWriteLimitShared: a host's write limit caps its sessions together (two users of
// the host downloading at once share it), and does not touch the default host.
func TestHostWriteLimitShared(t *testing.T) {
	const cap, size = 2 << 20, 3 << 20
	home := t.TempDir()
	writeRandom(t, filepath.Join(home, "f.bin"), size)
	st := auth.NewStatic()
	for _, u := range []string{"ann", "amy"} {
		if err := st.AddUser(u, "pw", home, auth.MustParsePerm(auth.ReadOnly)); err != nil {
			t.Fatal(err)
		}
	}
	addr, dir, _ := startServer(t, fastftp.Config{Hosts: []fastftp.VirtualHost{
		{Names: []string{"a.example"}, Auth: st, WriteLimit: cap},
	}})
	writeRandom(t, filepath.Join(dir, "f.bin"), size)
	logIn := func(host, user string) *ftpConn {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c := rawConn(t, nc)
		c.read()
		if host != "" {
			c.cmd("HOST " + host)
		}
		c.cmd("USER " + user)
		if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("%s on %q: %s", user, host, got)
		}
		_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
		return c
	}
	// The default host is not limited: well above the host's cap.
	start := time.Now()
	if n := logIn("", "alice").retr("f.bin"); n != size {
		t.Fatalf("default host: %d bytes", n)
	}
	if r := float64(size) / time.Since(start).Seconds(); r < 2*cap {
		t.Errorf("default host download at %.0f B/s: throttled by another host's limit?", r)
	}
	conns := []*ftpConn{logIn("a.example", "ann"), logIn("a.example", "amy")}
	start = time.Now()
	t.Run("together", func(t *testing.T) { // parallel subtests, so that each may t.Fatal
		for i, c := range conns {
			t.Run([]string{"ann", "amy"}[i], func(t *testing.T) {
				t.Parallel()
				c.t = t
				c.retr("f.bin")
			})
		}
	})
	checkRate(t, "host a.example, two users", 2*size, time.Since(start), cap)
}
