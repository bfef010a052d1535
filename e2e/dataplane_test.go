// The data plane: LIST, NLST and MLSD to a client that never reads its data connection end
// with 426 after the data timeout (and leave no goroutine or descriptor behind); a
// throttled session's listing is throttled, shows its progress in STAT and stops on ABOR;
// TCP_NOTSENT_LOWAT on download sockets leaves the bytes intact.
//
// The tests that count the server's transfer goroutines and the process's descriptors do
// not call t.Parallel: other tests running at the same time would disturb the counts.
// (Parallel tests start only after every sequential one has finished.)
package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/metrics"
)

// transferGoroutines counts goroutines running a transfer of any server in this process.
func transferGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("session.(*Session).startTransfer")) {
			n++
		}
	}
	return n
}

// openFDs counts this process's descriptors; -1 where /proc is missing.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// eventually polls cond every 20 ms until it holds or within passes; it reports the result.
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by within
	}
}

// TestListingStallGets426: a client opens the data connection, asks for a listing of
// several MiB (far beyond what the socket buffers absorb) and never reads. The listing must
// end with 426 after the data timeout, the session must go on answering, and the transfer's
// goroutine and descriptors must be gone.
func TestListingStallGets426(t *testing.T) {
	fastftpOnly(t, "data timeout on listings")
	const timeout = time.Second
	s := startServer(t, withConfig("DataTimeout 1s", func(c *fastftp.Config) { c.DataTimeout = timeout }))
	// 20,000 names of 240 bytes: LIST ~6 MiB, NLST ~4.8 MiB, MLSD ~6 MiB.
	makeBigDir(t, s.Root, "huge", strings.Repeat("x", 230)+"-", 20_000)
	if n := transferGoroutines(); n != 0 {
		t.Fatalf("%d transfer goroutines before the test", n)
	}

	for _, verb := range []string{"LIST", "NLST", "MLSD"} {
		t.Run(verb, func(t *testing.T) {
			c := s.login(t)
			fds := openFDs()
			dc := c.pasv() // connected, never read
			c.cmd(verb+" huge", 150)
			start := time.Now()
			code, text, err := c.reply()
			el := time.Since(start)
			if err != nil || code != 426 {
				t.Fatalf("%s to a client that never reads: want 426, got %q, %v after %v", verb, text, err, el)
			}
			// The stall clock starts at the last byte the kernel took (it keeps taking a
			// trickle for ~0.3 s after the buffers fill) and the stall is reported within
			// timeout/8 after the timeout (sendfile.Options.Stall). The rest is margin for a
			// shared machine.
			if el < timeout || el > timeout+timeout/8+2*time.Second {
				t.Errorf("%s: 426 after %v, want the data timeout %v plus little", verb, el, timeout)
			}
			t.Logf("%s: %q after %v", verb, text, el)
			c.cmd("NOOP", 200)
			// The session is fully usable: a small listing on a new data connection works.
			if got := c.retr("NLST /"); !bytes.Contains(got, []byte("huge")) {
				t.Errorf("NLST / after the stalled %s: %q", verb, got)
			}
			if !eventually(3*time.Second, func() bool { return transferGoroutines() == 0 }) {
				t.Errorf("%d transfer goroutines left after the stalled %s", transferGoroutines(), verb)
			}
			dc.Close()
			if fds >= 0 && !eventually(3*time.Second, func() bool { return openFDs() <= fds }) {
				t.Errorf("%d descriptors open after the stalled %s, %d before it", openFDs(), verb, fds)
			}
		})
	}
}

var statProgress = regexp.MustCompile(`Transferring (\S+): (\d+) bytes so far`)

// progressMidTransfer reads the first 64 KiB of the running transfer what from dc, asks
// STAT, and returns those bytes with the path and the byte count STAT reported.
func progressMidTransfer(t *testing.T, c *ctrl, dc net.Conn, what string) (first []byte, path string, n int64) {
	t.Helper()
	first = make([]byte, 64<<10)
	if _, err := io.ReadFull(dc, first); err != nil {
		t.Fatalf("first 64 KiB of %s: %v", what, err)
	}
	text := c.cmd("STAT", 211)
	sm := statProgress.FindStringSubmatch(text)
	if sm == nil {
		t.Fatalf("STAT during %s: no progress line in %q", what, text)
	}
	n, _ = strconv.ParseInt(sm[2], 10, 64)
	return first, sm[1], n
}

