package fastftp_test

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
)

// TestWriteLimitPerIP: --write-limit-per-ip shares one rate among every download of one
// client address, and another address has its own. Three Python ftplib clients download
// the same file at once, two from 127.0.0.1 and one from 127.0.0.2 (ftplib binds its data
// connections to source_address too): the pair moves about the limit together, each at
// about half of it, while the third, alone on its address, runs at about the whole limit.
func TestWriteLimitPerIP(t *testing.T) {
	py := needTool(t, "python3")
	const limit, size = 1 << 20, 2 << 20
	addr, dir, srv := startServer(t, fastftp.Config{WriteLimitPerIP: limit})
	writeRandom(t, filepath.Join(dir, "f.bin"), size)
	host, port, _ := net.SplitHostPort(addr)
	// Each client logs in, waits until all three have (so the downloads overlap), then
	// prints the seconds its RETR took and the bytes it got.
	script := `
import ftplib, sys, time, os
src, host, port, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
f = ftplib.FTP(timeout=30, source_address=(src, 0))
f.connect(host, port); f.login("alice", "pw")
open(go + "." + str(os.getpid()), "w").close()
deadline = time.time() + 10
while len([n for n in os.listdir(os.path.dirname(go)) if n.startswith(os.path.basename(go) + ".")]) < 3 and time.time() < deadline:
    time.sleep(0.01)
n = [0]
def got(b): n[0] += len(b)
start = time.time()
f.retrbinary("RETR f.bin", got)
print(time.time() - start, n[0]); f.quit()
`
	gate := filepath.Join(t.TempDir(), "go")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type result struct {
		secs  float64
		bytes int
		err   error
	}
	sources := []string{"127.0.0.1", "127.0.0.1", "127.0.0.2"}
	results := make(chan result, len(sources))
	done := make([]result, len(sources))
	for i, src := range sources {
		go func() {
			out, err := exec.CommandContext(ctx, py, "-c", script, src, host, port, gate).CombinedOutput()
			var r result
			if f := strings.Fields(string(out)); err == nil && len(f) == 2 {
				r.secs, err = strconv.ParseFloat(f[0], 64)
				r.bytes, _ = strconv.Atoi(f[1])
			}
			if err != nil {
				r.err = err
				t.Logf("client %d (%s): %s", i, src, out)
			}
			done[i] = r
			results <- r
		}()
	}
	for range sources {
		if r := <-results; r.err != nil {
			t.Fatalf("ftplib client: %v", r.err)
		}
	}
	for i, r := range done {
		if r.bytes != size {
			t.Fatalf("client %d (%s) got %d bytes, want %d", i, sources[i], r.bytes, size)
		}
	}
	pair := max(done[0].secs, done[1].secs)
	alone := done[2].secs
	checkRate(t, "two downloads from 127.0.0.1 together", 2*size, time.Duration(pair*float64(time.Second)), limit)
	checkRate(t, "one download from 127.0.0.2", size, time.Duration(alone*float64(time.Second)), limit)
	if pair < 1.5*alone {
		t.Errorf("the pair from one address took %.2f s, the lone address %.2f s: the address did not share one rate", pair, alone)
	}
	// A reload to unlimited applies to the next transfers.
	srv.SetAddrRates(0, 0)
	start := time.Now()
	if got, _ := download(t, login(t, addr, "alice"), "f.bin"); len(got) != size {
		t.Fatalf("after SetAddrRates(0, 0): %d bytes", len(got))
	}
	if r := float64(size) / time.Since(start).Seconds(); r < 2*limit {
		t.Errorf("after SetAddrRates(0, 0) a download ran at %.0f B/s: still limited", r)
	}
}
