// compare: a planted regression fails, noise and small changes pass.
package bench

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func reportWith(rate []float64, p99 []float64) *Report {
	r := &Result{Scenario: "login", Figures: []Figure{
		{Name: "rate", Unit: "sessions/s", Better: "higher", Value: median(rate), Samples: rate},
		{Name: "latency_p99", Unit: "ms", Better: "lower", Value: median(p99), Samples: p99},
		{Name: "server_cpu", Unit: "cpu-s", Value: 1, Samples: []float64{1}},
	}}
	return &Report{Tool: "ftpbench", Results: []*Result{r}}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	old := reportWith([]float64{5000, 5100, 4950, 5050, 5000}, []float64{2.0, 2.1, 1.9, 2.0, 2.05})
	noise := reportWith([]float64{4900, 5150, 5000, 4980, 5060}, []float64{2.1, 1.95, 2.0, 2.1, 2.0})
	regress := reportWith([]float64{4000, 4050, 3980, 4020, 4010}, []float64{2.0, 2.1, 1.9, 2.0, 2.05})
	// A big change inside huge noise is not a regression either.
	wild := reportWith([]float64{2000, 8000, 3000, 7000, 4100}, []float64{2.0, 2.1, 1.9, 2.0, 2.05})
	for name, rep := range map[string]*Report{"old": old, "noise": noise, "regress": regress, "wild": wild} {
		if err := rep.WriteJSON(filepath.Join(dir, name+".json")); err != nil {
			t.Fatal(err)
		}
	}
	read := func(n string) *Report {
		r, err := ReadReport(filepath.Join(dir, n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	o := read("old")
	for _, c := range []struct {
		name string
		bad  int
	}{{"noise", 0}, {"regress", 1}, {"wild", 0}} {
		rows := Compare(o, read(c.name), 5)
		var sb strings.Builder
		if got := PrintComparison(&sb, rows, 5); got != c.bad {
			t.Errorf("%s: %d regressions, want %d\n%s", c.name, got, c.bad, sb.String())
		}
		if len(rows) != 2 {
			t.Errorf("%s: %d rows, want 2 (informational figures skipped)", c.name, len(rows))
		}
		if c.bad > 0 && !strings.Contains(sb.String(), "login/rate (sessions/s)") {
			t.Errorf("table does not name the figure:\n%s", sb.String())
		}
	}
	// Single samples: the threshold alone decides.
	one := func(v float64) *Report { return reportWith([]float64{v}, []float64{2}) }
	if n := PrintComparison(new(strings.Builder), Compare(one(5000), one(4800), 5), 5); n != 0 {
		t.Errorf("-4%% with 5%% threshold: %d regressions", n)
	}
	if n := PrintComparison(new(strings.Builder), Compare(one(5000), one(4500), 5), 5); n != 1 {
		t.Errorf("-10%% with 5%% threshold: %d regressions", n)
	}
	// An improvement is never a regression.
	if n := PrintComparison(new(strings.Builder), Compare(one(5000), one(9000), 5), 5); n != 0 {
		t.Errorf("improvement flagged: %d", n)
	}
}

func TestCompareReportsNothingInCommonAndIncomplete(t *testing.T) {
	a := reportWith([]float64{5000, 5100, 4950}, []float64{2, 2.1, 1.9})
	b := reportWith([]float64{5000, 5100, 4950}, []float64{2, 2.1, 1.9})
	b.Results[0].Scenario = "retr"
	if _, err := CompareReports(a, b, 5); !errors.Is(err, ErrNothingToCompare) || !strings.Contains(err.Error(), "old: login; new: retr") {
		t.Fatalf("no scenario in common: %v", err)
	}
	b.Results[0].Scenario, b.Results[0].Incomplete = "login", true
	rows, err := CompareReports(a, b, 5)
	if err != nil || len(rows) != 2 || !rows[0].Incomplete || !rows[0].NoiseTested {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	var sb strings.Builder
	PrintComparison(&sb, rows, 5)
	if !strings.Contains(sb.String(), "(incomplete)") || !strings.Contains(sb.String(), "never logged in") {
		t.Fatalf("incomplete side not marked:\n%s", sb.String())
	}
}
