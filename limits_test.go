package fastftp_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testkit"
)

// startServer runs a server on 127.0.0.1:0 serving a fresh directory; users "alice" and
// "bob" (password "pw") have full rights. It returns the address and the directory.
func startServer(t *testing.T, cfg fastftp.Config, setup ...func(*auth.Static)) (string, string, *fastftp.Server) {
	t.Helper()
	dir := t.TempDir()
	st := auth.NewStatic()
	for _, u := range []string{"alice", "bob"} {
		if err := st.AddUser(u, "pw", dir, auth.MustParsePerm(auth.ReadWrite)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range setup {
		f(st)
	}
	cfg.Auth = st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FailedLoginDelay == 0 {
		cfg.FailedLoginDelay = -1
	}
	srv, err := fastftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return testkit.Serve(t, srv), dir, srv
}

func login(t *testing.T, addr, user string) *ftp.ServerConn {
	t.Helper()
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, "pw"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Quit() })
	return c
}

func writeRandom(t *testing.T, path string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// download fetches name and returns its bytes and the transfer's duration.
func download(t *testing.T, c *ftp.ServerConn, name string) ([]byte, time.Duration) {
	t.Helper()
	start := time.Now()
	r, err := c.Retr(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return b, time.Since(start)
}

// checkRate fails when rate is above want by more than 10% (the limit leaks) or below half
// of it (the limiter stalls; the lower bound is loose because CI machines are noisy).
func checkRate(t *testing.T, what string, bytes int, d time.Duration, want float64) {
	t.Helper()
	got := float64(bytes) / d.Seconds()
	t.Logf("%s: %.0f B/s (limit %.0f)", what, got, want)
	if got > want*1.10 || got < want*0.5 {
		t.Errorf("%s: %.0f B/s, want about %.0f", what, got, want)
	}
}

func TestThrottledDownloadAndUpload(t *testing.T) {
	const rate = 1 << 20
	addr, dir, _ := startServer(t, fastftp.Config{WriteLimit: rate, ReadLimit: rate})
	want := writeRandom(t, filepath.Join(dir, "f.bin"), 3<<20)
	c := login(t, addr, "alice")
	got, d := download(t, c, "f.bin")
	if !bytes.Equal(got, want) {
		t.Fatal("throttled download corrupted")
	}
	checkRate(t, "download", len(got), d, rate)

	start := time.Now()
	if err := c.Stor("up.bin", bytes.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	checkRate(t, "upload", len(want), time.Since(start), rate)
	if up, _ := os.ReadFile(filepath.Join(dir, "up.bin")); !bytes.Equal(up, want) {
		t.Fatal("throttled upload corrupted")
	}
}

// TestGlobalCapSharedByTwoUsers: two users download at once under one global cap; together
// they get the cap, and each about half.
func TestGlobalCapSharedByTwoUsers(t *testing.T) {
	const cap = 2 << 20
	addr, dir, _ := startServer(t, fastftp.Config{GlobalWriteLimit: cap})
	writeRandom(t, filepath.Join(dir, "f.bin"), 3<<20)
	var wg sync.WaitGroup
	durs := make([]time.Duration, 2)
	start := time.Now()
	for i, u := range []string{"alice", "bob"} {
		c := login(t, addr, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, durs[i] = download(t, c, "f.bin")
		}()
	}
	wg.Wait()
	checkRate(t, "aggregate", 2*(3<<20), time.Since(start), cap)
	// Each share: when one stream ends first the other gets the whole cap, so a share
	// may run faster than half; neither may be starved.
	for i, d := range durs {
		if r := float64(3<<20) / d.Seconds(); r < cap/2*0.6 {
			t.Errorf("%s starved: %.0f B/s of a %d B/s cap shared by two", []string{"alice", "bob"}[i], r, cap)
		}
	}
}

// TestPerUserLimitAndRuntimeChange: a user limit set through the library API applies, and
// a rate changed while a transfer runs takes effect within a second.
func TestPerUserLimitAndRuntimeChange(t *testing.T) {
	addr, dir, srv := startServer(t, fastftp.Config{}, func(st *auth.Static) {
		st.SetLimits("alice", auth.Limits{WriteBytesPerSec: 512 << 10})
	})
	writeRandom(t, filepath.Join(dir, "f.bin"), 1<<20)
	c := login(t, addr, "alice")
	got, d := download(t, c, "f.bin")
	checkRate(t, "alice under her own limit", len(got), d, 512<<10)

	// Start unthrottled-by-server-rate at 256 KiB/s, then raise the session rate to 4 MiB/s:
	// 4 MiB would take 16 s at the old rate, ~1-2 s after the change.
	writeRandom(t, filepath.Join(dir, "g.bin"), 4<<20)
	srv.SetRates(0, 256<<10, 0, 0)
	b := login(t, addr, "bob")
	go func() {
		time.Sleep(500 * time.Millisecond)
		srv.SetRates(0, 4<<20, 0, 0)
	}()
	_, d = download(t, b, "g.bin")
	if d > 4*time.Second {
		t.Fatalf("4 MiB took %v after the rate was raised to 4 MiB/s at 0.5 s", d)
	}
}

// rawReply connects and returns the first reply (the greeting, or a refusal) and the
// connection.
func rawReply(t *testing.T, addr string) (string, *testkit.Ctrl) {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Timeout = 5 * time.Second
	_, text, _ := c.Reply()
	return text, c
}

func TestBanStartsAndExpires(t *testing.T) {
	addr, _, _ := startServer(t, fastftp.Config{BanAfter: 3, BanWindow: 10 * time.Second, BanTime: time.Second, MaxLoginAttempts: 10})
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.Login("alice", "wrong"); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	err = c.Login("alice", "wrong")
	if err == nil || !strings.Contains(err.Error(), "421") {
		t.Fatalf("third failure: %v, want 421", err)
	}
	if line, conn := rawReply(t, addr); !strings.HasPrefix(line, "421") {
		t.Fatalf("banned address greeted with %q, want 421", line)
	} else {
		conn.Conn.Close()
	}
	time.Sleep(1200 * time.Millisecond)
	login(t, addr, "alice") // the ban has expired
}

// TestMaxConsBurst opens twice MaxConns at once: the excess is refused with 421, the rest
// are served, and the server keeps answering once they leave.
func TestMaxConsBurst(t *testing.T) {
	const max = 10
	addr, _, srv := startServer(t, fastftp.Config{MaxConns: max})
	var mu sync.Mutex
	codes := map[string]int{}
	var conns []*testkit.Ctrl
	var wg sync.WaitGroup
	for range 2 * max {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line, c := rawReply(t, addr)
			mu.Lock()
			codes[line[:min(3, len(line))]]++
			conns = append(conns, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes["220"] != max || codes["421"] != max {
		t.Fatalf("greetings %v, want %d x 220 and %d x 421", codes, max, max)
	}
	for _, c := range conns {
		c.Conn.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Sessions() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	login(t, addr, "alice")
}

func TestLoginTimeoutAndSessionsPerUser(t *testing.T) {
	addr, _, _ := startServer(t, fastftp.Config{LoginTimeout: time.Second, MaxSessionsPerUser: 2})
	_, idle := rawReply(t, addr)
	idle.Conn.SetDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(idle.R)
	if !strings.HasPrefix(string(got), "421 Login timed out") {
		t.Fatalf("after the login timeout: %q, want 421 and close", got)
	}
	login(t, addr, "alice")
	login(t, addr, "alice")
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("alice", "pw"); err == nil || !strings.Contains(err.Error(), "530") {
		t.Fatalf("third session of alice: %v, want 530", err)
	}
	login(t, addr, "bob") // other users are not affected
}

func fastftpDial(addr string) (*ftp.ServerConn, error) {
	return ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
}

// TestBackToBackTransfersShareTheSessionBucket: a session's limit holds across transfers.
// With a fresh bucket per transfer, each would start with a 100 ms burst and four short
// downloads would beat the limit by ~25%.
func TestBackToBackTransfersShareTheSessionBucket(t *testing.T) {
	const rate = 512 << 10
	addr, dir, _ := startServer(t, fastftp.Config{WriteLimit: rate})
	writeRandom(t, filepath.Join(dir, "q.bin"), 256<<10)
	c := login(t, addr, "alice")
	start := time.Now()
	for range 4 {
		download(t, c, "q.bin")
	}
	checkRate(t, "four back-to-back downloads", 4*(256<<10), time.Since(start), rate)
}
