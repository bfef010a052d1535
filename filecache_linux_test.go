package fastftp_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/internal/testkit"
)

// The open-file cache's descriptors are really held after a RETR (one per file, within
// the bound) and all closed by Shutdown.
func TestOpenFileCacheClosedAtShutdown(t *testing.T) {
	addr, dir, srv := startServer(t, fastftp.Config{OpenFileCache: 2})
	for _, n := range []string{"a", "b", "c"} {
		writeRandom(t, filepath.Join(dir, n), 100)
	}
	c := login(t, addr, "alice")
	for _, n := range []string{"a", "b", "c"} {
		download(t, c, n)
	}
	if got := testkit.OpenUnder(t, dir); got != 2 {
		t.Fatalf("%d descriptors kept after RETR of 3 files with --open-file-cache 2, want 2", got)
	}
	if st := srv.OpenFileCacheStats(); st.Evicted != 1 || st.Idle != 2 {
		t.Fatalf("counters %+v: want 1 evicted, 2 held", st)
	}
	c.Quit()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := testkit.OpenUnder(t, dir); got != 0 {
		t.Fatalf("%d descriptors open under the root after Shutdown", got)
	}
}
