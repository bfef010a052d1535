// Harness for the end-to-end tests: starts fastftp (or pyftpdlib as a reference peer) on
// 127.0.0.1 with a fresh root and a private passive port range, and gives tests a raw
// control-connection client, a data-connection helper and a bounded external-command runner.
//
// FASTFTP_E2E_PEER=pyftpdlib runs the same tests against Debian's pyftpdlib
// (/usr/bin/python3 -m pyftpdlib, or testdata/pyftpd_limits.py for limits its command line
// lacks); tests whose expected behaviour is fastftp's own skip there, saying why.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/internal/testkit"
)

// Limits that keep every test bounded; none of them is a readiness sleep.
const (
	replyTimeout    = 10 * time.Second // one control reply
	startTimeout    = 10 * time.Second // a server answering its first 220
	toolTimeout     = 90 * time.Second // one curl/lftp/python process
	shutdownTimeout = 5 * time.Second
	passiveWidth    = 50
	testUser        = "user"
	testPass        = "pass"
	anonUser        = "anonymous"
	anonPass        = "guest@example.com"
)

// peerName selects a reference server instead of fastftp: "" or "pyftpdlib".
var peerName = os.Getenv("FASTFTP_E2E_PEER")

// e2eDataLoops, from FASTFTP_E2E_DATALOOPS, runs every fastftp server of the suite with
// Config.DataLoops set: "off" for a goroutine per transfer (the path TLS, TYPE A and other
// systems take), a number for that many loops. Unset: the default (data loops, one per
// GOMAXPROCS). A test's own withConfig still wins.
var e2eDataLoops = func() int {
	v := os.Getenv("FASTFTP_E2E_DATALOOPS")
	switch v {
	case "":
		return 0
	case "off":
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		panic("FASTFTP_E2E_DATALOOPS=" + v + ": want off or a number of loops, 1 or more")
	}
	return n
}()

// onPeer reports whether the tests run against a reference server.
func onPeer() bool { return peerName != "" }

// testServer is one running server as a test sees it.
type testServer struct {
	Addr    string // "127.0.0.1:port" of the control listener
	Port    int
	Root    string // directory served as "/" to both users
	User    string // the login tests use by default
	Pass    string
	PasvMin int
	PasvMax int
	srv     *fastftp.Server // nil for a peer
	logs    *lockedBuffer
}

type serverSetup struct {
	mutate    []func(*fastftp.Config)
	onlyOurs  []string // reasons the peer cannot run this configuration
	peerAttrs []string // "name=value" settings for testdata/pyftpd_limits.py
	anonymous bool
	host      string // listening address; "127.0.0.1" unless onIPv6
}

// serverOption changes how startServer configures a server.
type serverOption func(*serverSetup)

// withConfig changes the fastftp Config; the peer cannot honour it, so a peer run skips the
// test, naming why.
func withConfig(why string, f func(*fastftp.Config)) serverOption {
	return func(s *serverSetup) {
		s.mutate = append(s.mutate, f)
		s.onlyOurs = append(s.onlyOurs, why)
	}
}

// withLimit changes the fastftp Config and sets the matching pyftpdlib attribute (see
// testdata/pyftpd_limits.py) so the peer runs the test too.
func withLimit(peerAttr string, f func(*fastftp.Config)) serverOption {
	return func(s *serverSetup) {
		s.mutate = append(s.mutate, f)
		s.peerAttrs = append(s.peerAttrs, peerAttr)
	}
}

// onIPv6 makes the server listen on ::1 (skipped where the host has no IPv6 loopback).
func onIPv6() serverOption {
	return func(s *serverSetup) { s.host = "::1" }
}

// asAnonymous makes User/Pass the read-only anonymous login ("elr").
func asAnonymous() serverOption {
	return func(s *serverSetup) { s.anonymous = true }
}

// fastftpOnly skips a test whose expected behaviour is specific to fastftp.
func fastftpOnly(t testing.TB, why string) {
	t.Helper()
	if onPeer() {
		t.Skipf("fastftp-specific (%s); peer %s differs", why, peerName)
	}
}

// passiveSeq hands out non-overlapping passive ranges to the tests of this process, starting
// from a random base so parallel test processes rarely collide either. The range stays
// below the kernel's ephemeral ports (32768+): see DESIGN.md "Loopback pitfalls".
var passiveSeq atomic.Int64

func init() { passiveSeq.Store(rand.Int64N(10000 / passiveWidth)) }

func nextPassiveRange() (lo, hi int) {
	k := passiveSeq.Add(1) % (10000 / passiveWidth)
	lo = 20000 + int(k)*passiveWidth
	return lo, lo + passiveWidth - 1
}

