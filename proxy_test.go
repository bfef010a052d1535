package fastftp_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/xferlog"
)

// logBuf is a goroutine-safe log sink for checking what was logged.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// waitFor waits up to 5 s for s to appear in the log.
func (l *logBuf) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.mu.Lock()
		ok := strings.Contains(l.b.String(), s)
		text := l.b.String()
		l.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q; log:\n%s", s, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func proxyServer(t *testing.T, cfg fastftp.Config, trusted ...string) (string, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	cfg.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, p := range trusted {
		cfg.ProxyProtocolFrom = append(cfg.ProxyProtocolFrom, netip.MustParsePrefix(p))
	}
	addr, _, _ := startServer(t, cfg)
	return addr, lb
}

// header formats a PROXY header of the given version for a client at src.
func header(t *testing.T, version byte, src, dst string) []byte {
	t.Helper()
	s, d := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(src)), net.TCPAddrFromAddrPort(netip.MustParseAddrPort(dst))
	b, err := proxyproto.HeaderProxyFromAddrs(version, s, d).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dialFrom connects to addr from the loopback address from (port chosen by the kernel)
// and writes pre (a PROXY header, or nothing).
func dialFrom(t *testing.T, from, addr string, pre []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, from, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if len(pre) > 0 {
		if _, err := c.Write(pre); err != nil {
			t.Fatal(err)
		}
	}
	return c, bufio.NewReader(c)
}

// reply reads one (possibly multi-line) reply and returns it whole.
func reply(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var all string
	for {
		line, err := r.ReadString('\n')
		all += line
		if err != nil {
			return all + "<" + err.Error() + ">"
		}
		if len(line) >= 4 && line[3] == ' ' && (len(all) == len(line) || strings.HasPrefix(line, all[:3])) {
			return all
		}
	}
}

func cmd(t *testing.T, c net.Conn, r *bufio.Reader, line string) string {
	t.Helper()
	fmt.Fprintf(c, "%s\r\n", line)
	return reply(t, r)
}

// TestProxyHeaderNamesTheClient: v1 and v2 headers from the trusted balancer give the
// session the client's address: STAT shows it, the per-IP limit and bans count it.
func TestProxyHeaderNamesTheClient(t *testing.T) {
	addr, lb := proxyServer(t, fastftp.Config{MaxConnsPerIP: 1, BanAfter: 1, BanWindow: time.Minute, BanTime: time.Minute}, "127.0.0.1/32")
	for i, v := range []byte{1, 2} {
		client := fmt.Sprintf("192.0.2.%d:4000%d", 10+i, i)
		c, r := dialFrom(t, "127.0.0.1", addr, header(t, v, client, addr))
		if got := reply(t, r); !strings.HasPrefix(got, "220") {
			t.Fatalf("v%d: greeting %q", v, got)
		}
		cmd(t, c, r, "USER alice")
		cmd(t, c, r, "PASS pw")
		if got := cmd(t, c, r, "STAT"); !strings.Contains(got, "Connected to: "+client) {
			t.Errorf("v%d: STAT %q does not name %s", v, got, client)
		}
		// The per-IP limit (1) applies to the client, not to the balancer.
		_, r2 := dialFrom(t, "127.0.0.1", addr, header(t, v, strings.Replace(client, ":4000", ":5000", 1), addr))
		if got := reply(t, r2); !strings.HasPrefix(got, "421 Too many connections from your address") {
			t.Errorf("v%d: second connection of %s: %q, want 421", v, client, got)
		}
	}
	lb.waitFor(t, "remote=192.0.2.11:50001 reason")
	// A ban hits the client, not everyone behind the balancer.
	c, r := dialFrom(t, "127.0.0.1", addr, header(t, 2, "198.51.100.9:1234", addr))
	reply(t, r)
	cmd(t, c, r, "USER alice")
	if got := cmd(t, c, r, "PASS wrong"); !strings.HasPrefix(got, "530") && !strings.HasPrefix(got, "421") {
		t.Fatalf("wrong password: %q", got)
	}
	c.Close()
	lb.waitFor(t, "address banned after repeated failed logins")
	_, r = dialFrom(t, "127.0.0.1", addr, header(t, 2, "198.51.100.9:1235", addr))
	if got := reply(t, r); !strings.HasPrefix(got, "421 Too many failed logins") {
		t.Errorf("banned client: %q", got)
	}
	_, r = dialFrom(t, "127.0.0.1", addr, header(t, 2, "198.51.100.10:1235", addr))
	if got := reply(t, r); !strings.HasPrefix(got, "220") {
		t.Errorf("another client behind the same balancer: %q", got)
	}
}

