//go:build linux

package fastftp_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/auth"
	"github.com/fastftp/fastftp/ftpclient"
)

// BenchmarkRETRSmall: RETR of one 1 KiB file in a loop over one session (EPSV each time),
// through a real server and ftpclient on loopback, the open-file cache off and on.
// proc-cpu-us/op is the whole process's user+system CPU per RETR (client included).
// Put TMPDIR on a tmpfs so the file system is not measured.
//
//	go test -run '^$' -bench RETRSmall -benchtime 2000x -count 3 .
func BenchmarkRETRSmall(b *testing.B) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "small.bin"), make([]byte, 1024), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		entries int
	}{{"off", -1}, {"on", 0}} {
		b.Run(fmt.Sprintf("size=1KiB/cache=%s", c.name), func(b *testing.B) {
			st := auth.NewStatic()
			if err := st.AddUser("u", "p", root, auth.MustParsePerm(auth.ReadOnly)); err != nil {
				b.Fatal(err)
			}
			// Passive ports below the kernel's ephemeral range: binding port 0 among
			// thousands of TIME_WAIT sockets costs milliseconds of kernel CPU and buries
			// what is measured (DESIGN.md, loopback pitfalls).
			srv, addr := serveBench(b, fastftp.Config{Auth: st, Logger: slog.New(slog.DiscardHandler),
				OpenFileCache: c.entries, PassivePortMin: 30000, PassivePortMax: 31999})
			d := &ftpclient.Dialer{Addr: addr, Data: ftpclient.DataEPSV}
			conn, err := d.Dial(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Quit()
			if err := conn.Login("u", "p"); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 4096)
			cpu0 := procCPU()
			b.SetBytes(1024)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if n, err := conn.Retr(b.Context(), "small.bin", 1024, buf, io.Discard); err != nil || n != 1024 {
					b.Fatalf("RETR: %d bytes, %v", n, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(procCPU()-cpu0)/1e3/float64(b.N), "proc-cpu-us/op")
			if st := srv.OpenFileCacheStats(); c.entries >= 0 && st.Hits+1 < uint64(b.N) {
				b.Fatalf("cache on, but only %d of %d RETRs came from it: %+v", st.Hits, b.N, st)
			}
		})
	}
}
