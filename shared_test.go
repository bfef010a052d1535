package fastftp_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/internal/shm"
)

// sharedLimits gives cfg the limit state of worker 0 of a fresh 3-worker table, as
// fastftpd --workers does.
func sharedLimits(tb testing.TB, cfg *fastftp.Config) fastftp.SharedLimits {
	tb.Helper()
	tab, f, err := shm.Create(3)
	if errors.Is(err, shm.ErrUnsupported) {
		tb.Skip(err)
	} else if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tab.Close(); f.Close() })
	return sharedView(tb, f, 0, cfg)
}

func sharedView(tb testing.TB, f *os.File, w int, cfg *fastftp.Config) fastftp.SharedLimits {
	tb.Helper()
	v, err := shm.Open(f, w)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	r, wr := v.GlobalBuckets(cfg.GlobalReadLimit, cfg.GlobalWriteLimit)
	return fastftp.SharedLimits{
		Conns: v.Conns(cfg.MaxConns, cfg.MaxConnsPerIP),
		Bans:  v.Bans(cfg.BanAfter, cfg.BanWindow, cfg.BanTime, nil),
		Users: v.Users(), GlobalRead: r, GlobalWrite: wr,
	}
}

// greet connects and returns the first reply line.
func greet(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return c, line
}

// TestSharedLimitsAcrossServers: two servers on one shared table behave as one server
// for MaxConns and for the sessions of one user.
func TestSharedLimitsAcrossServers(t *testing.T) {
	tab, f, err := shm.Create(2)
	if errors.Is(err, shm.ErrUnsupported) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	defer f.Close()
	var addrs [2]string
	for w := range 2 {
		cfg := fastftp.Config{MaxConns: 3, MaxSessionsPerUser: 1}
		cfg.Shared = sharedView(t, f, w, &cfg)
		addrs[w], _, _ = startServer(t, cfg)
	}
	// alice logs in on server 0; her second session, on server 1, is refused.
	c, _ := greet(t, addrs[0])
	r := bufio.NewReader(c)
	var line string
	for _, step := range []struct{ send, want string }{{"USER alice\r\n", "331"}, {"PASS pw\r\n", "230"}} {
		c.Write([]byte(step.send))
		if line, _ = r.ReadString('\n'); !strings.HasPrefix(line, step.want) {
			t.Fatalf("%q: %q", step.send, line)
		}
	}
	c2, _ := greet(t, addrs[1])
	r2 := bufio.NewReader(c2)
	c2.Write([]byte("USER alice\r\nPASS pw\r\n"))
	r2.ReadString('\n')
	if line, _ = r2.ReadString('\n'); !strings.HasPrefix(line, "530") {
		t.Fatalf("alice's second session on the other server: %q, want 530", line)
	}
	// Three connections are live (two above, one more here); the fourth is refused
	// whichever server it reaches.
	if _, line = greet(t, addrs[1]); !strings.HasPrefix(line, "220") {
		t.Fatalf("third connection: %q", line)
	}
	for w := range 2 {
		if _, line = greet(t, addrs[w]); !strings.HasPrefix(line, "421") {
			t.Fatalf("fourth connection, server %d: %q, want 421", w, line)
		}
	}
	if n := tab.Live(); n != 3 {
		t.Fatalf("table counts %d connections, want 3", n)
	}
}