// TestProxyHeaderRequiredFromTrusted: a trusted source that sends no header, a broken one
// or nothing at all (within the timeout) is closed without a greeting and logged.
func TestProxyHeaderRequiredFromTrusted(t *testing.T) {
	addr, lb := proxyServer(t, fastftp.Config{ProxyHeaderTimeout: 300 * time.Millisecond}, "127.0.0.0/30")
	for name, pre := range map[string]string{
		"ftp instead":  "USER anonymous\r\n",
		"bad v1":       "PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n",
		"nothing sent": "",
	} {
		start := time.Now()
		_, r := dialFrom(t, "127.0.0.2", addr, []byte(pre))
		got, err := r.ReadString('\n')
		if err == nil || got != "" {
			t.Errorf("%s: got %q %v, want the connection closed without a greeting", name, got, err)
		}
		if name == "nothing sent" && time.Since(start) > 3*time.Second {
			t.Errorf("nothing sent: closed after %v, want about the 300 ms header timeout", time.Since(start))
		}
	}
	lb.waitFor(t, "connection refused: no valid PROXY protocol header from a trusted balancer")
	lb.waitFor(t, "from=127.0.0.2:")
}

// TestProxyHeaderRefusedFromUntrusted: anyone else's header is refused (a client could
// otherwise choose the address its limits and bans are counted against); without a
// header they are served as always.
func TestProxyHeaderRefusedFromUntrusted(t *testing.T) {
	addr, lb := proxyServer(t, fastftp.Config{}, "127.0.0.9/32")
	for _, v := range []byte{1, 2} {
		c, r := dialFrom(t, "127.0.0.2", addr, nil)
		if got := reply(t, r); !strings.HasPrefix(got, "220") {
			t.Fatalf("greeting %q", got)
		}
		c.Write(header(t, v, "192.0.2.1:1000", addr))
		if got, err := r.ReadString('\n'); err == nil {
			t.Errorf("v%d header from an untrusted source: got %q, want the connection closed", v, got)
		}
	}
	lb.waitFor(t, "connection refused: PROXY protocol header from a source not trusted to send one")
	lb.waitFor(t, "remote=127.0.0.2:")
	c, r := dialFrom(t, "127.0.0.2", addr, nil)
	reply(t, r)
	cmd(t, c, r, "USER alice")
	if got := cmd(t, c, r, "PASS pw"); !strings.HasPrefix(got, "230") {
		t.Errorf("plain login from an untrusted source: %q", got)
	}
}

// epsvPort asks for EPSV and returns the port.
func epsvPort(t *testing.T, c net.Conn, r *bufio.Reader) string {
	t.Helper()
	got := cmd(t, c, r, "EPSV")
	i := strings.Index(got, "(|||")
	if !strings.HasPrefix(got, "229") || i < 0 {
		t.Fatalf("EPSV: %q", got)
	}
	return strings.TrimSuffix(got[i+4:strings.Index(got, ")")], "|")
}