// startServer starts a server on 127.0.0.1 serving a fresh t.TempDir(), with the users
// "user"/"pass" (elradfmwMT) and anonymous (elr) sharing the root. It is shut down by
// t.Cleanup; server logs are printed only when the test fails.
func startServer(t testing.TB, opts ...serverOption) *testServer {
	t.Helper()
	setup := serverSetup{host: "127.0.0.1"}
	for _, o := range opts {
		o(&setup)
	}
	if onPeer() && len(setup.onlyOurs) > 0 {
		t.Skipf("peer %s cannot be configured for: %s", peerName, strings.Join(setup.onlyOurs, ", "))
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatalf("mkdir root: %v", err)
	}
	lo, hi := nextPassiveRange()
	s := &testServer{Root: root, User: testUser, Pass: testPass, PasvMin: lo, PasvMax: hi,
		logs: &lockedBuffer{}}
	if setup.anonymous {
		s.User, s.Pass = anonUser, anonPass
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", s.logs.String())
		}
	})
	if onPeer() {
		s.startPeer(t, setup.host, setup.anonymous, setup.peerAttrs)
	} else {
		s.startFastftp(t, setup.host, setup.mutate)
	}
	s.waitReady(t)
	return s
}

func (s *testServer) startFastftp(t testing.TB, host string, mutate []func(*fastftp.Config)) {
	t.Helper()
	a := auth.NewStatic()
	ro, err := auth.ParsePerm("elr")
	if err != nil {
		t.Fatalf("ParsePerm(elr): %v", err)
	}
	rw, err := auth.ParsePerm("elradfmwMT")
	if err != nil {
		t.Fatalf("ParsePerm(elradfmwMT): %v", err)
	}
	if err := a.AddAnonymous(s.Root, ro); err != nil {
		t.Fatalf("AddAnonymous: %v", err)
	}
	if err := a.AddUser(testUser, testPass, s.Root, rw); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	cfg := fastftp.Config{
		Auth:             a,
		Banner:           "fastftp e2e",
		IdleTimeout:      time.Minute,
		DataTimeout:      15 * time.Second,
		PassivePortMin:   uint16(s.PasvMin),
		PassivePortMax:   uint16(s.PasvMax),
		FailedLoginDelay: -1,
		Logger:           slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DataLoops:        e2eDataLoops,
	}
	for _, f := range mutate {
		f(&cfg)
	}
	srv, err := fastftp.New(cfg)
	if err != nil {
		t.Fatalf("fastftp.New: %v", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		if host == "::1" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatalf("listen: %v", err)
	}
	s.srv = srv
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Logf("Shutdown: %v", err)
		}
		if n := srv.DataLoopBytes(); n > 0 {
			t.Logf("data-loop engine moved %d bytes", n)
		}
		select {
		case err := <-served:
			if err != nil && !errors.Is(err, fastftp.ErrServerClosed) {
				t.Errorf("Serve returned: %v", err)
			}
		case <-time.After(shutdownTimeout):
			t.Errorf("Serve did not return %v after Shutdown", shutdownTimeout)
		}
	})
}

// startPeer runs Debian's pyftpdlib (the system python, not a pyenv one). Its command line
// has one login: "user" with elradfmwMT, or anonymous with elr; limits it cannot set go
// through testdata/pyftpd_limits.py, which has both logins.
func (s *testServer) startPeer(t testing.TB, host string, anonymous bool, attrs []string) {
	t.Helper()
	if peerName != "pyftpdlib" {
		t.Fatalf("FASTFTP_E2E_PEER=%q: only pyftpdlib is known", peerName)
	}
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t, host)
		args := []string{"-m", "pyftpdlib", "-i", host, "-p", strconv.Itoa(port),
			"-d", s.Root, "-r", fmt.Sprintf("%d-%d", s.PasvMin, s.PasvMax)}
		if !anonymous {
			args = append(args, "-w", "-u", testUser, "-P", testPass)
		}
		if len(attrs) > 0 {
			script, err := filepath.Abs(filepath.Join("testdata", "pyftpd_limits.py"))
			if err != nil {
				t.Fatal(err)
			}
			args = append([]string{script, strconv.Itoa(port), s.Root,
				strconv.Itoa(s.PasvMin), strconv.Itoa(s.PasvMax)}, attrs...)
		}
		cmd := exec.Command("/usr/bin/python3", args...)
		cmd.Stdout, cmd.Stderr = s.logs, s.logs
		if err := cmd.Start(); err != nil {
			t.Fatalf("start pyftpdlib: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		s.Addr = net.JoinHostPort(host, strconv.Itoa(port))
		s.Port = port
		deadline := time.Now().Add(startTimeout)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				deadline = time.Time{} // port taken between freePort and bind: retry
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
				c.Close()
				t.Cleanup(func() {
					_ = cmd.Process.Kill()
					<-exited
				})
				return
			}
			time.Sleep(20 * time.Millisecond) // polling the peer's startup
		}
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("pyftpdlib did not start; log:\n%s", s.logs.String())
}

