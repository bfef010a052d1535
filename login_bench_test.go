package fastftp_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/pires/go-proxyproto"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
)

// BenchmarkLogin measures connect + USER/PASS + QUIT round trips against an in-process
// server (client and server share the 2 cores: compare runs of the same machine only).
// go test -run '^$' -bench Login -benchtime 3s .
func BenchmarkLogin(b *testing.B) {
	st := auth.NewStatic()
	st.AddUser("u", "p", b.TempDir(), auth.MustParsePerm(auth.ReadOnly))
	b.Run("auth=on-loop", func(b *testing.B) { benchLogin(b, st, nil) })
	// The twin: the same users behind an Authorizer without the QuickAuthorizer fast path,
	// so every PASS takes the worker-pool round trip.
	b.Run("auth=worker-pool", func(b *testing.B) { benchLogin(b, poolOnly{st}, nil) })
	// Behind a load balancer: each connection starts with a PROXY header, read on a
	// goroutine before the session is enrolled. The difference to auth=on-loop is the
	// header's cost per login.
	src := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 40000}
	dst := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 21}
	for _, v := range []byte{1, 2} {
		hdr, err := proxyproto.HeaderProxyFromAddrs(v, src, dst).Format()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("auth=on-loop/proxy=v%d", v), func(b *testing.B) { benchLogin(b, st, hdr) })
	}
	// Every limit that fastftpd --workers keeps global (connections, per-source, sessions
	// per user, bans), in this process and then in a shared table (internal/shm) as a
	// worker of 3 sees it: the difference is the shared table's cost per login.
	limits := func(c *fastftp.Config) {
		c.MaxConns, c.MaxConnsPerIP, c.MaxSessionsPerUser, c.BanAfter = 1<<20, 1<<20, 1<<20, 10
	}
	b.Run("auth=on-loop/limits=in-process", func(b *testing.B) { benchLogin(b, st, nil, limits) })
	b.Run("auth=on-loop/limits=shared", func(b *testing.B) {
		benchLogin(b, st, nil, limits, func(c *fastftp.Config) { c.Shared = sharedLimits(b, c) })
	})
}

type poolOnly struct{ auth.Authorizer }

// benchLogin logs in repeatedly; a non-nil hdr is a PROXY header each connection sends
// first (the server then trusts 127.0.0.1). The per-IP limit is off: every proxied login
// claims the same client.
func benchLogin(b *testing.B, a auth.Authorizer, hdr []byte, opts ...func(*fastftp.Config)) {
	cfg := fastftp.Config{Auth: a, Logger: slog.New(slog.DiscardHandler)}
	if hdr != nil {
		cfg.ProxyProtocolFrom = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}
	for _, o := range opts {
		o(&cfg)
	}
	_, addr := serveBench(b, cfg)
	login := func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if hdr != nil {
			if _, err := c.Write(hdr); err != nil {
				return err
			}
		}
		r := bufio.NewReaderSize(c, 512)
		for _, step := range []struct{ send, want string }{
			{"", "220"}, {"USER u\r\n", "331"}, {"PASS p\r\n", "230"}, {"QUIT\r\n", "221"},
		} {
			if step.send != "" {
				io.WriteString(c, step.send)
			}
			line, err := r.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, step.want) {
				return io.ErrUnexpectedEOF
			}
		}
		return nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed int
	next := make(chan struct{}, 64)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if login() != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	for range b.N {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	if failed > 0 {
		b.Fatalf("%d logins failed", failed)
	}
}