// TestListingThrottledWithProgress: with a per-session download limit, a listing takes at
// least bytes/rate (minus the bucket's initial burst), and STAT during it shows how many
// bytes have gone out so far.
func TestListingThrottledWithProgress(t *testing.T) {
	fastftpOnly(t, "throttled listings and STAT progress")
	const rate = 128 << 10
	m := metrics.New()
	s := startServer(t, withConfig("WriteLimit", func(c *fastftp.Config) {
		c.WriteLimit = rate
		c.Metrics = m
		c.DataNotSentLowat = 64 << 10 // listings' data sockets get it too: it must not change them
	}))
	// 2,000 names of ~100 bytes: a LIST of ~300 KB, about 2.3 s at 128 KiB/s.
	makeBigDir(t, s.Root, "mid", strings.Repeat("m", 90)+"-", 2_000)
	c := s.login(t)
	dc := c.pasv()
	c.cmd("LIST mid", 150)
	start := time.Now()
	first, path, n := progressMidTransfer(t, c, dc, "LIST mid")
	// The counter is added to after each write returns, so it may trail what the client
	// has already read by a write or two; it must have moved.
	if path != "/mid" || n <= 0 {
		t.Errorf("STAT during LIST /mid: %s, %d bytes; want /mid and some bytes", path, n)
	}
	rest, err := io.ReadAll(dc)
	if err != nil {
		t.Fatalf("rest of the listing: %v", err)
	}
	el := time.Since(start)
	c.expectFor("LIST mid (end)", 226)
	total := len(first) + len(rest)
	if lines := bytes.Count(rest, []byte("\r\n")) + bytes.Count(first, []byte("\r\n")); lines != 2000 {
		t.Errorf("LIST mid: %d lines, want 2000", lines)
	}
	if n >= int64(total) {
		t.Errorf("STAT showed %d bytes of a %d-byte listing: not mid-transfer", n, total)
	}
	// The session bucket starts full with 100 ms worth of tokens (throttle.DefaultBurst).
	min := time.Duration(float64(total)/rate*float64(time.Second)) - 200*time.Millisecond
	t.Logf("LIST of %d bytes at %d B/s took %v (STAT said %d bytes so far)", total, rate, el, n)
	if el < min {
		t.Errorf("LIST of %d bytes at %d B/s took %v, want at least %v", total, rate, el, min)
	}
	c.cmd("STAT", 211) // idle again
	// The listing's bytes are counted where a RETR's are (events reach metrics without
	// waiting, but on the transfer's goroutine: poll briefly).
	if !eventually(3*time.Second, func() bool { return downloadBytes(t, m) >= float64(total) }) {
		t.Errorf("%s{download} = %v after a %d-byte listing", metrics.NameTransferBytes, downloadBytes(t, m), total)
	}
}

// downloadBytes reads the download byte counter from m's registry.
func downloadBytes(t *testing.T, m *metrics.Metrics) float64 {
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != metrics.NameTransferBytes {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "direction" && l.GetValue() == "download" {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// TestNotSentLowatBounds: an absurd TCP_NOTSENT_LOWAT is refused at New, with a reason.
func TestNotSentLowatBounds(t *testing.T) {
	_, err := fastftp.New(fastftp.Config{Root: t.TempDir(), DataNotSentLowat: fastftp.MaxDataNotSentLowat + 1})
	if err == nil || !strings.Contains(err.Error(), "DataNotSentLowat") {
		t.Fatalf("New with DataNotSentLowat above the maximum: %v, want an error naming it", err)
	}
}

// TestRetrWithNotSentLowat: downloads through sockets with TCP_NOTSENT_LOWAT set arrive
// whole (zero-copy and ASCII paths), and uploads, which do not get the option, too.
func TestRetrWithNotSentLowat(t *testing.T) {
	t.Parallel()
	fastftpOnly(t, "DataNotSentLowat")
	s := startServer(t, withConfig("DataNotSentLowat", func(c *fastftp.Config) { c.DataNotSentLowat = 16 << 10 }))
	want := writeRandomFile(t, s.Root+"/big.bin", 91, 8<<20)
	c := s.login(t)
	c.cmd("TYPE I", 200)
	got := c.retr("RETR big.bin")
	if h := sha256Hex(got); h != want || len(got) != 8<<20 {
		t.Fatalf("RETR with TCP_NOTSENT_LOWAT: %d bytes, sha256 %s, want %d and %s", len(got), h, 8<<20, want)
	}
	c.stor("STOR up.bin", got)
	if h := sha256File(t, s.Root+"/up.bin"); h != want {
		t.Fatalf("STOR: sha256 %s, want %s", h, want)
	}
	c.cmd("TYPE A", 200)
	if txt := c.retr("RETR big.bin"); len(txt) < 8<<20 {
		t.Fatalf("ASCII RETR with TCP_NOTSENT_LOWAT: %d bytes, want at least %d", len(txt), 8<<20)
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestAborDuringListing: ABOR stops a listing that is waiting on the throttle (the listing
// goroutine is then blocked in the pacer, not in a write): 426 then 226, the session goes
// on, and the listing's goroutine is gone.
func TestAborDuringListing(t *testing.T) {
	fastftpOnly(t, "throttled listings")
	s := startServer(t, withConfig("WriteLimit", func(c *fastftp.Config) { c.WriteLimit = 32 << 10 }))
	makeBigDir(t, s.Root, "mid", strings.Repeat("a", 90)+"-", 2_000) // ~300 KB: ~10 s at 32 KiB/s
	c := s.login(t)
	dc := c.pasv()
	c.cmd("MLSD mid", 150)
	if _, err := io.ReadFull(dc, make([]byte, 8<<10)); err != nil {
		t.Fatalf("first 8 KiB of the listing: %v", err)
	}
	start := time.Now()
	c.send("ABOR")
	if code, text := c.expectFor("ABOR", 426, 226); code != 426 {
		t.Fatalf("ABOR during MLSD: first reply %q, want 426", text)
	}
	c.expectFor("ABOR (second reply)", 226, 225)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("ABOR answered after %v: the listing did not stop promptly", el)
	}
	dc.Close()
	c.cmd("NOOP", 200)
	if !eventually(3*time.Second, func() bool { return transferGoroutines() == 0 }) {
		t.Errorf("%d transfer goroutines left after ABOR", transferGoroutines())
	}
}
