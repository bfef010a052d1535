// Histogram accuracy against exact percentiles, merging and the JSON round trip.
package bench

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var vals []int64
	for i := 0; i < 100000; i++ {
		v := int64(math.Exp(rng.Float64()*20)) + 1 // 1 ns .. ~0.5 s, log-uniform
		vals = append(vals, v)
		h.Record(time.Duration(v))
	}
	slices.Sort(vals)
	for _, q := range []float64{.5, .9, .99, .999} {
		exact := float64(vals[int(math.Ceil(q*float64(len(vals))))-1])
		got := float64(h.Quantile(q))
		if math.Abs(got-exact)/exact > 0.01 && math.Abs(got-exact) > 1 {
			t.Errorf("q%.3f = %v, exact %v (>1%% off)", q, got, exact)
		}
	}
	if h.Max() != time.Duration(vals[len(vals)-1]) || h.Min() != time.Duration(vals[0]) || h.Quantile(1) != h.Max() {
		t.Errorf("max %v min %v, want %d %d", h.Max(), h.Min(), vals[len(vals)-1], vals[0])
	}
	if h.Count() != 100000 {
		t.Errorf("count %d", h.Count())
	}
}

func TestHistogramIndexMonotonic(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<22; v += 1 + v/97 {
		i := histIndex(v)
		if i < prev {
			t.Fatalf("index(%d)=%d < %d", v, i, prev)
		}
		low, w := histLow(i)
		if v < low || v >= low+w {
			t.Fatalf("value %d not in bucket %d [%d,%d)", v, i, low, low+w)
		}
		prev = i
	}
	if histIndex(1<<62) != histBuckets-1 {
		t.Fatalf("clamp: %d", histIndex(1<<62))
	}
}

func TestHistogramMergeJSON(t *testing.T) {
	var a, b, all Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	js, err := json.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	var b2 Histogram
	if err := json.Unmarshal(js, &b2); err != nil {
		t.Fatal(err)
	}
	a.Merge(&b2)
	for _, q := range []float64{0, .5, .9, .99, 1} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v merged %v, direct %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if a.Count() != 1000 || a.Mean() != all.Mean() || a.Min() != time.Microsecond {
		t.Errorf("merged count %d mean %v min %v", a.Count(), a.Mean(), a.Min())
	}
	if err := json.Unmarshal([]byte(`{"unit":"ns","sub_bits":7,"buckets":[]}`), new(Histogram)); err == nil {
		t.Error("foreign sub_bits accepted")
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d += 977
		h.Record(d & (1<<30 - 1))
	}
}
