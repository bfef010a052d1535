//go:build !race

// Allocation gate: histogram and per-second series recording and the progress line
// allocate nothing (the client's parsers have theirs in ftpclient).
package bench

import (
	"testing"
	"time"
)

func TestZeroAllocs(t *testing.T) {
	var h Histogram
	line := make([]byte, 0, 160)
	t0 := time.Now()
	ls := newLiveSeries(t0, 10*time.Second) // histograms of the first seconds allocated ahead
	at := t0.Add(1500 * time.Millisecond)
	cases := map[string]func(){
		"Record": func() { h.Record(1234567 * time.Nanosecond) },
		"SeriesRecord": func() {
			ls.record(at, 1234567*time.Nanosecond)
			ls.addBytes(at, 4096)
			ls.addError(at)
		},
		"AppendProgress": func() {
			AppendProgress(line[:0], "login", "measure", time.Second, 1234, 5678.9, 12.5, 3)
		},
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(200, fn); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, n)
		}
	}
}
