package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// buildBinary compiles fastftpd once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fastftpd")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// addrRe finds the listening address in the start-up log, text or JSON.
var addrRe = regexp.MustCompile(`starting FTP server"[ ,]"?address"?[=:]"?([^"\s]+)`)

// syncBuffer is a log buffer written by the reader goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) WriteString(x string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(x)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBinary runs fastftpd with args in dir and returns its listening port and a
// channel of its remaining stderr lines.
func startBinary(t *testing.T, bin, dir string, args ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	log := &syncBuffer{}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if m := addrRe.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case a, ok := <-found:
		if !ok {
			t.Fatalf("fastftpd exited before listening:\n%s", log.String())
		}
		_, port, _ := net.SplitHostPort(a)
		return cmd, port, log
	case <-time.After(20 * time.Second):
		t.Fatalf("fastftpd did not report its address:\n%s", log.String())
	}
	return nil, "", nil
}

// TestRunsAsIs starts the real binary with no configuration but a free port, in a directory,
// and checks what pyftpdlib users expect (the address line comes last in the start-up log): anonymous, read-only, the directory served,
// a clean exit on SIGTERM.
func TestRunsAsIs(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	content := bytes.Repeat([]byte("fastftp\n"), 100000)
	os.WriteFile(filepath.Join(dir, "hello.txt"), content, 0o644)
	cmd, port, log := startBinary(t, bin, dir, "-p", "0")
	for _, want := range []string{"effective configuration", "event_loops=", "masquerade=", "passive_ports=", "sendfile=",
		"read_only=true", `access="anonymous \"elr\"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, log.String())
		}
	}

	c, err := ftp.Dial("127.0.0.1:"+port, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("anonymous", "guest@example.com"); err != nil {
		t.Fatal(err)
	}
	names, err := c.NameList("/")
	if err != nil || len(names) != 1 || names[0] != "hello.txt" {
		t.Fatalf("NLST = %v, %v; want [hello.txt]", names, err)
	}
	r, err := c.Retr("hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || sha256.Sum256(got) != sha256.Sum256(content) {
		t.Fatalf("RETR: %d bytes, err %v; want %d identical bytes", len(got), err, len(content))
	}
	if err := c.Stor("new.txt", strings.NewReader("x")); err == nil {
		t.Fatal("STOR succeeded on a read-only anonymous server")
	}
	if _, err := os.Stat(filepath.Join(dir, "new.txt")); err == nil {
		t.Fatal("read-only server created a file")
	}
	c.Quit()

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, log.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("fastftpd did not exit within 15 s of SIGTERM")
	}
}

// TestPortInUse checks the one-sentence error for a port another program holds.
func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	var out bytes.Buffer
	code := run([]string{"-i", "127.0.0.1", "-p", port, "-d", t.TempDir()}, &out)
	if code == 0 {
		t.Fatal("run succeeded on a port in use")
	}
	if !strings.Contains(out.String(), "port "+port+" is already in use") || strings.Contains(out.String(), "goroutine") {
		t.Fatalf("error output = %q; want one clear sentence", out.String())
	}
}

// TestFlags checks flag validation errors and that -h documents every pyftpdlib flag.
func TestFlags(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"-h"}, &out); code != 0 {
		t.Fatalf("-h exit code %d", code)
	}
	for _, f := range []string{"-i, --interface", "-p, --port", "-w, --write", "-d, --directory",
		"-n, --nat-address", "-r, --range", "-D, --debug", "-u, --username", "-P, --password",
		"--timeout", "--banner", "--permit-foreign-addresses", "--permit-privileged-ports",
		"--use-localtime", "--disable-sendfile", "--max-cons", "--max-cons-per-ip", "--max-login-attempts"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("-h output lacks %q", f)
		}
	}
	if !strings.Contains(out.String(), "0 means unlimited (the default)") {
		t.Error("-h does not say that 0 means unlimited for --max-cons")
	}
	for _, bad := range [][]string{
		{"-u", "bob"},
		{"-r", "5000"},
		{"-r", "6000-5000"},
		{"-n", "not-an-ip"},
		{"-d", filepath.Join(t.TempDir(), "missing")},
		{"-p", "70000"},
		{"--write-limit", "10Q"},
		{"-P", "secret"},
		{"--timeout", "five"},
		{"--ban-window", "0", "--ban-after", "3"},
		{"--keyfile", "k.pem"},
		{"--tls"},
	} {
		out.Reset()
		if code := run(bad, &out); code != 2 || out.Len() == 0 || strings.Count(out.String(), "\n") > 1 {
			t.Errorf("run(%v) = %d, %q; want exit 2 and one line", bad, code, out.String())
		}
	}
}

// TestSurvivesFDExhaustion runs fastftpd with 64 descriptors and opens 150 connections:
// accepts fail with EMFILE, the server backs off instead of dying, and once the flood is
// gone a new client logs in.
func TestSurvivesFDExhaustion(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to set the descriptor limit")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", `ulimit -n 64 && exec "$0" "$@"`, bin, "-i", "127.0.0.1", "-p", "0", "-d", dir)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	log := &syncBuffer{}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-found:
	case <-time.After(20 * time.Second):
		t.Fatalf("no address:\n%s", log.String())
	}
	var flood []net.Conn
	for range 150 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			break // the listen backlog is full: that is flood enough
		}
		flood = append(flood, c)
	}
	time.Sleep(500 * time.Millisecond)
	if cmd.ProcessState != nil {
		t.Fatalf("fastftpd exited during the flood:\n%s", log.String())
	}
	for _, c := range flood {
		c.Close()
	}
	// The server must recover: poll until a client logs in (accept back-off is at most 1 s).
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := ftp.Dial(addr, ftp.DialWithTimeout(2*time.Second))
		if err == nil {
			err = c.Login("anonymous", "x")
			c.Quit()
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no login after the flood: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "too many open files") {
		t.Errorf("the flood never reached EMFILE, so this proved nothing (log:\n%s)", log.String())
	}
}

// TestPrivilegedPortSentence binds port 21 as an unprivileged user: one sentence, no trace.
func TestPrivilegedPortSentence(t *testing.T) {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and setpriv to run the binary as an unprivileged user")
	}
	// Directories nobody can traverse: t.TempDir's parents are private.
	base, err := os.MkdirTemp("", "fastftpd-priv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "fastftpd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := base
	out, err := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-i", "127.0.0.1", "-p", "21", "-d", dir).CombinedOutput()
	if err == nil {
		t.Fatal("binding port 21 as nobody succeeded")
	}
	want := "port 21 needs root or CAP_NET_BIND_SERVICE; use -p 2121"
	if !strings.Contains(string(out), want) || strings.Contains(string(out), "goroutine") {
		t.Fatalf("output %q; want the sentence %q", out, want)
	}
}

// TestDebugLogsCommandsNotPasswords: -D logs each command; the password never appears.
func TestDebugLogsCommandsNotPasswords(t *testing.T) {
	bin := buildBinary(t)
	_, port, log := startBinary(t, bin, t.TempDir(), "-i", "127.0.0.1", "-p", "0", "-D",
		"--log-format", "json", "-u", "alice", "-P", "s3cr3t-pw")
	c, err := ftp.Dial("127.0.0.1:"+port, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("alice", "s3cr3t-pw"); err != nil {
		t.Fatal(err)
	}
	c.NoOp()
	c.Quit()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), `"cmd":"NOOP"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(log.String(), `"cmd":"NOOP"`) || !strings.Contains(log.String(), `"msg":"login"`) {
		t.Fatalf("debug JSON log lacks the commands:\n%s", log.String())
	}
	if strings.Contains(log.String(), "s3cr3t-pw") {
		t.Fatal("the password reached the log")
	}
}

func TestParseLowat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"128K", 128 << 10, true}, {"65536", 65536, true}, {"1M", 1 << 20, true}, {"0", -1, true},
		{"1G", 1 << 30, true}, {"2G", 0, false}, {"-5", 0, false}, {"0.5", 0, false}, {"big", 0, false},
	} {
		got, err := parseLowat(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseLowat(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	var out bytes.Buffer
	if code := run([]string{"--data-notsent-lowat", "lots"}, &out); code != 2 || strings.Count(out.String(), "\n") > 1 {
		t.Errorf("--data-notsent-lowat lots: exit %d, %q; want 2 and one line", code, out.String())
	}
}
