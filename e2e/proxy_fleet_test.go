// A fleet behind real HAProxy: two fastftp nodes receive their control connections from
// HAProxy with send-proxy-v2, while data connections go straight to each node's passive
// ports (topology 1 of docs/operations.md). Everything runs on loopback: HAProxy talks to
// the nodes from 127.0.0.9 (`source`, the one trusted address), clients come from
// 127.0.0.2-4 and the harness's readiness probe from 127.0.0.1, so both sides of the
// trust rule are exercised.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

const (
	balancerSource = "127.0.0.9" // where HAProxy's connections to the nodes come from
	fleetPerIP     = 6           // --max-cons-per-ip of each node
)

// startHAProxy runs haproxy in the foreground with cfg (which gets the frontend port via
// %d) and returns the frontend address (on host) once it answers with a node's 220, and
// HAProxy's log. It is killed by t.Cleanup.
func startHAProxy(t *testing.T, host, cfg string) (string, *lockedBuffer) {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (Debian package haproxy)")
	}
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t, "127.0.0.1")
		path := filepath.Join(t.TempDir(), "haproxy.cfg")
		if err := os.WriteFile(path, []byte(fmt.Sprintf(cfg, port)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-db", "-f", path)
		logs := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatalf("start haproxy: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited
			if t.Failed() || os.Getenv("SHOW_HAPROXY") != "" {
				t.Logf("haproxy output:\n%s", logs.String())
			}
		})
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		deadline := time.Now().Add(startTimeout)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				deadline = time.Time{} // the port was taken meanwhile: try another
				continue
			default:
			}
			if greeting(addr, "127.0.0.2") != "" {
				return addr, logs
			}
			time.Sleep(20 * time.Millisecond) // polling HAProxy's start, bounded above
		}
		_ = cmd.Process.Kill()
	}
	t.Fatal("haproxy did not start")
	return "", nil
}

// dialAs connects to addr from the loopback address from, as a distinct client would.
func dialAs(addr, from string) (net.Conn, error) {
	d := net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(replyTimeout))
	return c, nil
}

// greeting connects from `from`, returns the first reply line ("" on failure), and closes.
func greeting(addr, from string) string {
	c, err := dialAs(addr, from)
	if err != nil {
		return ""
	}
	defer c.Close()
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

func TestHAProxyFleet(t *testing.T) {
	fastftpOnly(t, "PROXY protocol")
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("haproxy not installed (Debian package haproxy)")
	}
	node := func(name string) *testServer {
		return startServer(t, withConfig("PROXY protocol", func(c *fastftp.Config) {
			c.Banner = name
			c.ProxyProtocolFrom = []netip.Prefix{netip.MustParsePrefix(balancerSource + "/32")}
			c.MaxConnsPerIP = fleetPerIP
		}))
	}
	a, b := node("node-a"), node("node-b")
	// Each node has its own copy of the tree, as mirrors in a fleet do.
	makeTree(t, filepath.Join(a.Root, "tree"))
	makeTree(t, filepath.Join(b.Root, "tree"))

	// Health checks every 200 ms; a node is out after one failure. The checks carry the
	// PROXY header too (HAProxy's default with send-proxy-v2: a LOCAL header) and expect the
	// greeting. roundrobin alternates strictly, which the per-IP count below relies on.
	front, hlog := startHAProxy(t, "127.0.0.1", `
global
    maxconn 256
    log stderr format raw local0 notice
defaults
    log global
    mode tcp
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch
frontend ftp
    bind 127.0.0.1:%d
    default_backend nodes
backend nodes
    balance roundrobin
    option tcp-check
    tcp-check expect rstring ^220
    default-server send-proxy-v2 source `+balancerSource+` check inter 200ms fall 1 rise 2
    server a `+a.Addr+`
    server b `+b.Addr+`
`)
	_, frontPort, _ := net.SplitHostPort(front)

	t.Run("mirror", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "got")
		full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
			"set net:socket-bind-ipv4 127.0.0.4; open -u %s,%s -p %s ftp://127.0.0.1; mirror --parallel=8 /tree %s",
			a.User, a.Pass, frontPort, dst)
		out, err := runTool(t, nil, "lftp", "-c", full)
		if err != nil {
			t.Fatalf("lftp -c %q: %v\n%s", full, err, tail(out))
		}
		compareTrees(t, "lftp mirror through haproxy", filepath.Join(a.Root, "tree"), dst)
		// Both nodes served, and they saw the client, not the balancer.
		for _, n := range []*testServer{a, b} {
			if l := n.logs.String(); !strings.Contains(l, "msg=login remote=127.0.0.4:") {
				t.Errorf("node %s logged no login from the client 127.0.0.4", n.Addr)
			}
		}
	})

	t.Run("per-IP limit", func(t *testing.T) {
		// 2*fleetPerIP sessions from 127.0.0.2 fill both nodes' per-IP allowance;
		// the next ones from that address are refused, while 127.0.0.3 gets in.
		var open []net.Conn
		defer func() {
			for _, c := range open {
				c.Close()
			}
		}()
		for i := 0; i < 2*fleetPerIP; i++ {
			c, err := dialAs(front, "127.0.0.2")
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, c)
			if line, _ := bufio.NewReader(c).ReadString('\n'); !strings.HasPrefix(line, "220") {
				t.Fatalf("session %d from 127.0.0.2: %q", i+1, line)
			}
		}
		for i := 0; i < 2; i++ {
			if line := greeting(front, "127.0.0.2"); !strings.HasPrefix(line, "421 Too many connections from your address") {
				t.Errorf("session %d from 127.0.0.2: %q, want 421 (per-IP limit %d per node)", 2*fleetPerIP+i+1, line, fleetPerIP)
			}
		}
		if line := greeting(front, "127.0.0.3"); !strings.HasPrefix(line, "220") {
			t.Errorf("127.0.0.3 through the same balancer: %q, want 220", line)
		}
	})

	t.Run("node down", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		_ = a.srv.Shutdown(ctx)
		// The health check takes node-a out within a few periods...
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(hlog.String(), "nodes/a is DOWN") {
			if time.Now().After(deadline) {
				t.Fatalf("haproxy did not mark node-a down within 10 s")
			}
			time.Sleep(20 * time.Millisecond) // polling HAProxy's log, bounded above
		}
		// ...and every new session lands on node-b.
		streak := 0
		for streak < 10 {
			if time.Now().After(deadline) {
				t.Fatalf("sessions still fail or reach node-a %v after it stopped", 10*time.Second)
			}
			if line := greeting(front, "127.0.0.3"); strings.HasPrefix(line, "220 node-b") {
				streak++
			} else {
				streak = 0
				time.Sleep(50 * time.Millisecond) // waiting for the health check, bounded above
			}
		}
		// One node now carries the client: stay within its per-IP allowance (lftp opens
		// one session per parallel transfer plus the listing one).
		again := filepath.Join(t.TempDir(), "again")
		full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "+
			"set net:socket-bind-ipv4 127.0.0.4; open -u %s,%s -p %s ftp://127.0.0.1; mirror --parallel=%d /tree %s",
			b.User, b.Pass, frontPort, fleetPerIP-2, again)
		if out, err := runTool(t, nil, "lftp", "-c", full); err != nil {
			t.Fatalf("mirror with one node left: %v\n%s", err, tail(out))
		}
		compareTrees(t, "lftp mirror with one node left", filepath.Join(b.Root, "tree"), again)
	})
}