func freePort(t testing.TB, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls until the server sends its 220 greeting and closes a QUIT session.
func (s *testServer) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		last = s.probe()
		if last == nil {
			return
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by startTimeout
	}
	t.Fatalf("server %s not ready after %v: %v", s.Addr, startTimeout, last)
}

func (s *testServer) probe() error {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	r := bufio.NewReader(c)
	code, _, err := readReply(r)
	if err != nil {
		return err
	}
	if code != 220 {
		return fmt.Errorf("greeting code %d", code)
	}
	if _, err := io.WriteString(c, "QUIT\r\n"); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, r) // until the server closes: its accounting is then done
	return nil
}

// lockedBuffer is a bounded log sink safe for the server's goroutines and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const maxLogBytes = 1 << 20

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() < maxLogBytes {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// readReply reads one FTP reply with the test kit's strict reader: every line ends in CRLF,
// codes 100-599; text holds every line joined by "\n", without the CRLFs.
func readReply(r *bufio.Reader) (code int, text string, err error) { return testkit.ReadReply(r) }

// ctrl is a raw control connection driven by the test goroutine; every read and write has
// a deadline. Its methods call t.Fatal and so must not run on other goroutines.
type ctrl struct {
	t      testing.TB
	c      net.Conn
	r      *bufio.Reader
	pasvLo int // the server's passive range; 0: unchecked
	pasvHi int
}

// dial opens a control connection and checks the 220 greeting.
func (s *testServer) dial(t testing.TB) *ctrl {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &ctrl{t: t, c: nc, r: bufio.NewReader(nc), pasvLo: s.PasvMin, pasvHi: s.PasvMax}
	c.expectFor("greeting", 220)
	return c
}

// login opens a control connection logged in as s.User.
func (s *testServer) login(t testing.TB) *ctrl {
	t.Helper()
	c := s.dial(t)
	c.loginAs(s.User, s.Pass)
	return c
}

func (c *ctrl) loginAs(user, pass string) {
	c.t.Helper()
	c.cmd("USER "+user, 331)
	c.cmd("PASS "+pass, 230)
}

func (c *ctrl) send(line string) {
	c.t.Helper()
	_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := io.WriteString(c.c, line+"\r\n"); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// reply reads one reply with a deadline; errors are returned, not fatal.
func (c *ctrl) reply() (int, string, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(replyTimeout))
	return readReply(c.r)
}

// cmd sends line and expects one of codes; it returns the reply text.
func (c *ctrl) cmd(line string, codes ...int) string {
	c.t.Helper()
	c.send(line)
	_, text := c.expectFor(line, codes...)
	return text
}

// expectFor reads one reply and fails the test, naming what it answers, unless its code is
// one of codes.
func (c *ctrl) expectFor(what string, codes ...int) (int, string) {
	c.t.Helper()
	code, text, err := c.reply()
	if err != nil {
		c.t.Fatalf("%s: want %v: %v (got %q)", clip(what), codes, err, text)
	}
	for _, want := range codes {
		if code == want {
			return code, text
		}
	}
	c.t.Fatalf("%s: want %v, got %q", clip(what), codes, text)
	return 0, ""
}

// waitClosed fails unless the server closes the connection within d; bytes it still sends
// are returned (a final 421, say).
func (c *ctrl) waitClosed(d time.Duration) string {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(d))
	rest, err := io.ReadAll(c.r)
	if err != nil && !isReset(err) {
		c.t.Fatalf("server did not close the connection within %v: %v (read %q)", d, err, clip(string(rest)))
	}
	return string(rest)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// pasv sends PASV, parses the 227 reply and connects to the data port.
func (c *ctrl) pasv() net.Conn {
	c.t.Helper()
	text := c.cmd("PASV", 227)
	open, close := strings.IndexByte(text, '('), strings.IndexByte(text, ')')
	var hp []int
	if open >= 0 && close > open {
		for _, f := range strings.Split(text[open+1:close], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 0 || n > 255 {
				hp = nil
				break
			}
			hp = append(hp, n)
		}
	}
	if len(hp) != 6 {
		c.t.Fatalf("PASV: cannot parse %q", text)
	}
	if ip := fmt.Sprintf("%d.%d.%d.%d", hp[0], hp[1], hp[2], hp[3]); ip != "127.0.0.1" {
		c.t.Fatalf("PASV: address %s, want the control connection's 127.0.0.1: %q", ip, text)
	}
	port := hp[4]<<8 | hp[5]
	c.checkPassivePort("PASV", port)
	return c.dialData(fmt.Sprintf("127.0.0.1:%d", port))
}

// epsv sends EPSV, parses "(|||port|)" and connects to the control peer on that port.
func (c *ctrl) epsv() net.Conn {
	c.t.Helper()
	text := c.cmd("EPSV", 229)
	port := epsvPort(text)
	if port <= 0 {
		c.t.Fatalf("EPSV: cannot parse %q", text)
	}
	c.checkPassivePort("EPSV", port)
	host, _, _ := net.SplitHostPort(c.c.RemoteAddr().String())
	return c.dialData(net.JoinHostPort(host, strconv.Itoa(port)))
}

func (c *ctrl) checkPassivePort(verb string, port int) {
	c.t.Helper()
	if c.pasvLo != 0 && (port < c.pasvLo || port > c.pasvHi) {
		c.t.Fatalf("%s: port %d outside the configured passive range %d-%d", verb, port, c.pasvLo, c.pasvHi)
	}
}

func epsvPort(text string) int {
	open := strings.Index(text, "(|||")
	if open < 0 {
		return -1
	}
	rest := text[open+4:]
	end := strings.Index(rest, "|)")
	if end < 0 {
		return -1
	}
	port, err := strconv.Atoi(rest[:end])
	if err != nil || port <= 0 || port > 65535 {
		return -1
	}
	return port
}

func (c *ctrl) dialData(addr string) net.Conn {
	c.t.Helper()
	dc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		c.t.Fatalf("data dial %s: %v", addr, err)
	}
	c.t.Cleanup(func() { dc.Close() })
	_ = dc.SetDeadline(time.Now().Add(toolTimeout))
	return dc
}

