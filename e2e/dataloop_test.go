// The data-loop engine (Config.DataLoops): file transfers of every kind move their bytes on
// the engine's loops (its byte counter says so) and arrive intact; TYPE A keeps the
// goroutine path. FASTFTP_E2E_DATALOOPS=2 runs the whole suite with the engine on.
package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/metrics"
)

// TestDataLoopsMoveTheBytes runs RETR, REST+RETR, STOR (new and replacing), APPE,
// REST+STOR, STOU and a TYPE A RETR with the engine on (2 loops) and, for the same
// results, off (DataLoops -1: a goroutine per transfer).
func TestDataLoopsMoveTheBytes(t *testing.T) {
	t.Parallel()
	for _, loops := range []int{2, -1} {
		t.Run(map[bool]string{true: "on", false: "off"}[loops > 0], func(t *testing.T) {
			t.Parallel()
			testDataLoops(t, loops)
		})
	}
}

func testDataLoops(t *testing.T, loops int) {
	s := startServer(t, withConfig("DataLoops", func(c *fastftp.Config) { c.DataLoops = loops }))
	c := s.login(t)
	c.cmd("TYPE I", 200)
	var moved int64
	check := func(what string) {
		t.Helper()
		if loops < 0 {
			moved = 0 // the engine is off: it must move nothing
		}
		if got := s.srv.DataLoopBytes(); got != moved {
			t.Fatalf("after %s: the engine moved %d bytes, want %d", what, got, moved)
		}
	}

	data := randomBytes(21, 3<<20+7)
	if err := os.WriteFile(filepath.Join(s.Root, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.retr("RETR f"); !bytes.Equal(got, data) {
		t.Fatalf("RETR f: %d bytes, want the file's %d", len(got), len(data))
	}
	moved += int64(len(data))
	check("RETR")

	c.cmd("REST 1000", 350)
	if got := c.retr("RETR f"); !bytes.Equal(got, data[1000:]) {
		t.Fatalf("REST 1000 + RETR f: %d bytes, want the last %d", len(got), len(data)-1000)
	}
	moved += int64(len(data) - 1000)
	check("REST + RETR")

	up := randomBytes(22, 1<<20+3)
	c.stor("STOR g", up)
	moved += int64(len(up))
	check("STOR (new file)")
	up2 := randomBytes(23, 700_001)
	c.stor("STOR g", up2) // an existing file: written beside it and renamed
	moved += int64(len(up2))
	check("STOR (replacing)")
	tail := randomBytes(24, 5_000)
	c.stor("APPE g", tail)
	moved += int64(len(tail))
	check("APPE")
	want := append(append([]byte(nil), up2...), tail...)
	if disk, _ := os.ReadFile(filepath.Join(s.Root, "g")); !bytes.Equal(disk, want) {
		t.Fatalf("STOR g + APPE g: the file has %d bytes, want %d", len(disk), len(want))
	}
	c.cmd("REST 100", 350)
	c.stor("STOR g", tail)
	moved += int64(len(tail))
	check("REST + STOR")
	copy(want[100:], tail) // written in place from the offset, as on the goroutine path
	if disk, _ := os.ReadFile(filepath.Join(s.Root, "g")); !bytes.Equal(disk, want) {
		t.Fatalf("REST 100 + STOR g: the file has %d bytes, want %d", len(disk), len(want))
	}

	prelim := c.stor("STOU g", up)
	moved += int64(len(up))
	check("STOU")
	name := prelim[strings.LastIndex(prelim, " ")+1:] // "150 FILE: g.1"
	if disk, _ := os.ReadFile(filepath.Join(s.Root, name)); !bytes.Equal(disk, up) {
		t.Fatalf("STOU g (stored as %q): the file has %d bytes, want %d", name, len(disk), len(up))
	}
	ents, _ := os.ReadDir(s.Root)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("temporary upload file %s left behind", e.Name())
		}
	}

	// TYPE A needs the conversion the engine does not do: the goroutine path sends it.
	c.cmd("TYPE A", 200)
	if got := c.retr("RETR f"); len(got) < len(data) {
		t.Fatalf("TYPE A RETR f: %d bytes, want at least %d", len(got), len(data))
	}
	check("TYPE A RETR (not on the engine)")

	if n := strings.Count(s.logs.String(), "result=complete"); n < 8 {
		t.Errorf("%d transfer log lines with result=complete, want 8", n)
	}
}

