// Test harness: a real pyftpdlib server on 127.0.0.1 with a free port and a passive range
// below 32768, rooted in t.TempDir() and killed in t.Cleanup.
package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

const pythonForPyftpdlib = "/usr/bin/python3" // Debian's python3-pyftpdlib lives there

type ftpServer struct {
	host string
	port int
	pid  int
	dir  string
}

// passiveBase hands out disjoint passive ranges to servers of one test binary.
var passiveBase atomic.Int32

func havePyftpdlib(t testing.TB) {
	t.Helper()
	if err := exec.Command(pythonForPyftpdlib, "-c", "import pyftpdlib").Run(); err != nil {
		t.Skipf("pyftpdlib not installed for %s (apt-get install python3-pyftpdlib; CI installs it): %v", pythonForPyftpdlib, err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPyftpd starts pyftpdlib with user "user" / "pass" and write access. extra, when
// set, is a Python script run instead of `-m pyftpdlib` (given PORT, DIR, PASV as args).
func startPyftpd(t testing.TB, script string, extra ...string) *ftpServer {
	t.Helper()
	havePyftpdlib(t)
	dir := t.TempDir()
	lo := 20000 + int(passiveBase.Add(1)%40)*200
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		var cmd *exec.Cmd
		if script == "" {
			cmd = exec.Command(pythonForPyftpdlib, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", strconv.Itoa(port),
				"-w", "-u", "user", "-P", "pass", "-d", dir, "-r", fmt.Sprintf("%d-%d", lo, lo+199))
		} else {
			args := append([]string{script, strconv.Itoa(port), dir, fmt.Sprintf("%d-%d", lo, lo+199)}, extra...)
			cmd = exec.Command(pythonForPyftpdlib, args...)
		}
		cmd.Stdout, cmd.Stderr = nil, nil
		if testing.Verbose() {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start pyftpdlib: %v", err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
			if err == nil {
				c.Close()
				return &ftpServer{host: "127.0.0.1", port: port, pid: cmd.Process.Pid, dir: dir}
			}
			if cmd.ProcessState != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Kill()
	}
	t.Fatal("pyftpdlib did not start listening")
	return nil
}

// config returns a short, bounded configuration for s.
func (s *ftpServer) config() Config {
	return Config{Host: s.host, Port: s.port, User: "user", Pass: "pass", PID: s.pid,
		Timeout: 10 * time.Second, Duration: 700 * time.Millisecond, Warmup: 200 * time.Millisecond,
		Clients: 4, FileSize: 256 << 10}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func runOne(t *testing.T, cfg Config, name string) *Result {
	t.Helper()
	rep, err := Run(testCtx(t), cfg, name)
	if err != nil {
		t.Fatalf("Run(%s): %v", name, err)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("Run(%s): %d results, want 1", name, len(rep.Results))
	}
	return rep.Results[0]
}
