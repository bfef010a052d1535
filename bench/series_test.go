// Per-second series: slots, caps, merging, and a real run's series summing to its totals.
package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSeriesPoints(t *testing.T) {
	t0 := time.Now()
	s := newLiveSeries(t0, 3*time.Second)
	if len(s.slots) != 3 || s.interval != time.Second {
		t.Fatalf("3 s window: %d slots of %v", len(s.slots), s.interval)
	}
	s.record(t0.Add(200*time.Millisecond), 2*time.Millisecond)
	s.record(t0.Add(300*time.Millisecond), 4*time.Millisecond)
	s.addBytes(t0.Add(1500*time.Millisecond), 1000)
	s.addError(t0.Add(-time.Second))                     // before the window: first point
	s.record(t0.Add(3100*time.Millisecond), time.Second) // a straggler: last point
	ser := s.finish(3050 * time.Millisecond)
	if len(ser.Points) != 3 || ser.Note != "" {
		t.Fatalf("points %d note %q", len(ser.Points), ser.Note)
	}
	p := ser.Points
	if p[0].Ops != 2 || p[0].Errors != 1 || p[1].Bytes != 1000 || p[2].Ops != 1 {
		t.Fatalf("points %+v", p)
	}
	if p[0].P50 < 1.9 || p[0].P50 > 2.1 || p[0].P99 < 3.9 || p[0].P99 > 4.1 || p[0].Latency.Count != 2 {
		t.Fatalf("first point latency p50 %v p99 %v", p[0].P50, p[0].P99)
	}
	if p[2].T != 2 || p[2].Secs < 1.04 || p[2].Secs > 1.06 {
		t.Fatalf("last point t=%v secs=%v", p[2].T, p[2].Secs)
	}
	if p[1].MBps() != 1000/(1<<20*1.0) || p[0].Rate() != 2 {
		t.Fatalf("rates %v %v", p[1].MBps(), p[0].Rate())
	}
	b, err := json.Marshal(ser)
	if err != nil || !strings.Contains(string(b), `"latency_p99_ms"`) {
		t.Fatalf("json %s %v", b, err)
	}
	var back Series
	if err := json.Unmarshal(b, &back); err != nil || back.Points[0].Latency.Count != 2 {
		t.Fatalf("round trip: %v %+v", err, back.Points[0])
	}
}

func TestSeriesBounded(t *testing.T) {
	t0 := time.Now()
	// A timed window of two hours: 3600 points of 2 s.
	s := newLiveSeries(t0, 2*time.Hour)
	if len(s.slots) != maxSeriesPoints || s.interval != 2*time.Second {
		t.Fatalf("2 h window: %d slots of %v", len(s.slots), s.interval)
	}
	// A --count run: a second a point, capped at an hour; the rest goes to the last.
	s = newLiveSeries(t0, 0)
	s.record(t0.Add(10*time.Second), time.Millisecond)
	s.record(t0.Add(2*time.Hour), time.Millisecond)
	ser := s.finish(2 * time.Hour)
	if len(ser.Points) != maxSeriesPoints || ser.Points[maxSeriesPoints-1].Ops != 1 ||
		ser.Points[10].Ops != 1 || !strings.Contains(ser.Note, "capped at 3600 points") {
		t.Fatalf("capped series: %d points, last %+v, note %q", len(ser.Points), ser.Points[len(ser.Points)-1], ser.Note)
	}
}

func TestMergeSeries(t *testing.T) {
	t0 := time.Now()
	mk := func(d time.Duration) []*Series {
		s := newLiveSeries(t0, 2*time.Second)
		s.record(t0.Add(100*time.Millisecond), d)
		s.addBytes(t0.Add(1100*time.Millisecond), 10)
		return []*Series{s.finish(2 * time.Second)}
	}
	m := mergeSeries(mk(time.Millisecond), mk(3*time.Millisecond))
	p := m[0].Points
	if len(m) != 1 || p[0].Ops != 2 || p[1].Bytes != 20 || p[0].Latency.Count != 2 || p[0].P99 < 2.9 {
		t.Fatalf("merged %+v", p)
	}
}

// checkSeriesSums asserts that every window's series adds up to the row's totals.
func checkSeriesSums(t *testing.T, r *Result, windows int) {
	t.Helper()
	if len(r.Series) != windows {
		t.Fatalf("%s: %d series, want %d", r.Scenario, len(r.Series), windows)
	}
	var ops, bytes, errs, lat uint64
	for _, s := range r.Series {
		if len(s.Points) == 0 || s.Interval != 1 {
			t.Fatalf("%s: series of %d points of %vs", r.Scenario, len(s.Points), s.Interval)
		}
		for _, p := range s.Points {
			ops += p.Ops
			bytes += p.Bytes
			errs += p.Errors
			if p.Latency != nil {
				lat += p.Latency.Count
			}
		}
	}
	if ops != r.Ops || bytes != r.Bytes || errs != r.ErrorCount() || lat != r.Latency.Count() {
		t.Fatalf("%s: series sums ops %d bytes %d errors %d latencies %d; totals %d %d %d %d",
			r.Scenario, ops, bytes, errs, lat, r.Ops, r.Bytes, r.ErrorCount(), r.Latency.Count())
	}
}

func TestSeriesSumsToTotals(t *testing.T) {
	s := startFastftpd(t, fastftpdOpts{})
	cfg := s.config()
	cfg.Warmup, cfg.Duration, cfg.Clients, cfg.FileSize = 300*time.Millisecond, 2500*time.Millisecond, 2, 1<<20
	r := runOne(t, cfg, "retr")
	checkSeriesSums(t, r, 1)
	if n := len(r.Series[0].Points); n != 3 || r.Ops == 0 {
		t.Fatalf("2.5 s window: %d points, %d ops", n, r.Ops)
	}
	// A second may see no transfer finish on a loaded machine; one that does has its
	// percentiles.
	busy := 0
	for i, p := range r.Series[0].Points {
		if p.Ops > 0 {
			busy++
			if p.P50 <= 0 || p.P99 < p.P50 || p.Latency == nil || p.Latency.Count != p.Ops {
				t.Fatalf("second %d: %+v", i, p)
			}
		}
	}
	if busy == 0 {
		t.Fatalf("no second with a finished transfer: %+v", r.Series[0].Points)
	}
	// --count and --repeat: one series a run.
	cfg = s.config()
	cfg.Count, cfg.Clients, cfg.Repeat = 50, 2, 2
	r = runOne(t, cfg, "login")
	checkSeriesSums(t, r, 2)
	// Errors: a closed port refuses every login.
	cfg = Config{Host: "127.0.0.1", Port: freePort(t), User: "u", Pass: "p", Count: 10, Clients: 2,
		Timeout: 2 * time.Second}
	r = runOne(t, cfg, "login")
	checkSeriesSums(t, r, 1)
	if r.ErrorCount() != 10 {
		t.Fatalf("errors %v", r.Errors)
	}
}
