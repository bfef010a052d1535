// The client scheduling delay: diff and quantiles on synthetic runtime histograms, merges
// that add buckets (never quantiles), and the figure in a real run's table and JSON.
package bench

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"
)

// rtHist builds a runtime-shaped histogram: the first bucket ends at 0 (from -Inf), the
// last runs to +Inf, as /sched/latencies:seconds does.
func rtHist(counts ...uint64) *metrics.Float64Histogram {
	return &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 0, 1e-6, 2e-6, 1e-3, 5e-3, 0.1, math.Inf(1)},
		Counts:  counts,
	}
}

func TestDiffSchedQuantiles(t *testing.T) {
	base := rtHist(1, 5, 7, 2, 0, 3, 4)
	for _, c := range []struct {
		name          string
		after         *metrics.Float64Histogram
		n             uint64
		p50, p99, max time.Duration
		buckets       [][2]uint64
	}{
		{"empty", rtHist(1, 5, 7, 2, 0, 3, 4), 0, 0, 0, 0, [][2]uint64{}},
		// Every event in one bucket: each quantile is that bucket's upper bound.
		{"single bucket", rtHist(1, 5, 7, 2+40, 0, 3, 4), 40, time.Millisecond, time.Millisecond, time.Millisecond,
			[][2]uint64{{1e6, 40}}},
		// 100 events: 60 under 1us, 39 in (1ms, 5ms], 1 in (5ms, 100ms]. Rank 50 is in the
		// first, rank 99 in the second, the max in the third.
		{"spread", rtHist(1, 5+60, 7, 2, 0+39, 3+1, 4), 100, time.Microsecond, 5 * time.Millisecond, 100 * time.Millisecond,
			[][2]uint64{{1e3, 60}, {5e6, 39}, {1e8, 1}}},
		// The +Inf bucket has no upper bound: its lower one (100ms) stands for it; the
		// (-Inf, 0] bucket counts as 0.
		{"edges", rtHist(1+3, 5, 7, 2, 0, 3, 4+1), 4, 0, 100 * time.Millisecond, 100 * time.Millisecond,
			[][2]uint64{{0, 3}, {1e8, 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := diffSched(base, c.after)
			if h == nil {
				t.Fatal("nil diff")
			}
			if !slices.Equal(h.Buckets, c.buckets) || h.Count() != c.n {
				t.Errorf("buckets %v (count %d), want %v (%d)", h.Buckets, h.Count(), c.buckets, c.n)
			}
			if p50, p99, mx := h.Quantile(.5), h.Quantile(.99), h.Max(); p50 != c.p50 || p99 != c.p99 || mx != c.max {
				t.Errorf("p50 %v p99 %v max %v, want %v %v %v", p50, p99, mx, c.p50, c.p99, c.max)
			}
		})
	}
	if diffSched(nil, base) != nil || diffSched(base, nil) != nil || diffSched(base, rtHist(1, 2, 3)) != nil {
		t.Error("a missing reading or another grid gave a histogram")
	}
	// A bucket that lost events (not one process's readings in order) adds nothing.
	if h := diffSched(base, rtHist(0, 5, 7, 2, 0, 3, 4)); h.Count() != 0 {
		t.Errorf("shrunk bucket counted: %v", h.Buckets)
	}
}

// TestSchedOfThisProcess: two readings around goroutines that queue for a processor
// give a histogram with events and ordered quantiles.
func TestSchedOfThisProcess(t *testing.T) {
	a := readSched()
	if a == nil {
		t.Fatal("runtime has no " + schedMetric)
	}
	done := make(chan struct{})
	for i := 0; i < 64; i++ {
		go func() {
			for k := 0; k < 200; k++ {
				time.Sleep(time.Microsecond) // each wake-up is a runnable-to-running transition
			}
			done <- struct{}{}
		}()
	}
	for i := 0; i < 64; i++ {
		<-done
	}
	h := diffSched(a, readSched())
	if h == nil || h.Count() == 0 {
		t.Fatalf("no scheduling events over 12,800 wake-ups: %+v", h)
	}
	if p50, p99, mx := h.Quantile(.5), h.Quantile(.99), h.Max(); p50 > p99 || p99 > mx || mx <= 0 {
		t.Errorf("p50 %v p99 %v max %v out of order", p50, p99, mx)
	}
}

func TestMergeSched(t *testing.T) {
	a := &SchedHist{Unit: "ns", Buckets: [][2]uint64{{100, 1}, {300, 2}}}
	b := &SchedHist{Unit: "ns", Buckets: [][2]uint64{{50, 4}, {300, 5}, {900, 6}}}
	m := mergeSched(a, b)
	if want := [][2]uint64{{50, 4}, {100, 1}, {300, 7}, {900, 6}}; !slices.Equal(m.Buckets, want) {
		t.Errorf("merged %v, want %v", m.Buckets, want)
	}
	if len(a.Buckets) != 2 || a.Buckets[1][1] != 2 || len(b.Buckets) != 3 {
		t.Errorf("inputs modified: %v %v", a.Buckets, b.Buckets)
	}
	if mergeSched(nil, nil) != nil || !slices.Equal(mergeSched(nil, b).Buckets, b.Buckets) ||
		!slices.Equal(mergeSched(a, nil).Buckets, a.Buckets) {
		t.Error("merge with nil")
	}
}

func TestSchedHistJSON(t *testing.T) {
	var h SchedHist
	if err := json.Unmarshal([]byte(`{"unit":"ns","buckets":[[10,1],[20,3]]}`), &h); err != nil || h.Count() != 4 {
		t.Fatalf("%v %+v", err, h)
	}
	for _, bad := range []string{`{"unit":"s","buckets":[[10,1]]}`, `{"unit":"ns","buckets":[[20,1],[10,1]]}`} {
		if err := json.Unmarshal([]byte(bad), &h); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: %v, want ErrBadConfig", bad, err)
		}
	}
}

