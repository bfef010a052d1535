// MergeAgents on reports built by hand: clocks apart, costs by host, refusals.
package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// agentReport is one agent's report of a login row: ops operations of lat each, its
// window opened at start and lasting secs, one point a second.
func agentReport(host string, start time.Time, secs float64, ops int, lat time.Duration, srvCPU float64) *Report {
	r := &Result{Scenario: "login", Title: "login: 2 clients (connect, login, quit)", Headline: "rate", Clients: 2, Loop: "closed",
		Seconds: secs, Ops: uint64(ops), Errors: map[string]uint64{"5xx": 1}, Latency: &Histogram{},
		ServerCPU: srvCPU, ServerMem: -1, MachineCPU: 1, MachineSoftirq: 0.1, OpUnit: "sessions"}
	ser := &Series{Start: start, Interval: 1}
	for i := 0; i < ops; i++ {
		r.Latency.Record(lat)
	}
	for p := 0; p < int(secs); p++ {
		pt := SeriesPoint{T: float64(p), Secs: 1, Ops: uint64(ops) / uint64(secs)}
		var h Histogram
		for i := uint64(0); i < pt.Ops; i++ {
			h.Record(lat)
		}
		pt.setLatency(&h)
		pt.Latency = nil // as in a --json file
		ser.Points = append(ser.Points, pt)
	}
	r.Series = []*Series{ser}
	r.computeFigures()
	return &Report{Target: "lb:21", Started: start, Machine: Machine{Hostname: host}, ServerMem: -1, Results: []*Result{r}}
}

func TestMergeAgentsAlignsAndSums(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// b opened its window 2 s before a (its clock, or its start, was earlier).
	a := agentReport("a", t0, 4, 400, time.Millisecond, 1.5)
	b := agentReport("b", t0.Add(-2*time.Second), 3, 30, 50*time.Millisecond, -1)
	m, err := MergeAgents([]*Report{a, b}, []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	r := m.Results[0]
	if r.Ops != 430 || r.Errors["5xx"] != 2 || r.Clients != 4 || r.Seconds != 4 || r.Latency.Count() != 430 {
		t.Fatalf("merged ops=%d errors=%v clients=%d secs=%v hist=%d", r.Ops, r.Errors, r.Clients, r.Seconds, r.Latency.Count())
	}
	if r.Title != "login: 4 clients (connect, login, quit)" {
		t.Errorf("title %q does not give the clients of both agents", r.Title)
	}
	if got := r.Figure("rate").Value; got != 100+10 {
		t.Errorf("rate %v, want 100 + 10 (the agents' rates)", got)
	}
	// 430 operations, the 30 slowest at 50 ms: p99 (rank 426) is one of them.
	if p99 := r.Figure("latency_p99").Value; p99 < 49 || p99 > 51 {
		t.Errorf("p99 %.2f ms, want ~50 (the union's, not the mean of 1 and 50)", p99)
	}
	if r.ServerCPU != 1.5 || r.MachineCPU != 2 {
		t.Errorf("server cpu %v (want 1.5: the one agent with -k), machine cpu %v (want 2: two hosts)", r.ServerCPU, r.MachineCPU)
	}
	if !m.Started.Equal(b.Started) || len(m.Agents) != 2 || m.Agents[1].Machine.Hostname != "b" {
		t.Errorf("started %v agents %+v", m.Started, m.Agents)
	}
	// b's seconds 0-2 are t0-2s..t0+1s; a's 0-3 are t0..t0+4s: 6 points from t0-2s.
	s := r.Series[0]
	want := []uint64{10, 10, 10 + 100, 100, 100, 100}
	if len(s.Points) != len(want) || !s.Start.Equal(b.Started) {
		t.Fatalf("series from %v with %d points, want %v and %d", s.Start, len(s.Points), b.Started, len(want))
	}
	for i, p := range s.Points {
		if p.Ops != want[i] || p.T != float64(i) {
			t.Errorf("point %d: t=%v ops=%d, want t=%d ops=%d", i, p.T, p.Ops, i, want[i])
		}
		// Seconds one agent alone filled keep its percentiles; the shared one cannot.
		if shared := i == 2; (p.P99 == 0) != shared {
			t.Errorf("point %d: p99 %v (shared second: %v)", i, p.P99, shared)
		}
	}
	if !strings.Contains(s.Note, "per-second percentiles") {
		t.Errorf("series note %q does not say its shared seconds lack percentiles", s.Note)
	}
}

func TestMergeAgentsSameHostAndRefusals(t *testing.T) {
	t0 := time.Now()
	m, err := MergeAgents([]*Report{agentReport("h", t0, 2, 20, time.Millisecond, 1),
		agentReport("h", t0, 2, 20, time.Millisecond, 2)}, []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Results[0]; r.MachineCPU != -1 || r.Figure("machine_cpu") != nil || r.ServerCPU != 3 {
		t.Errorf("one host twice: machine cpu %v (want -1), server cpu %v (want 3)", r.MachineCPU, r.ServerCPU)
	}
	// An agent with a client that never logged in makes the merged row incomplete, the
	// sessions counted over both agents.
	a, b := agentReport("a", t0, 2, 20, time.Millisecond, -1), agentReport("b", t0, 2, 20, time.Millisecond, -1)
	b.Results[0].SessionsMissing = 1
	m, err = MergeAgents([]*Report{a, b}, []string{"a.json", "b.json"})
	if r := m.Results[0]; err != nil || !r.Incomplete || r.IncompleteReason != "1 of 4 sessions never logged in" {
		t.Errorf("a missing session: incomplete=%v %q %v", r.Incomplete, r.IncompleteReason, err)
	}
	a, b = agentReport("a", t0, 2, 20, time.Millisecond, -1), agentReport("b", t0, 2, 20, time.Millisecond, -1)
	b.Results[0].Loop = "open"
	if _, err := MergeAgents([]*Report{a, b}, []string{"a.json", "b.json"}); !errors.Is(err, ErrMergeMismatch) ||
		!strings.Contains(err.Error(), "a.json") || !strings.Contains(err.Error(), "b.json") {
		t.Errorf("closed and open loop: %v", err)
	}
	a, b = agentReport("a", t0, 2, 20, time.Millisecond, -1), agentReport("b", t0, 2, 20, time.Millisecond, -1)
	b.Results[0].Runs = make([]RunSummary, 3)
	if _, err := MergeAgents([]*Report{a, b}, []string{"a.json", "b.json"}); !errors.Is(err, ErrMergeMismatch) ||
		!strings.Contains(err.Error(), "--repeat") {
		t.Errorf("--repeat report: %v", err)
	}
	if _, err := MergeAgents([]*Report{a}, []string{"a.json"}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("one report: %v", err)
	}
}

func TestRetitle(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"retr: 2 streams (RETR 1.0M file)", "retr: 6 streams (RETR 1.0M file)"},
		{"login: 500/s open loop, 2 clients", "login: 500/s open loop, 6 clients"},
		{"2 concurrent clients (RETR 1.0M file)", "6 concurrent clients (RETR 1.0M file)"},
		{"RETR (1 file with 200 idle clients)", "RETR (1 file with 200 idle clients)"},
		{"STOR (client -> server)", "STOR (client -> server)"},
		{"idle: 3 sessions (NOOP latency)", "idle: 3 sessions (NOOP latency)"}, // not the first part's count
	} {
		if got := retitle(c.in, 2, 6); got != c.want {
			t.Errorf("retitle(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
