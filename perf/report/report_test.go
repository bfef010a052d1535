// Tests of the report: statistics, marker replacement, and loading a synthetic results
// directory (ftpbench JSON, peak samples, go test output) into tables.
package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/bench"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in          []float64
		med, lo, hi float64
	}{
		{[]float64{3, 1, 2}, 2, 1, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
		{[]float64{7}, 7, 7, 7},
	} {
		m, lo, hi := summarize(tc.in)
		if m != tc.med || lo != tc.lo || hi != tc.hi {
			t.Errorf("summarize(%v) = %v %v %v, want %v %v %v", tc.in, m, lo, hi, tc.med, tc.lo, tc.hi)
		}
	}
	if m, _, _ := summarize(nil); !math.IsNaN(m) {
		t.Errorf("summarize(nil) = %v, want NaN", m)
	}
}

func TestNum(t *testing.T) {
	for in, want := range map[float64]string{1234.6: "1235", 12.345: "12.3", 0.012345: "0.0123", 0: "0", 1: "1.00"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFill(t *testing.T) {
	doc := "intro\n<!-- perf:a -->\nold a\n<!-- /perf:a -->\nmiddle\n<!-- perf:b -->\n<!-- /perf:b -->\nend\n"
	got, err := fill(doc, map[string]string{"a": "new a\n", "b": "new b\n"})
	if err != nil {
		t.Fatal(err)
	}
	want := "intro\n<!-- perf:a -->\nnew a\n<!-- /perf:a -->\nmiddle\n<!-- perf:b -->\nnew b\n<!-- /perf:b -->\nend\n"
	if got != want {
		t.Errorf("fill:\n%s\nwant:\n%s", got, want)
	}
	if _, err := fill(doc, map[string]string{"a": "x", "c": "y"}); !errors.Is(err, errMarker) || !strings.Contains(err.Error(), "c") {
		t.Errorf("fill with a missing marker: err = %v, want errMarker naming c", err)
	}
}

// writeReport writes one ftpbench-style report with a single result.
func writeReport(t *testing.T, path, scenario string, startMem, endMem int64, figs map[string]float64) {
	t.Helper()
	res := &bench.Result{Scenario: scenario, ServerMem: endMem}
	for name, v := range figs {
		res.Figures = append(res.Figures, bench.Figure{Name: name, Value: v, Unit: "u", Better: "higher"})
	}
	rep := &bench.Report{ServerMem: startMem, Results: []*bench.Result{res}}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
}

const microOut = `goos: linux
pkg: github.com/fastftp/fastftp/proto
BenchmarkParse/verb=RETR-2         	 8675514	        30.00 ns/op	 955.10 MB/s	       0 B/op	       0 allocs/op
BenchmarkParseNaive/verb=RETR-2    	 1017280	       200.0 ns/op	      72 B/op	       3 allocs/op
PASS
pkg: github.com/fastftp/fastftp/throttle
BenchmarkFairness/rate=10M-2   	       1	2000000000 ns/op	         0.07 %err	         0.99 jain
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "meta.txt"), []byte("kernel 6.1\nfastftpd 0.1.0\nauth raw none (any password)\n"), 0o644)
	for rep, scale := range map[string]float64{"1": 1, "2": 2, "3": 3} {
		raw := filepath.Join(dir, "raw", rep)
		writeReport(t, filepath.Join(raw, "fastftpd", "retr-10x10M.json"), "retr", 1<<20, 3<<20,
			map[string]float64{"throughput": 900 * scale, "server_cpu_per_gib": 0.2})
		writeReport(t, filepath.Join(raw, "raw", "retr-10x10M.json"), "retr", 1<<20, 2<<20,
			map[string]float64{"throughput": 1000 * scale, "server_cpu_per_gib": 0.25})
		writeReport(t, filepath.Join(raw, "fastftpd", "idle-19000.json"), "idle", 1<<20, 1<<20+19000*1024,
			map[string]float64{"sessions": 19000, "latency_p99": 0.5})
		os.WriteFile(filepath.Join(raw, "fastftpd", "list-100000.peak.json"),
			[]byte(`{"start_bytes":1048576,"peak_bytes":1572864,"growth_peak_bytes":524288}`), 0o644)
		os.WriteFile(filepath.Join(raw, "fastftpd", "micro.txt"), []byte(microOut), 0o644)
	}
	r, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Get("fastftpd", "retr-10x10M", "retr", "throughput"); c == nil || c.Median != 1800 || c.Min != 900 || c.Max != 2700 {
		t.Fatalf("throughput cell = %+v, want median 1800 over 900..2700", c)
	}
	if c := r.Get("fastftpd", "idle-19000", "idle", "kib_per_idle_session"); c == nil || c.Median != 1 {
		t.Errorf("derived KiB/session = %+v, want 1 (19000 KiB over 19000 sessions)", c)
	}
	if c := r.Get("fastftpd", "list-100000", "peak", "peak_growth"); c == nil || c.Median != 0.5 {
		t.Errorf("peak growth = %+v, want 0.5 MiB", c)
	}
	if m := r.MicroGet("proto BenchmarkParseNaive/verb=RETR", "allocs/op"); m == nil || m.Median != 3 || len(m.Samples) != 3 {
		t.Errorf("micro allocs = %+v, want 3 samples of 3", m)
	}
	if m := r.MicroGet("throttle BenchmarkFairness/rate=10M", "jain"); m == nil || m.Median != 0.99 {
		t.Errorf("custom metric = %+v, want jain 0.99", m)
	}
	if r.Auth["raw"] != "none (any password)" || r.Versions["fastftpd"] != "0.1.0" {
		t.Errorf("meta: auth %v versions %v", r.Auth, r.Versions)
	}

	js, err := r.summary().encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"figure":"throughput"`) || strings.Contains(string(js), "latency_p90") {
		t.Errorf("summary keeps the wrong figures:\n%s", js)
	}

	sections := r.sections()
	if !strings.Contains(sections["xfer"], "0.90×") {
		t.Errorf("xfer table lacks the fastftpd/raw ratio 0.90×:\n%s", sections["xfer"])
	}
	if !strings.Contains(sections["targets"], "0 allocs per parsed command | 0 allocs/op") {
		t.Errorf("targets table lacks the alloc verdict:\n%s", sections["targets"])
	}
}

