// Latency histogram: log-linear buckets (HdrHistogram's idea, written small), lock-free
// recording, mergeable across workers and processes, sparse JSON.

package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

const (
	histSubBits = 8                // 256 exact values, then 128 sub-buckets per octave: <0.8% error
	histLinear  = 1 << histSubBits // values below this have a bucket each
	histHalf    = histLinear / 2   // sub-buckets per octave above histLinear
	histMaxBits = 40               // 2^40 ns ≈ 18 min: longer values are clamped
	histBuckets = histLinear + (histMaxBits-histSubBits)*histHalf
	histMaxVal  = int64(1)<<histMaxBits - 1 // the clamp
)

// Histogram counts durations in nanoseconds. Record, Merge and the readers are safe from
// any goroutine; readers racing with Record see a consistent-enough snapshot for a
// progress line, and exact figures once recording has stopped. The zero value is ready.
type Histogram struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64
	min    atomic.Int64 // stored as value+1 so that 0 means "none"
	max    atomic.Int64
}

// histIndex maps a value to its bucket.
func histIndex(v int64) int {
	if v < histLinear {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	if v > histMaxVal {
		v = histMaxVal
	}
	e := bits.Len64(uint64(v)) - histSubBits // v>>e lies in [histHalf, histLinear)
	m := v >> e
	return histLinear + (e-1)*histHalf + int(m-histHalf)
}

// histLow returns the lowest value of a bucket and its width.
func histLow(i int) (low, width int64) {
	if i < histLinear {
		return int64(i), 1
	}
	e := (i-histLinear)/histHalf + 1
	m := int64((i-histLinear)%histHalf + histHalf)
	return m << e, int64(1) << e
}

// Record adds one duration. It does not allocate.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[histIndex(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(uint64(v))
	for {
		old := h.max.Load()
		if v <= old || h.max.CompareAndSwap(old, v) {
			break
		}
	}
	for {
		old := h.min.Load()
		if (old != 0 && v+1 >= old) || h.min.CompareAndSwap(old, v+1) {
			break
		}
	}
}

// Merge adds every count of o into h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.n.Add(o.n.Load())
	h.sum.Add(o.sum.Load())
	if m := o.max.Load(); m > h.max.Load() {
		h.max.Store(m)
	}
	if m := o.min.Load(); m != 0 && (h.min.Load() == 0 || m < h.min.Load()) {
		h.min.Store(m)
	}
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return h.n.Load() }

// Max returns the largest recorded value (exact, not bucketed).
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Min returns the smallest recorded value (exact), 0 when empty.
func (h *Histogram) Min() time.Duration {
	if m := h.min.Load(); m > 0 {
		return time.Duration(m - 1)
	}
	return 0
}

// Mean returns the arithmetic mean, 0 when empty.
func (h *Histogram) Mean() time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load() / n)
}

// Quantile returns the value at quantile q in [0,1]: the middle of the bucket holding the
// ceil(q*n)-th value, never above Max. Quantile(1) is Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	if q >= 1 {
		return h.Max()
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank == 0 {
		rank = 1
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			low, w := histLow(i)
			v := low + w/2
			if mx := h.max.Load(); v > mx {
				v = mx
			}
			if mn := h.Min(); time.Duration(v) < mn {
				return mn
			}
			return time.Duration(v)
		}
	}
	return h.Max()
}

// histJSON is the wire form: sparse [bucket, count] pairs.
type histJSON struct {
	Unit    string      `json:"unit"`
	SubBits int         `json:"sub_bits"`
	Count   uint64      `json:"count"`
	Sum     uint64      `json:"sum"`
	Min     int64       `json:"min"`
	Max     int64       `json:"max"`
	Buckets [][2]uint64 `json:"buckets"`
}

// MarshalJSON writes the histogram sparsely so that another process can merge it.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	return json.Marshal((*histJSON)(h.Snapshot()))
}

// UnmarshalJSON reads what MarshalJSON wrote into an empty histogram.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var j histJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	return h.load(&j)
}

// load adds the sparse form j into an empty histogram.
func (h *Histogram) load(j *histJSON) error {
	if j.SubBits != histSubBits || j.Unit != "ns" {
		return fmt.Errorf("bench: histogram with sub_bits=%d unit=%q: want %d, ns: %w",
			j.SubBits, j.Unit, histSubBits, ErrBadConfig)
	}
	for _, b := range j.Buckets {
		if b[0] >= histBuckets {
			return fmt.Errorf("bench: histogram bucket %d out of range: %w", b[0], ErrBadConfig)
		}
		h.counts[b[0]].Add(b[1])
	}
	h.n.Store(j.Count)
	h.sum.Store(j.Sum)
	h.max.Store(j.Max)
	if j.Count > 0 {
		h.min.Store(j.Min + 1)
	}
	return nil
}