// schedReports are two parts' reports whose client scheduling p99s are 1 ms and 100 ms
// while the p99 of their 200 events together is 1 ms: 100 events at 1 ms in one; 98 at
// 1 us and 2 at 100 ms in the other. Averaging the p99s would give 50.5 ms, their max
// 100 ms. Each goes through JSON, as --procs children's and agents' reports do.
func schedReports(t *testing.T) []*Report {
	t0 := time.Now()
	var reps []*Report
	for i, h := range []*SchedHist{
		{Unit: "ns", Buckets: [][2]uint64{{1e6, 100}}},
		{Unit: "ns", Buckets: [][2]uint64{{1e3, 98}, {1e8, 2}}},
	} {
		rep := agentReport(string(rune('a'+i)), t0, 2, 20, time.Millisecond, -1)
		rep.Results[0].ClientSched = h
		rep.Results[0].computeFigures()
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		var back Report
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, &back)
	}
	if a, b := reps[0].Results[0].Figure("client_sched_p99"), reps[1].Results[0].Figure("client_sched_p99"); a == nil ||
		b == nil || a.Value != 1 || b.Value != 100 {
		t.Fatalf("parts' p99: %+v %+v, want 1 and 100 ms", a, b)
	}
	return reps
}

// TestSchedMergesBuckets: --procs (MergeProcs) and `ftpbench merge` (MergeAgents) give
// the p99 of every part's events together, not a mean or max of the parts' p99s.
func TestSchedMergesBuckets(t *testing.T) {
	check := func(how string, r *Result) {
		t.Helper()
		if r.ClientSched == nil || r.ClientSched.Count() != 200 {
			t.Fatalf("%s: merged histogram %+v, want 200 events", how, r.ClientSched)
		}
		for name, want := range map[string]float64{"client_sched_p50": 1, "client_sched_p99": 1, "client_sched_max": 100} {
			if f := r.Figure(name); f == nil || f.Value != want || f.Unit != "ms" || f.Better != "lower" {
				t.Errorf("%s: %s %+v, want %v ms (the union's)", how, name, f, want)
			}
		}
	}
	check("procs", MergeProcs(schedReports(t))[0])
	m, err := MergeAgents(schedReports(t), []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	check("agents", m.Results[0])
	// --repeat pools the runs' histograms too, so the file holds every event.
	r := mergeRepeats([][]*Result{schedReports(t)[0].Results, schedReports(t)[1].Results})[0]
	if r.ClientSched.Count() != 200 || len(r.Figure("client_sched_p99").Samples) != 2 {
		t.Errorf("repeats: histogram %d events, p99 samples %v", r.ClientSched.Count(), r.Figure("client_sched_p99").Samples)
	}
}

// TestClientSchedInRunJSON: every scenario's result from a real run carries the figures
// (ms, >= 0, ordered) and the histogram in its --json file, and the cost line prints them.
func TestClientSchedInRunJSON(t *testing.T) {
	f := startFake(t)
	cfg := f.config()
	cfg.Count = 0
	cfg.Clients, cfg.Duration, cfg.Warmup = 4, 400*time.Millisecond, 100*time.Millisecond
	rep, err := Run(testCtx(t), cfg, "login", "retr", "idle")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Results []struct {
			Scenario    string            `json:"scenario"`
			Figures     []Figure          `json:"figures"`
			ClientSched *SchedHist        `json:"client_sched"`
			NA          map[string]string `json:"not_available"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Results) != 3 {
		t.Fatalf("%d results, want 3", len(file.Results))
	}
	for _, r := range file.Results {
		if r.ClientSched == nil || r.ClientSched.Count() == 0 {
			t.Errorf("%s: histogram %+v (n/a: %v)", r.Scenario, r.ClientSched, r.NA)
			continue
		}
		var v []float64
		for _, name := range []string{"client_sched_p50", "client_sched_p99", "client_sched_max"} {
			i := slices.IndexFunc(r.Figures, func(f Figure) bool { return f.Name == name })
			if i < 0 || r.Figures[i].Unit != "ms" || r.Figures[i].Value < 0 {
				t.Errorf("%s: %s missing or wrong: %+v", r.Scenario, name, r.Figures)
				continue
			}
			v = append(v, r.Figures[i].Value)
		}
		if len(v) == 3 && (v[0] > v[1] || v[1] > v[2]) {
			t.Errorf("%s: p50 %v p99 %v max %v out of order", r.Scenario, v[0], v[1], v[2])
		}
	}
	var table strings.Builder
	rep.PrintTable(&table, true)
	if got := strings.Count(table.String(), "client_sched p99 "); got != 3 {
		t.Errorf("%d cost lines with client_sched, want 3:\n%s", got, table.String())
	}
}