// retr runs a download-style command (RETR, LIST, NLST, MLSD) over PASV and returns the data.
func (c *ctrl) retr(line string) []byte {
	c.t.Helper()
	dc := c.pasv()
	c.cmd(line, 125, 150)
	data, err := io.ReadAll(dc)
	if err != nil {
		c.t.Fatalf("%s: read data: %v", line, err)
	}
	dc.Close()
	c.expectFor(line+" (end)", 226, 250)
	return data
}

// stor runs an upload-style command (STOR, APPE, STOU) over PASV; it returns the text of the
// preliminary reply (STOU names the file there).
func (c *ctrl) stor(line string, data []byte) string {
	c.t.Helper()
	dc := c.pasv()
	prelim := c.cmd(line, 125, 150)
	if _, err := dc.Write(data); err != nil {
		c.t.Fatalf("%s: write data: %v", line, err)
	}
	dc.Close()
	c.expectFor(line+" (end)", 226, 250)
	return prelim
}

// runTool runs an external client with a timeout and an empty HOME (so no ~/.netrc,
// ~/.curlrc or ~/.lftprc applies). Stdout goes to stdout, or into the returned stderr text
// when stdout is nil. A client that is not installed skips the test, saying so.
func runTool(t testing.TB, stdout io.Writer, name string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "LC_ALL=C")
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	cmd.Stdout = stdout
	if stdout == nil {
		cmd.Stdout = &errBuf
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s killed after %v: %w", name, toolTimeout, ctx.Err())
	}
	return errBuf.String(), err
}

// writeRandomFile writes size deterministic pseudo-random bytes (see randomReader) to path
// and returns their sha256 in hex.
func writeRandomFile(t testing.TB, path string, seed uint64, size int64) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("mkdir for %s: %v", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), randomReader(seed, size)); err != nil {
		f.Close()
		t.Fatalf("write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// randomReader yields size bytes from a ChaCha8 stream seeded by seed and size (fast enough
// for 64 MiB); different seeds give different contents.
func randomReader(seed uint64, size int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(size))
	return io.LimitReader(rand.NewChaCha8(key), size)
}

func randomBytes(seed uint64, size int) []byte {
	b, _ := io.ReadAll(randomReader(seed, int64(size)))
	return b
}

func sha256File(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashWriter hashes what a client writes to stdout without keeping it.
type hashWriter struct {
	h hash.Hash
	n int64
}

func newHashWriter() *hashWriter { return &hashWriter{h: sha256.New()} }

func (w *hashWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return w.h.Write(p)
}

func (w *hashWriter) sum() string { return hex.EncodeToString(w.h.Sum(nil)) }

// sizes are the transfer sizes every client is checked with; 64 MiB is skipped in -short.
var sizes = []struct {
	name string
	n    int64
}{
	{"0B", 0}, {"1B", 1}, {"1MiB", 1 << 20}, {"64MiB", 64 << 20},
}

func skipBig(t testing.TB, n int64) {
	if n >= 64<<20 && testing.Short() {
		t.Skip("64 MiB transfer skipped in -short")
	}
}
