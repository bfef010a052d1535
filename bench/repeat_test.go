// --repeat: each run's headline and the spread under the row, not only the merged figure.
package bench

import (
	"strings"
	"testing"
)

func TestSpreadLine(t *testing.T) {
	f := &Figure{Name: "throughput", Unit: "MB/s", Value: 2, Samples: []float64{3, 1, 2}}
	if got, want := spreadLine(f), "3 runs: 3.00 1.00 2.00 MB/s; min 1.00  median 2.00  max 3.00  (±50.0%)"; got != want {
		t.Fatalf("spreadLine = %q\n want %q", got, want)
	}
}

func TestRepeatShowsEachRun(t *testing.T) {
	f := startFake(t)
	cfg := f.config()
	cfg.Repeat = 3
	rep, err := Run(testCtx(t), cfg, "retr")
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	tp := r.Figure("throughput")
	if r.Ops != 18 || tp == nil || len(tp.Samples) != 3 || tp.Value != median(tp.Samples) {
		t.Fatalf("ops %d, throughput %+v", r.Ops, tp)
	}
	var b strings.Builder
	rep.PrintTable(&b, false)
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "retr: 2 streams") || !strings.HasPrefix(lines[1], "    3 runs: ") ||
		!strings.Contains(lines[1], " MB/s; min ") || !strings.Contains(lines[1], "  median ") {
		t.Fatalf("table:\n%s", b.String())
	}
	if len(r.Runs) != 3 {
		t.Fatalf("%d runs recorded, want 3", len(r.Runs))
	}
	for i, run := range r.Runs {
		if run.Ops != 6 || run.Errors != 0 || run.Bytes != 6*uint64(cfg.FileSize) || run.Headline != tp.Samples[i] || run.Incomplete {
			t.Fatalf("run %d: %+v, throughput sample %v", i, run, tp.Samples[i])
		}
	}
	if strings.Contains(b.String(), "INCOMPLETE") || r.Incomplete || r.BytesExpected != 18*uint64(cfg.FileSize) {
		t.Fatalf("3 complete runs merged as incomplete (%q) or expected %d", r.IncompleteReason, r.BytesExpected)
	}
}
