// Client scheduling delay: how long ftpbench's own goroutines, ready to run, waited for a
// processor during the measured window (runtime/metrics /sched/latencies:seconds). Every
// latency ftpbench measures includes that wait; on a machine the client shares with the
// server it can dominate a NOOP p99, so each result carries it to tell whether a slow
// percentile is the server's or the client's.

package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime/metrics"
	"time"
)

// schedMetric is the runtime's cumulative histogram of the time goroutines spent runnable
// before running. The runtime samples it (about one transition in eight per goroutine), so
// counts are a sample of the scheduling events, not all of them. It is process-wide:
// several Runs in one process (or an in-process test server) share it.
const schedMetric = "/sched/latencies:seconds"

// SchedHist is the runtime's scheduling-delay histogram over a measured window (the
// difference of two readings; after merging, several windows' or processes' together):
// sparse [upper bound in ns, count] pairs, bounds ascending, no zero count. It keeps the
// runtime's own buckets (at most 12.5% wide) so that histograms merge bucket by bucket;
// bounds from another Go version's grid interleave, and quantiles stay upper bounds.
// Plain data: safe to read from any goroutine.
type SchedHist struct {
	Unit    string      `json:"unit"` // always "ns"
	Buckets [][2]uint64 `json:"buckets"`
}

// readSched returns the runtime's cumulative histogram now, nil when this runtime does
// not have it. Safe from any goroutine (each call reads into its own sample).
func readSched() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// diffSched returns what b gained over a, two readings of one process's histogram, a
// first. nil when either is missing or their buckets differ (not one runtime's readings).
// A bucket's figure is its upper bound; the runtime's last bucket has none (+Inf), so
// it keeps its lower bound (2^47 ns, about 39 hours: no benchmark window gets there).
func diffSched(a, b *metrics.Float64Histogram) *SchedHist {
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) || len(b.Buckets) != len(b.Counts)+1 {
		return nil
	}
	h := &SchedHist{Unit: "ns", Buckets: [][2]uint64{}}
	for i, n := range b.Counts {
		if n <= a.Counts[i] {
			continue // counts only grow in one process; nothing new here
		}
		bound := b.Buckets[i+1]
		if math.IsInf(bound, 1) {
			bound = b.Buckets[i]
		}
		h.Buckets = append(h.Buckets, [2]uint64{uint64(math.Round(max(bound, 0) * 1e9)), n - a.Counts[i]})
	}
	return h
}

// mergeSched returns the bucket-by-bucket sum of a and b (either may be nil; nil when
// both are). Equal bounds add up; other bounds interleave in order. Neither is modified.
func mergeSched(a, b *SchedHist) *SchedHist {
	if a == nil && b == nil {
		return nil
	}
	var x, y [][2]uint64
	if a != nil {
		x = a.Buckets
	}
	if b != nil {
		y = b.Buckets
	}
	out := &SchedHist{Unit: "ns", Buckets: make([][2]uint64, 0, len(x)+len(y))}
	for len(x) > 0 || len(y) > 0 {
		switch {
		case len(y) == 0 || (len(x) > 0 && x[0][0] < y[0][0]):
			out.Buckets, x = append(out.Buckets, x[0]), x[1:]
		case len(x) == 0 || y[0][0] < x[0][0]:
			out.Buckets, y = append(out.Buckets, y[0]), y[1:]
		default:
			out.Buckets = append(out.Buckets, [2]uint64{x[0][0], x[0][1] + y[0][1]})
			x, y = x[1:], y[1:]
		}
	}
	return out
}

// Count returns the number of sampled scheduling events.
func (h *SchedHist) Count() uint64 {
	var n uint64
	for _, b := range h.Buckets {
		n += b[1]
	}
	return n
}

// Quantile returns the upper bound of the bucket holding the ceil(q*n)-th event (q in
// [0,1]), 0 when empty: the delay is at most that, and at most one bucket less.
func (h *SchedHist) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var cum uint64
	for _, b := range h.Buckets {
		cum += b[1]
		if cum >= rank {
			return time.Duration(b[0])
		}
	}
	return 0 // not reached: the counts add up to n
}

// Max returns the upper bound of the highest bucket with an event, 0 when empty.
func (h *SchedHist) Max() time.Duration { return h.Quantile(1) }

// UnmarshalJSON reads a histogram and refuses one that cannot be merged: another unit,
// bounds out of order.
func (h *SchedHist) UnmarshalJSON(b []byte) error {
	type plain SchedHist
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Unit != "ns" {
		return fmt.Errorf("bench: client_sched histogram with unit %q, want ns: %w", p.Unit, ErrBadConfig)
	}
	for i := 1; i < len(p.Buckets); i++ {
		if p.Buckets[i][0] <= p.Buckets[i-1][0] {
			return fmt.Errorf("bench: client_sched histogram bound %d after %d: want ascending: %w",
				p.Buckets[i][0], p.Buckets[i-1][0], ErrBadConfig)
		}
	}
	*h = SchedHist(p)
	return nil
}

// schedFigures are the figures derived from Result.ClientSched, with their quantiles.
var schedFigures = []struct {
	name string
	q    float64
}{{"client_sched_p50", .5}, {"client_sched_p99", .99}, {"client_sched_max", 1}}

// addSchedFigures adds client_sched_p50, _p99 and _max (ms, lower is better) from the
// histogram, or says why they are missing when the window sampled no scheduling event.
func (res *Result) addSchedFigures() {
	h := res.ClientSched
	if h == nil {
		return // not sampled (a runtime without the metric, a report from before it)
	}
	for _, f := range schedFigures {
		if h.Count() == 0 {
			res.notAvailable(f.name, "the runtime sampled no goroutine scheduling in the window")
			continue
		}
		res.add(f.name, float64(h.Quantile(f.q))/1e6, "ms", "lower")
	}
}

// schedText is the client_sched part of the cost line: "client_sched p99 1.20ms max
// 4.19ms", its n/a reason, or "" when not sampled.
func (res *Result) schedText() string {
	p99, mx := res.Figure("client_sched_p99"), res.Figure("client_sched_max")
	if p99 == nil || mx == nil {
		if why, ok := res.NotAvailable["client_sched_p99"]; ok {
			return "client_sched n/a (" + why + ")"
		}
		return ""
	}
	ms := func(v float64) string { return fmtDur(time.Duration(v * 1e6)) }
	return "client_sched p99 " + ms(p99.Value) + " max " + ms(mx.Value)
}