// Scheduler-delay files (perf/schedlat) become the "sched" figures and the sched table;
// one with no sample adds nothing, and the gate's loader skips them. The mixed load's
// background reports become the NOOP table's background columns, and are not judged.
func TestLoadSched(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "meta.txt"), []byte("kernel 6.1\n"), 0o644)
	for rep, p99 := range map[string]string{"1": "2", "2": "5", "3": "10"} {
		d := filepath.Join(dir, "raw", rep, "fastftpd")
		writeReport(t, filepath.Join(d, "idle-2000-mixed.json"), "idle", 1<<20, 2<<20,
			map[string]float64{"latency_p50": 0.1, "latency_p99": 3})
		writeReport(t, filepath.Join(d, "idle-2000-mixed.bg-retr.json"), "retr", 0, 0,
			map[string]float64{"throughput": 1000 * float64(len(p99)), "rate": 9})
		writeReport(t, filepath.Join(d, "idle-2000-mixed.bg-login.json"), "login", 0, 0,
			map[string]float64{"rate": 700, "latency_p99": 1})
		os.WriteFile(filepath.Join(d, "idle-2000-mixed.sched.json"),
			[]byte(`{"samples":100,"p50_ms":0.01,"p90_ms":1,"p99_ms":`+p99+`,"max_ms":20}`), 0o644)
		os.WriteFile(filepath.Join(d, "login.sched.json"), []byte(`{"samples":0,"p50_ms":0,"p99_ms":0,"max_ms":0}`), 0o644)
	}
	r, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Get("fastftpd", "idle-2000-mixed", "sched", "p99"); c == nil || c.Median != 5 || len(c.Samples) != 3 {
		t.Fatalf("sched p99 cell = %+v, want median 5 over 3 samples", c)
	}
	if c := r.Get("fastftpd", "login", "sched", "p99"); c != nil {
		t.Fatalf("a window without samples gave a figure: %+v", c)
	}
	if c := r.Get("fastftpd", "idle-2000-mixed", "background", "retr_throughput"); c == nil || c.Median != 1000 || c.Max != 2000 {
		t.Fatalf("background RETR cell = %+v, want median 1000, max 2000", c)
	}
	tbl := r.sectionSched()
	if !strings.Contains(tbl, "| idle-2000-mixed | 0.0100 (0.0100–0.0100) | 5.00 (2.00–10.0) |") ||
		!strings.Contains(tbl, "| **fastftpd** | 2000 | 0.100 (0.100–0.100) | 3.00 (3.00–3.00) | 1000 (1000–2000) | 700 (700–700) |") {
		t.Fatalf("sched table:\n%s", tbl)
	}
	sd, err := loadSide(filepath.Join(dir, "raw", "1", "fastftpd"))
	if err != nil {
		t.Fatalf("the gate's loader choked on a .sched.json: %v", err)
	}
	for k := range sd {
		if strings.Contains(k, ".bg-") {
			t.Errorf("the gate judges a background load: %q", k)
		}
	}
}
