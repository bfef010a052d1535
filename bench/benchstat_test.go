// --format benchstat: the lines are Go benchmark lines, read back by benchstat itself
// (golang.org/x/perf/cmd/benchstat, fetched through the Go module proxy).
package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// benchstatVersion pins the benchstat the test runs.
const benchstatVersion = "golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

// runBenchstat runs benchstat on files and returns its stdout; any stderr (benchstat
// prints every line it cannot parse there) fails the test. Skips when benchstat cannot
// be fetched or built here.
func runBenchstat(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir() // outside this module: `go run pkg@version` needs no go.mod entry
	probe := exec.Command("go", "run", benchstatVersion, "-h")
	probe.Dir = dir
	if out, err := probe.CombinedOutput(); !strings.Contains(string(out), "Usage: benchstat") {
		t.Skipf("benchstat unavailable (%v): %s", err, out)
	}
	cmd := exec.Command("go", append([]string{"run", benchstatVersion}, files...)...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() != 0 {
		t.Fatalf("benchstat %v: %v\nstderr:\n%s", files, err, errb.String())
	}
	return out.String()
}

func TestBenchstatFormat(t *testing.T) {
	f := startFake(t)
	cfg := f.config()
	cfg.Repeat = 5 // benchstat tests a difference from 4 samples a side
	rep, err := Run(testCtx(t), cfg, "retr")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteBenchstat(&b); err != nil {
		t.Fatal(err)
	}
	var bench []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			bench = append(bench, l)
		}
	}
	r := rep.Results[0]
	if len(bench) != 5 {
		t.Fatalf("%d benchmark lines for 5 runs:\n%s", len(bench), b.String())
	}
	for i, l := range bench {
		f := strings.Fields(l)
		if f[0] != "BenchmarkFTP/scenario=retr/n=2-"+strconv.Itoa(rep.Machine.CPUs) || f[1] != "6" || len(f)%2 != 0 || f[3] != "ns/op" || f[5] != "MB/s" {
			t.Fatalf("line %q", l)
		}
		// ns/op is the inverse of that run's rate; MB/s is Go's 10^6 bytes, not MiB.
		ns, _ := strconv.ParseFloat(f[2], 64)
		mbs, _ := strconv.ParseFloat(f[4], 64)
		rate, tp := r.Figure("rate").Samples[i], r.Figure("throughput").Samples[i]
		if d := ns*rate/1e9 - 1; d > 1e-3 || d < -1e-3 {
			t.Errorf("run %d: %v ns/op at %v transfers/s", i, ns, rate)
		}
		if d := mbs/(tp*1.048576) - 1; d > 1e-3 || d < -1e-3 {
			t.Errorf("run %d: %v MB/s for %v MiB/s", i, mbs, tp)
		}
	}
	if !strings.Contains(b.String(), "Unit transfers/s better=higher\n") || !strings.Contains(b.String(), "Unit p99-ns better=lower\n") {
		t.Fatalf("no unit metadata:\n%s", b.String())
	}
	// benchstat compares these runs with a copy whose throughput halved.
	dir := t.TempDir()
	old := filepath.Join(dir, "old.txt")
	os.WriteFile(old, b.Bytes(), 0o644)
	// Every new run below half the slowest old one: disjoint samples, a certain difference.
	for i := range r.Figures {
		if n := r.Figures[i].Name; n == "throughput" || n == "rate" {
			s := r.Figures[i].Samples
			lo := s[0]
			for _, v := range s {
				lo = min(lo, v)
			}
			for j := range s {
				s[j] = lo / 2 * (1 + float64(j)/100)
			}
		}
	}
	b.Reset()
	rep.WriteBenchstat(&b)
	slow := filepath.Join(dir, "new.txt")
	os.WriteFile(slow, b.Bytes(), 0o644)
	out := runBenchstat(t, old, slow)
	for _, want := range []string{"scenario=retr/n=2", "sec/op", "B/s", "transfers/s", "p99-sec", "errors", "client-cpu-per-op-us/transfer"} {
		if !strings.Contains(out, want) {
			t.Errorf("benchstat output has no %q:\n%s", want, out)
		}
	}
	// The three figures that changed are found changed (p=0.008 for 5 disjoint samples a
	// side), in the right direction; latency, which did not change, is not.
	if got := strings.Count(out, "(p=0.008 n=5)"); got != 3 {
		t.Errorf("%d significant changes, want 3 (sec/op, B/s, transfers/s):\n%s", got, out)
	}
	if !regexp.MustCompile(`\+\d+\.\d+% +\(p=0.008 n=5\)`).MatchString(out) || !regexp.MustCompile(`-\d+\.\d+% +\(p=0.008 n=5\)`).MatchString(out) {
		t.Errorf("no slower sec/op and lower B/s:\n%s", out)
	}
}