// onHost makes a node listen on another loopback address, so that several nodes can
// have the same passive port range, as machines of a fleet do.
func onHost(h string) serverOption { return func(s *serverSetup) { s.host = h } }

// TestHAProxyPassiveThroughBalancer: topology 2 of docs/operations.md. The passive ports
// go through HAProxy too (balance source, with the consistent hashing docs/operations.md
// recommends, sends a client's control and data connections to the same node), the nodes announce the balancer's address, and each data connection
// carries its own PROXY header, whose client the node compares with the session's.
func TestHAProxyPassiveThroughBalancer(t *testing.T) {
	fastftpOnly(t, "PROXY protocol")
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("haproxy not installed (Debian package haproxy)")
	}
	const vip = "127.0.0.5" // the balancer's address, announced in 227 replies
	lo, hi := nextPassiveRange()
	node := func(name, host string) *testServer {
		return startServer(t, onHost(host), withConfig("PROXY protocol", func(c *fastftp.Config) {
			c.Banner = name
			c.ProxyProtocolFrom = []netip.Prefix{netip.MustParsePrefix(balancerSource + "/32")}
			c.PassivePortMin, c.PassivePortMax = uint16(lo), uint16(hi)
			c.MasqueradeAddress = netip.MustParseAddr(vip)
		}))
	}
	a, b := node("node-a", "127.0.1.1"), node("node-b", "127.0.1.2")
	makeTree(t, filepath.Join(a.Root, "tree"))
	makeTree(t, filepath.Join(b.Root, "tree"))
	// A data server without a port keeps the port the client connected to: the passive
	// port the node announced.
	front, _ := startHAProxy(t, vip, fmt.Sprintf(`
global
    maxconn 256
defaults
    mode tcp
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend ftp
    bind `+vip+`:%%d
    default_backend control
frontend passive
    bind `+vip+`:%d-%d
    default_backend data
backend control
    balance source
    hash-type consistent
    default-server send-proxy-v2 source `+balancerSource+`
    server a `+a.Addr+`
    server b `+b.Addr+`
backend data
    balance source
    hash-type consistent
    default-server send-proxy-v2 source `+balancerSource+`
    server a 127.0.1.1
    server b 127.0.1.2
`, lo, hi))
	_, frontPort, _ := net.SplitHostPort(front)
	// Several clients, so that several hashes must agree between the two backends.
	clients := []string{"127.0.0.4", "127.0.0.6", "127.0.0.7", "127.0.0.8"}
	for i, client := range clients {
		epsv := []string{"no", "yes"}[i%2]
		dst := filepath.Join(t.TempDir(), "got")
		full := fmt.Sprintf("set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; set ftp:prefer-epsv %s; "+
			"set net:socket-bind-ipv4 %s; open -u %s,%s -p %s ftp://%s; mirror --parallel=8 /tree %s",
			epsv, client, a.User, a.Pass, frontPort, vip, dst)
		out, err := runTool(t, nil, "lftp", "-c", full)
		if err != nil {
			t.Fatalf("lftp -c %q: %v\n%s", full, err, tail(out))
		}
		compareTrees(t, "lftp mirror from "+client+", passive ports through haproxy, prefer-epsv "+epsv, filepath.Join(a.Root, "tree"), dst)
	}
	for _, n := range []*testServer{a, b} {
		if l := n.logs.String(); strings.Contains(l, "data connection refused") {
			t.Errorf("node %s refused a data connection:\n%s", n.Addr, l)
		}
	}
	for _, client := range clients {
		served := 0
		for _, n := range []*testServer{a, b} {
			if strings.Contains(n.logs.String(), "msg=login remote="+client+":") {
				served++
			}
		}
		if served != 1 {
			t.Errorf("%d nodes served %s; balance source should pin it to one", served, client)
		}
	}
}