// TestDataLoopsThrottledWithProgress: on the engine, a per-session limit paces a RETR and a
// STOR (at least bytes/rate minus the initial burst), STAT shows a download's progress,
// and the byte and throttle-wait metrics count them.
func TestDataLoopsThrottledWithProgress(t *testing.T) {
	t.Parallel()
	const rate = 512 << 10
	m := metrics.New()
	s := startServer(t, withConfig("DataLoops and metrics", func(c *fastftp.Config) {
		c.DataLoops = 2
		c.WriteLimit, c.ReadLimit = rate, rate
		c.Metrics = m
	}))
	data := randomBytes(26, 3<<19) // 1.5 MiB: about 3 s at 512 KiB/s
	if err := os.WriteFile(filepath.Join(s.Root, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := s.login(t)
	c.cmd("TYPE I", 200)
	dc := c.pasv()
	c.cmd("RETR f", 150)
	start := time.Now()
	first, path, n := progressMidTransfer(t, c, dc, "RETR f")
	if path != "/f" || n <= 0 || n >= int64(len(data)) {
		t.Errorf("STAT during RETR f: %s, %d bytes; want /f and some of its %d bytes", path, n, len(data))
	}
	rest, err := io.ReadAll(dc)
	if err != nil {
		t.Fatalf("rest of f: %v", err)
	}
	el := time.Since(start)
	c.expectFor("RETR f (end)", 226)
	if got := append(first, rest...); !bytes.Equal(got, data) {
		t.Fatalf("RETR f: %d bytes, want the file's %d", len(got), len(data))
	}
	if min := time.Duration(float64(len(data))/rate*float64(time.Second)) - 300*time.Millisecond; el < min {
		t.Errorf("RETR of %d bytes at %d B/s took %v, want at least %v", len(data), rate, el, min)
	}
	t.Logf("RETR of %d bytes at %d B/s on the engine took %v", len(data), rate, el)

	up := randomBytes(27, 1<<20)
	start = time.Now()
	c.stor("STOR g", up)
	el = time.Since(start)
	if min := time.Duration(float64(len(up))/rate*float64(time.Second)) - 300*time.Millisecond; el < min {
		t.Errorf("STOR of %d bytes at %d B/s took %v, want at least %v", len(up), rate, el, min)
	}
	t.Logf("STOR of %d bytes at %d B/s on the engine took %v", len(up), rate, el)
	if got := s.srv.DataLoopBytes(); got != int64(len(data)+len(up)) {
		t.Errorf("the engine moved %d bytes, want %d", got, len(data)+len(up))
	}
	if !eventually(3*time.Second, func() bool {
		return counter(t, m, metrics.NameTransferBytes, "download") >= float64(len(data)) &&
			counter(t, m, metrics.NameTransferBytes, "upload") >= float64(len(up))
	}) {
		t.Errorf("%s: download %v, upload %v, want %d and %d", metrics.NameTransferBytes,
			counter(t, m, metrics.NameTransferBytes, "download"), counter(t, m, metrics.NameTransferBytes, "upload"), len(data), len(up))
	}
	if w := counter(t, m, metrics.NameThrottleWait, "download"); w <= 0 {
		t.Errorf("%s{download} = %v after a throttled RETR on the engine, want > 0", metrics.NameThrottleWait, w)
	}
}

// counter reads the counter name{direction=dir} from m's registry (-1 when absent).
func counter(t *testing.T, m *metrics.Metrics, name, dir string) float64 {
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "direction" && l.GetValue() == dir {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// TestDataWritersParallelUploads: with the upload write pool on (DataWriters) and one data
// loop, so that uploads wait for each other and the loop hands their file writes to the
// pool, lftp's parallel reverse mirror lands every file intact and the engine carried every
// byte.
func TestDataWritersParallelUploads(t *testing.T) {
	t.Parallel()
	s := startServer(t, withConfig("DataWriters", func(c *fastftp.Config) { c.DataLoops, c.DataWriters = 1, 2 }))
	src := filepath.Join(t.TempDir(), "tree")
	const files = 12
	var total int64
	for i := 0; i < files; i++ {
		size := int64(1<<20 + i*(211<<10) + i)
		writeRandomFile(t, filepath.Join(src, fmt.Sprintf("u%02d.bin", i)), uint64(500+i), size)
		total += size
	}
	lftp(t, s, "mirror -R --parallel=6 "+src+" /up")
	for i := 0; i < files; i++ {
		name := fmt.Sprintf("u%02d.bin", i)
		want, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(s.Root, "up", name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (err %v), want the %d sent", name, len(got), err, len(want))
		}
	}
	if got := s.srv.DataLoopBytes(); got != total {
		t.Errorf("the engine moved %d bytes, want the uploads' %d", got, total)
	}
}
