package fastftp_test

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/metrics"
)

// Three downloads of one small file: one open, two RETRs from the kept descriptor, seen
// on /metrics and in Server.OpenFileCacheStats; with the cache off, none.
func TestOpenFileCacheMetrics(t *testing.T) {
	for _, tc := range []struct {
		name       string
		entries    int
		hits, idle float64
	}{{"on", 0, 2, 1}, {"off", -1, 0, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New()
			web := httptest.NewServer(m.Handler())
			defer web.Close()
			addr, dir, srv := startServer(t, fastftp.Config{Metrics: m, OpenFileCache: tc.entries})
			want := writeRandom(t, filepath.Join(dir, "hot.bin"), 1024)
			c := login(t, addr, "alice")
			for range 3 {
				if got, _ := download(t, c, "hot.bin"); !bytes.Equal(got, want) {
					t.Fatalf("download: %d bytes, not the file", len(got))
				}
			}
			fams := scrape(t, web.URL+"/metrics")
			if v := value(fams, "fastftp_open_file_cache_hits_total", nil); v != tc.hits {
				t.Errorf("hits %v, want %v", v, tc.hits)
			}
			if v := value(fams, "fastftp_open_file_cache_descriptors", nil); v != tc.idle {
				t.Errorf("descriptors %v, want %v", v, tc.idle)
			}
			if st := srv.OpenFileCacheStats(); float64(st.Hits) != tc.hits {
				t.Errorf("OpenFileCacheStats %+v, want %v hits", st, tc.hits)
			}
		})
	}
}
