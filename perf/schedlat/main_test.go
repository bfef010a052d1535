package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const page = `# TYPE fastftp_sched_latency_seconds histogram
fastftp_sched_latency_seconds_bucket{le="0.0001"} %d
fastftp_sched_latency_seconds_bucket{le="0.001"} %d
fastftp_sched_latency_seconds_bucket{le="0.01"} %d
fastftp_sched_latency_seconds_bucket{le="+Inf"} %d
fastftp_sched_latency_seconds_sum NaN
fastftp_sched_latency_seconds_count %d
`

func snapOf(t *testing.T, a, b, c, inf int) histogram {
	t.Helper()
	h, err := parse(strings.NewReader(fmt.Sprintf(page, a, b, c, inf, inf)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Only the window between two snapshots counts: 1,000 fast samples before it must not
// hide 10 slow ones inside it.
func TestDiffCoversTheWindowOnly(t *testing.T) {
	before := snapOf(t, 1000, 1000, 1000, 1000)
	after := snapOf(t, 1090, 1090, 1100, 1100) // window: 90 ≤ 0.1 ms, 10 in (1 ms, 10 ms]
	s, err := diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if s.Samples != 100 || s.P50 != 0.1 || s.P90 != 0.1 || s.P99 != 10 || s.Max != 10 {
		t.Fatalf("got %+v, want 100 samples, p50 0.1 ms, p90 0.1 ms, p99 10 ms, max 10 ms", s)
	}
}

func TestDiffRefusesSnapshotsOutOfOrder(t *testing.T) {
	if _, err := diff(snapOf(t, 5, 5, 5, 5), snapOf(t, 1, 1, 1, 1)); err == nil {
		t.Fatal("a later snapshot with fewer samples (a restarted server) was accepted")
	}
}

func TestParseWithoutHistogram(t *testing.T) {
	_, err := parse(strings.NewReader("# TYPE other counter\nother 1\n"))
	if !errors.Is(err, errNoHistogram) {
		t.Fatalf("err = %v, want errNoHistogram", err)
	}
}
