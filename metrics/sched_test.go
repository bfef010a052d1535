package metrics

import (
	"runtime"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// The scheduler histogram is exported, cumulative, with the 1-2-5 bounds, and it grows
// when goroutines are made to wait for a processor.
func TestSchedLatencyExported(t *testing.T) {
	m := New()
	read := func() *dto.Histogram {
		fams, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() == NameSchedLatency {
				return f.Metric[0].GetHistogram()
			}
		}
		t.Fatalf("%s not exported", NameSchedLatency)
		return nil
	}
	before := read()
	// More runnable goroutines than processors, each yielding: every one of them waits.
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	after := read()
	if after.GetSampleCount() <= before.GetSampleCount() {
		t.Fatalf("sample count did not grow: %d then %d", before.GetSampleCount(), after.GetSampleCount())
	}
	bs := after.GetBucket()
	if len(bs) != len(schedBounds) {
		t.Fatalf("%d buckets, want %d", len(bs), len(schedBounds))
	}
	for i, b := range bs {
		if b.GetUpperBound() != schedBounds[i] {
			t.Fatalf("bucket %d bound %g, want %g", i, b.GetUpperBound(), schedBounds[i])
		}
		if i > 0 && b.GetCumulativeCount() < bs[i-1].GetCumulativeCount() {
			t.Fatalf("bucket %d not cumulative: %d < %d", i, b.GetCumulativeCount(), bs[i-1].GetCumulativeCount())
		}
		if b.GetCumulativeCount() > after.GetSampleCount() {
			t.Fatalf("bucket %d holds %d of %d samples", i, b.GetCumulativeCount(), after.GetSampleCount())
		}
	}
}
