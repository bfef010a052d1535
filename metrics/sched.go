package metrics

import (
	"math"
	"runtime/metrics"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// NameSchedLatency is the Go scheduler's delay: how long goroutines that were ready to
// run (the gnet event loops and data loops among them) waited for a processor. Issue 10's
// benchmarks report its p99 per scenario (perf/schedlat); the Go collector's own
// go_sched_latencies_seconds has one bucket per decade, too coarse to tell 1 ms from 10.
const NameSchedLatency = "fastftp_sched_latency_seconds"

// schedBounds are 1-2-5 steps from 1 µs to 10 s, written out so each bound is the
// closest float64 to its decimal (computed products print as 4.9999999999999996e-06).
var schedBounds = []float64{
	1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4,
	1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1, 2, 5, 10,
}

// schedCollector re-buckets the runtime's /sched/latencies:seconds histogram (about 12%
// wide buckets) into schedBounds at scrape time: nothing runs between scrapes. A runtime
// bucket counts in the first bound at or above its upper edge, so a figure may be
// overstated by up to one runtime bucket, never understated.
type schedCollector struct {
	desc *prometheus.Desc
	mu   sync.Mutex // runtime/metrics.Read into a shared sample is not safe concurrently
	s    []metrics.Sample
}

func newSchedCollector() *schedCollector {
	return &schedCollector{
		desc: prometheus.NewDesc(NameSchedLatency,
			"Time goroutines ready to run waited for a processor (Go runtime /sched/latencies:seconds, re-bucketed).", nil, nil),
		s: []metrics.Sample{{Name: "/sched/latencies:seconds"}},
	}
}

func (c *schedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *schedCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	metrics.Read(c.s)
	v := c.s[0].Value
	c.mu.Unlock()
	if v.Kind() != metrics.KindFloat64Histogram {
		return // a runtime without the metric: export nothing rather than zeros
	}
	h := v.Float64Histogram()
	counts := make(map[float64]uint64, len(schedBounds))
	var total uint64
	j := 0
	for i, n := range h.Counts {
		total += n
		if n == 0 {
			continue
		}
		hi := h.Buckets[i+1]
		for j < len(schedBounds) && schedBounds[j] < hi {
			j++
		}
		if j == len(schedBounds) || math.IsInf(hi, 1) {
			continue // above the last bound: only in the +Inf bucket (the total)
		}
		counts[schedBounds[j]] += n
	}
	var cum uint64
	for _, b := range schedBounds {
		cum += counts[b]
		counts[b] = cum
	}
	ch <- prometheus.MustNewConstHistogram(c.desc, total, math.NaN(), counts)
}
