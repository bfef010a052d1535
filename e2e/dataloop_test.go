// The data-loop engine (Config.DataLoops): file transfers of every kind move their bytes on
// the engine's loops (its byte counter says so) and arrive intact; TYPE A keeps the
// goroutine path. FASTFTP_E2E_DATALOOPS=2 runs the whole suite with the engine on.
package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp"
)

// TestDataLoopsMoveTheBytes runs RETR, REST+RETR, STOR (new and replacing), APPE,
// REST+STOR, STOU and a TYPE A RETR with the engine on and, for the same results, off.
func TestDataLoopsMoveTheBytes(t *testing.T) {
	t.Parallel()
	for _, loops := range []int{2, 0} {
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
		if loops == 0 {
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
