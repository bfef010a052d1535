// Test harness for fastftpd: the server is built once per test binary from this module
// (tests skip when it does not build) and started on 127.0.0.1 or ::1 with a free port, a
// passive range below 32768 and a t.TempDir() root; t.Cleanup kills it.
package bench

import (
	"bytes"
	"fmt"
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
	fastftpdDir  string // removed by TestMain
)

// fastftpdRange hands out disjoint passive ranges, away from pyftpdlib's (20000-27999).
var fastftpdRange atomic.Int32

func TestMain(m *testing.M) {
	code := m.Run()
	if fastftpdDir != "" {
		os.RemoveAll(fastftpdDir)
	}
	os.Exit(code)
}

// fastftpdPath builds cmd/fastftpd once and returns the binary, or skips the test.
func fastftpdPath(t testing.TB) string {
	t.Helper()
	fastftpdOnce.Do(func() {
		fastftpdDir, fastftpdErr = os.MkdirTemp("", "ftpbench-test-")
		if fastftpdErr != nil {
			return
		}
		fastftpdBin = filepath.Join(fastftpdDir, "fastftpd")
		out, err := exec.Command("go", "build", "-o", fastftpdBin, "../cmd/fastftpd").CombinedOutput()
		if err != nil {
			fastftpdErr = fmt.Errorf("go build ../cmd/fastftpd: %v\n%s", err, out)
		}
	})
	if fastftpdErr != nil {
		t.Skipf("fastftpd unavailable: %v", fastftpdErr)
	}
	return fastftpdBin
}

// fastftpdOpts are the variations the tests need.
type fastftpdOpts struct {
	host     string        // 127.0.0.1 when empty
	cert     string        // PEM with certificate and key: enables --tls
	implicit bool          // also serve implicit FTPS; the returned port is the implicit one
	log      *lockedBuffer // receives the server's log when set
	readOnly bool          // serve without -w: no STOR, DELE, MKD
	extra    []string
}

// lockedBuffer is a bytes.Buffer safe for a writing process and a reading test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startFastftpd starts fastftpd with user "user" / "pass" and write access (unless readOnly).
func startFastftpd(t testing.TB, o fastftpdOpts) *ftpServer {
	t.Helper()
	bin := fastftpdPath(t)
	host := o.host
	if host == "" {
		host = "127.0.0.1"
	}
	dir := t.TempDir()
	lo := 28000 + int(fastftpdRange.Add(1)%20)*200
	for attempt := 0; attempt < 3; attempt++ {
		port, tport := freePortOn(t, host), 0
		args := []string{"-i", host, "-p", strconv.Itoa(port), "-u", "user", "-P", "pass", "-d", dir,
			"-r", fmt.Sprintf("%d-%d", lo, lo+199)}
		if !o.readOnly {
			args = append(args, "-w")
		}
		if o.cert != "" {
			args = append(args, "--tls", "--certfile", o.cert)
		}
		if o.implicit {
			tport = freePortOn(t, host)
			args = append(args, "--tls-implicit", net.JoinHostPort(host, strconv.Itoa(tport)))
		}
		args = append(args, o.extra...)
		cmd := exec.Command(bin, args...)
		if o.log != nil {
			cmd.Stderr = o.log
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
		if o.implicit {
			want = tport
		}
		if waitListening(host, want, exited) {
			return &ftpServer{host: host, port: want, pid: cmd.Process.Pid, dir: dir}
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

func freePortOn(t testing.TB, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// haveIPv6Loopback skips the test when ::1 cannot be bound.
func haveIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
}