// TestProxyDataConnections: the PASV peer check compares the real client's address in
// both topologies: data connections straight from the client (topology 1), and data
// connections through the balancer carrying their own PROXY header (topology 2).
func TestProxyDataConnections(t *testing.T) {
	addr, lb := proxyServer(t, fastftp.Config{ProxyHeaderTimeout: 300 * time.Millisecond, DataTimeout: 3 * time.Second}, "127.0.0.1/32")
	c, r := dialFrom(t, "127.0.0.1", addr, header(t, 2, "127.0.0.2:40000", addr))
	reply(t, r)
	cmd(t, c, r, "USER alice")
	if got := cmd(t, c, r, "PASS pw"); !strings.HasPrefix(got, "230") {
		t.Fatalf("login: %q", got)
	}
	host, _, _ := net.SplitHostPort(addr)
	// nlst lists over a data connection from `from` that first sends pre(port); intruders
	// connect to the port before it, each sending its own bytes, and must be turned away.
	nlst := func(how string, from string, pre func(port string) []byte, intruders ...[]byte) {
		t.Helper()
		port := epsvPort(t, c, r)
		dst := net.JoinHostPort(host, port)
		var turnedAway []*bufio.Reader
		for _, in := range intruders {
			_, xr := dialFrom(t, "127.0.0.1", dst, in)
			turnedAway = append(turnedAway, xr)
		}
		d, _ := dialFrom(t, from, dst, pre(port))
		if got := cmd(t, c, r, "NLST"); !strings.HasPrefix(got, "150") {
			t.Fatalf("%s: NLST %q", how, got)
		}
		if _, err := io.ReadAll(d); err != nil {
			t.Fatalf("%s: reading the listing: %v", how, err)
		}
		if got := reply(t, r); !strings.HasPrefix(got, "226") {
			t.Fatalf("%s: after the listing: %q", how, got)
		}
		for i, xr := range turnedAway {
			if b, err := xr.ReadByte(); err == nil {
				t.Errorf("%s: intruder %d got data %q", how, i, b)
			}
		}
	}
	// Topology 1: the client connects to the node's passive port itself.
	nlst("direct", "127.0.0.2", func(string) []byte { return nil })
	// Topology 2: the balancer connects, and says for whom. Another client's header and
	// a missing header are refused; the rightful one then gets the listing.
	nlst("through the balancer", "127.0.0.1",
		func(port string) []byte { return header(t, 2, "127.0.0.2:40001", net.JoinHostPort(host, port)) },
		header(t, 2, "127.0.0.3:40002", addr), nil)
	lb.waitFor(t, "data connection refused: not from the control connection's address")
	lb.waitFor(t, "from=127.0.0.3:40002")
	lb.waitFor(t, "data connection refused: no valid PROXY protocol header from a trusted balancer")
}

// TestProxyXferlogAddress: the transfer log names the client, not the balancer.
func TestProxyXferlogAddress(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "xferlog")
	w, err := xferlog.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	addr, _ := proxyServer(t, fastftp.Config{TransferLog: w}, "127.0.0.1/32")
	c, r := dialFrom(t, "127.0.0.1", addr, header(t, 1, "127.0.0.2:40000", addr))
	reply(t, r)
	cmd(t, c, r, "USER alice")
	cmd(t, c, r, "PASS pw")
	host, _, _ := net.SplitHostPort(addr)
	port := epsvPort(t, c, r)
	d, _ := dialFrom(t, "127.0.0.2", net.JoinHostPort(host, port), nil)
	if got := cmd(t, c, r, "STOR up.bin"); !strings.HasPrefix(got, "150") {
		t.Fatalf("STOR: %q", got)
	}
	d.Write([]byte("hello"))
	d.Close()
	if got := reply(t, r); !strings.HasPrefix(got, "226") {
		t.Fatalf("after STOR: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), " 127.0.0.2 ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("xferlog %q does not name the client 127.0.0.2", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProxyHeaderWithTLS: the header precedes TLS on the implicit FTPS listener, and the
// client's address survives the AUTH TLS hand-off from the event loop to a goroutine.
func TestProxyHeaderWithTLS(t *testing.T) {
	ts := startTLSServer(t, fastftp.Config{ProxyProtocolFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	check := func(name string, c net.Conn, r *bufio.Reader, client string) {
		t.Helper()
		cmd(t, c, r, "USER alice")
		if got := cmd(t, c, r, "PASS pw"); !strings.HasPrefix(got, "230") {
			t.Fatalf("%s: login %q", name, got)
		}
		if got := cmd(t, c, r, "STAT"); !strings.Contains(got, "Connected to: "+client) {
			t.Errorf("%s: STAT %q does not name %s", name, got, client)
		}
	}
	raw, _ := dialFrom(t, "127.0.0.1", ts.implicit, header(t, 2, "192.0.2.20:1000", ts.implicit))
	tc := tls.Client(raw, clientTLS())
	tr := bufio.NewReader(tc)
	if got := reply(t, tr); !strings.HasPrefix(got, "220") {
		t.Fatalf("implicit FTPS greeting %q", got)
	}
	check("implicit", tc, tr, "192.0.2.20:1000")

	raw, r := dialFrom(t, "127.0.0.1", ts.addr, header(t, 1, "192.0.2.21:1001", ts.addr))
	reply(t, r)
	if got := cmd(t, raw, r, "AUTH TLS"); !strings.HasPrefix(got, "234") {
		t.Fatalf("AUTH TLS: %q", got)
	}
	tc = tls.Client(raw, clientTLS())
	check("AUTH TLS", tc, bufio.NewReader(tc), "192.0.2.21:1001")
}
