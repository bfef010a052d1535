// The fastftpd binary for tests that drive the server as an operator would: built once per
// test binary from this module (tests skip when it does not build), started on a free
// port of 127.0.0.1 or ::1 with a passive range below 32768 and a t.TempDir() root, killed
// by t.Cleanup.

package testkit

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	fastftpdOnce sync.Once
	fastftpdBin  string
	fastftpdErr  error
	fastftpdDir  string // removed by Main
)

// fastftpdRange hands out disjoint passive ranges, away from pyftpdlib's (20000-27999).
var fastftpdRange atomic.Int32

// Main runs a package's tests and removes the fastftpd binary built for them:
// func TestMain(m *testing.M) { testkit.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if fastftpdDir != "" {
		os.RemoveAll(fastftpdDir)
	}
	os.Exit(code)
}

// FastftpdBinary builds cmd/fastftpd once per test binary and returns its path, or skips t
// when it does not build. Safe from any goroutine.
func FastftpdBinary(t testing.TB) string {
	t.Helper()
	fastftpdOnce.Do(func() {
		fastftpdDir, fastftpdErr = os.MkdirTemp("", "fastftpd-test-")
		if fastftpdErr != nil {
			return
		}
		fastftpdBin = filepath.Join(fastftpdDir, "fastftpd")
		out, err := exec.Command("go", "build", "-o", fastftpdBin, "github.com/fastftp/fastftp/cmd/fastftpd").CombinedOutput()
		if err != nil {
			fastftpdErr = fmt.Errorf("go build cmd/fastftpd: %v\n%s", err, out)
		}
	})
	if fastftpdErr != nil {
		t.Skipf("fastftpd unavailable: %v", fastftpdErr)
	}
	return fastftpdBin
}

// FastftpdOptions are the variations tests need; the zero value serves 127.0.0.1 with
// write access.
type FastftpdOptions struct {
	Host     string    // 127.0.0.1 when empty
	Cert     string    // PEM with certificate and key: enables --tls
	Implicit bool      // also serve implicit FTPS; Port is then the implicit one
	Log      io.Writer // receives the server's log (stderr) when set
	ReadOnly bool      // serve without -w: no STOR, DELE, MKD
	Extra    []string  // more command-line flags
}

// Fastftpd is a running fastftpd: user "user", password "pass", root Dir.
type Fastftpd struct {
	Host string
	Port int
	PID  int
	Dir  string
}

// Addr returns host:port.
func (s *Fastftpd) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// StartFastftpd starts fastftpd with user "user" / "pass" and write access (unless
// ReadOnly) and waits until it accepts connections; t.Cleanup kills it.
func StartFastftpd(t testing.TB, o FastftpdOptions) *Fastftpd {
	t.Helper()
	bin := FastftpdBinary(t)
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	dir := t.TempDir()
	lo := 28000 + int(fastftpdRange.Add(1)%20)*200
	for attempt := 0; attempt < 3; attempt++ {
		port, tport := FreePort(t, host), 0
		args := []string{"-i", host, "-p", strconv.Itoa(port), "-u", "user", "-P", "pass", "-d", dir,
			"-r", fmt.Sprintf("%d-%d", lo, lo+199)}
		if !o.ReadOnly {
			args = append(args, "-w")
		}
		if o.Cert != "" {
			args = append(args, "--tls", "--certfile", o.Cert)
		}
		if o.Implicit {
			tport = FreePort(t, host)
			args = append(args, "--tls-implicit", net.JoinHostPort(host, strconv.Itoa(tport)))
		}
		args = append(args, o.Extra...)
		cmd := exec.Command(bin, args...)
		if o.Log != nil {
			cmd.Stderr = o.Log
		} else if testing.Verbose() {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start fastftpd: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		want := port
		if o.Implicit {
			want = tport
		}
		if waitListening(host, want, exited) {
			return &Fastftpd{Host: host, Port: want, PID: cmd.Process.Pid, Dir: dir}
		}
		cmd.Process.Kill() // a port taken meanwhile: try another
	}
	t.Fatal("fastftpd did not start listening")
	return nil
}

// waitListening dials until host:port accepts, the process exits or 10 s pass.
func waitListening(host string, port int, exited <-chan struct{}) bool {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// FreePort returns a TCP port free on host at the time of the call.
func FreePort(t testing.TB, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
