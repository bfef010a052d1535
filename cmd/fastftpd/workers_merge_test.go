package main

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzMergeMetrics: whatever a worker answers, the merge neither panics nor emits a
// sample without the worker label, and keeps at most one HELP and one TYPE per family.
func FuzzMergeMetrics(f *testing.F) {
	f.Add([]byte("# HELP a A.\n# TYPE a counter\na{x=\"1\"} 2\n"), []byte("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 0\nh_count 1\n"))
	f.Add([]byte("a 1\n#\n# HELP\n{}\n"), []byte("a{} 2\n\n\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var out bytes.Buffer
		mergeMetrics(&out, [][]byte{a, nil, b}, nil)
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l == "" {
				continue
			}
			if strings.HasPrefix(l, "# ") {
				f := strings.Fields(l)
				if seen[f[1]+" "+f[2]] {
					t.Fatalf("%q twice", f[1]+" "+f[2])
				}
				seen[f[1]+" "+f[2]] = true
				continue
			}
			if !strings.Contains(l, `{worker="0"`) && !strings.Contains(l, `{worker="2"`) {
				t.Fatalf("sample without a worker label: %q", l)
			}
		}
	})
}

// BenchmarkMergeMetrics: one scrape of 3 workers' expositions (about 60 KB each). The
// merge runs once per scrape, not per request served, so allocations are reported for
// information only.
func BenchmarkMergeMetrics(b *testing.B) {
	var one bytes.Buffer
	for _, fam := range []string{"fastftp_command_duration_seconds", "fastftp_replies_total", "fastftp_transfer_bytes_total"} {
		one.WriteString("# HELP " + fam + " X.\n# TYPE " + fam + " histogram\n")
		for i := range 300 {
			one.WriteString(fam + "_bucket{command=\"RETR\",le=\"" + strings.Repeat("9", i%7+1) + "\"} 12345\n")
		}
	}
	bodies := [][]byte{one.Bytes(), one.Bytes(), one.Bytes()}
	b.SetBytes(int64(3 * one.Len()))
	b.ReportAllocs()
	for b.Loop() {
		var out bytes.Buffer
		mergeMetrics(&out, bodies, nil)
	}
}
