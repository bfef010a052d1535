//go:build linux

package fastftp_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/fastftp/fastftp"
)

// TestDataLoopsOnByDefault: a zero Config moves file transfers on the data loops (one per
// GOMAXPROCS), both ways, byte-exact; DataLoops -1 keeps a goroutine per transfer.
func TestDataLoopsOnByDefault(t *testing.T) {
	for _, c := range []struct {
		name      string
		loops     int
		onEngine  bool
		wantLoops int
	}{
		{"default", 0, true, max(1, runtime.GOMAXPROCS(0))},
		{"off", -1, false, 0},
		{"three", 3, true, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := fastftp.Config{DataLoops: c.loops}
			if got := cfg.DataLoopCount(); got != c.wantLoops {
				t.Errorf("DataLoopCount() = %d, want %d", got, c.wantLoops)
			}
			addr, dir, srv := startServer(t, cfg)
			want := writeRandom(t, filepath.Join(dir, "f"), 3<<20)
			cl := login(t, addr, "alice")
			got, _ := download(t, cl, "f")
			if !bytes.Equal(got, want) {
				t.Fatalf("RETR: %d bytes, not the file's %d", len(got), len(want))
			}
			if err := cl.Stor("up", bytes.NewReader(want[:1<<20])); err != nil {
				t.Fatalf("STOR: %v", err)
			}
			n := srv.DataLoopBytes()
			switch {
			case c.onEngine && n != int64(len(want))+1<<20:
				t.Errorf("the engine moved %d bytes, want the RETR's and the STOR's %d", n, len(want)+1<<20)
			case !c.onEngine && n != 0:
				t.Errorf("DataLoops %d: the engine moved %d bytes, want none", c.loops, n)
			}
		})
	}
}
