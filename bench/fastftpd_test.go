// Test harness for fastftpd: internal/testkit builds the server once per test binary
// (tests skip when it does not build) and starts it on 127.0.0.1 or ::1 with a free port,
// a passive range below 32768 and a t.TempDir() root; t.Cleanup kills it.
package bench

import (
	"bytes"
	"net"
	"sync"
	"testing"

	"github.com/fastftp/fastftp/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

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
	opts := testkit.FastftpdOptions{Host: o.host, Cert: o.cert, Implicit: o.implicit, ReadOnly: o.readOnly, Extra: o.extra}
	if o.log != nil { // a nil *lockedBuffer must not become a non-nil io.Writer
		opts.Log = o.log
	}
	s := testkit.StartFastftpd(t, opts)
	return &ftpServer{host: s.Host, port: s.Port, pid: s.PID, dir: s.Dir}
}

// haveIPv6Loopback skips the test when ::1 cannot be bound.
func haveIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
}
