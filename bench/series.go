// Per-second time series: for every measured window, the operations, bytes, errors and
// latency percentiles of each second, so that a run can be plotted over time.
//
// Recording is lock-free and allocation-free: each second has a slot of atomic counters
// and a live histogram, allocated ahead of time by a collector goroutine that also
// freezes the histograms of seconds long past into their sparse form (a live histogram
// is 35 KiB; a frozen one holds only its non-empty buckets). The series is bounded: at
// most maxSeriesPoints points (an hour at one point a second); a longer timed window
// widens the interval instead, and a --count run that outlasts the cap folds the rest
// into its last point and says so.

package bench

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxSeriesPoints bounds a window's series: an hour of seconds.
const maxSeriesPoints = 3600

// seriesLag is how many intervals after its end a second's live histogram is frozen: an
// operation that finished in it but was descheduled before recording has that long.
const seriesLag = 3

// seriesAhead is how many intervals ahead the collector allocates live histograms, so
// that recording never allocates unless the collector has fallen that far behind.
const seriesAhead = 3

// Series is one measured window's time series.
type Series struct {
	Start time.Time `json:"start"`
	// Interval is each point's length in seconds: 1, or more for a timed window over
	// an hour (the series never has more than 3600 points).
	Interval float64 `json:"interval_seconds"`
	// Note says when the series does not cover the window second by second (capped).
	Note   string        `json:"note,omitempty"`
	Points []SeriesPoint `json:"points"`
}

// SeriesPoint is what happened in one interval of a window. Operations and their latency
// count in the interval they finished in, bytes in the one they moved in. Errors outside
// the window (a session that failed to open before it) count in the first point, and
// work straggling after its end in the last, so that a series sums to its row's totals.
type SeriesPoint struct {
	T      float64 `json:"t"`    // the interval's start, seconds after the window opened
	Secs   float64 `json:"secs"` // its length (the last one may be shorter)
	Ops    uint64  `json:"ops"`
	Bytes  uint64  `json:"bytes"`
	Errors uint64  `json:"errors"`
	P50    float64 `json:"latency_p50_ms"`
	P90    float64 `json:"latency_p90_ms"`
	P99    float64 `json:"latency_p99_ms"`
	// Latency is the interval's histogram, so that points merge; WriteJSON leaves it
	// out of the file (the percentiles stay): only --procs children send it.
	Latency *HistSnapshot `json:"latency,omitempty"`
}

// MBps is the point's throughput in MiB/s.
func (p *SeriesPoint) MBps() float64 {
	if p.Secs <= 0 {
		return 0
	}
	return float64(p.Bytes) / p.Secs / (1 << 20)
}

// Rate is the point's operations per second.
func (p *SeriesPoint) Rate() float64 {
	if p.Secs <= 0 {
		return 0
	}
	return float64(p.Ops) / p.Secs
}

// HistSnapshot is a histogram frozen in its sparse wire form: the form a Histogram's JSON
// takes, small enough to keep one per second.
type HistSnapshot histJSON

// Snapshot freezes h.
func (h *Histogram) Snapshot() *HistSnapshot {
	j := HistSnapshot{Unit: "ns", SubBits: histSubBits, Count: h.n.Load(), Sum: h.sum.Load(),
		Min: int64(h.Min()), Max: h.max.Load(), Buckets: [][2]uint64{}}
	for i := range h.counts {
		if c := h.counts[i].Load(); c != 0 {
			j.Buckets = append(j.Buckets, [2]uint64{uint64(i), c})
		}
	}
	return &j
}

// Histogram thaws s into a live histogram.
func (s *HistSnapshot) Histogram() (*Histogram, error) {
	var h Histogram
	if err := h.load((*histJSON)(s)); err != nil {
		return nil, err
	}
	return &h, nil
}

// seriesSlot is one interval's live counters.
type seriesSlot struct {
	ops, bytes, errs atomic.Uint64
	hist             atomic.Pointer[Histogram]
}

// liveSeries records a window's series while it runs.
type liveSeries struct {
	start    time.Time
	interval time.Duration
	slots    []seriesSlot
	capped   atomic.Bool // something fell past the last slot

	mu     sync.Mutex // frozen, collector
	frozen []*HistSnapshot
	next   int // slots [0,next) have had their histogram frozen once

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// newLiveSeries makes a series for a window opening at start. A timed window (d > 0)
// gets one interval a second, or wider so that it fits in maxSeriesPoints; a --count
// window (d == 0) gets a second an interval and the full cap.
func newLiveSeries(start time.Time, d time.Duration) *liveSeries {
	interval, n := time.Second, maxSeriesPoints
	if d > 0 {
		secs := int64(math.Ceil(d.Seconds() / maxSeriesPoints))
		interval = time.Duration(max(secs, 1)) * time.Second
		n = int((d + interval - 1) / interval)
		n = max(min(n, maxSeriesPoints), 1)
	}
	s := &liveSeries{start: start, interval: interval, slots: make([]seriesSlot, n),
		frozen: make([]*HistSnapshot, n)}
	for i := 0; i < min(n, seriesAhead+1); i++ {
		s.slots[i].hist.Store(new(Histogram))
	}
	return s
}

// index maps a time to its slot: before the window, the first; past the last slot,
// the last (and, past a timed window's end by a full interval or a --count run's cap,
// the series is marked capped).
func (s *liveSeries) index(now time.Time) int {
	i := int(now.Sub(s.start) / s.interval)
	if i < 0 {
		return 0
	}
	if i >= len(s.slots) {
		if i >= len(s.slots)+1 && !s.capped.Load() {
			s.capped.Store(true)
		}
		return len(s.slots) - 1
	}
	return i
}

// record counts one operation that finished at now after d. It allocates only when the
// collector has fallen seriesAhead intervals behind.
func (s *liveSeries) record(now time.Time, d time.Duration) {
	sl := &s.slots[s.index(now)]
	h := sl.hist.Load()
	if h == nil {
		h = new(Histogram)
		if !sl.hist.CompareAndSwap(nil, h) {
			h = sl.hist.Load()
		}
	}
	h.Record(d)
	sl.ops.Add(1)
}

func (s *liveSeries) addBytes(now time.Time, n uint64) { s.slots[s.index(now)].bytes.Add(n) }

func (s *liveSeries) addError(now time.Time) { s.slots[s.index(now)].errs.Add(1) }

// collect runs until stopped: every interval it allocates the histograms of the coming
// intervals and freezes those of intervals seriesLag behind.
func (s *liveSeries) collect() {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case now := <-t.C:
				cur := int(now.Sub(s.start) / s.interval)
				for i := cur + 1; i <= cur+seriesAhead && i < len(s.slots); i++ {
					if s.slots[i].hist.Load() == nil {
						s.slots[i].hist.CompareAndSwap(nil, new(Histogram))
					}
				}
				s.mu.Lock()
				for ; s.next < len(s.slots) && s.next <= cur-seriesLag; s.next++ {
					s.freeze(s.next)
				}
				s.mu.Unlock()
			}
		}
	}()
}

// freeze moves slot i's live histogram, if any, into its frozen snapshot. s.mu held.
func (s *liveSeries) freeze(i int) {
	h := s.slots[i].hist.Swap(nil)
	if h == nil || h.Count() == 0 {
		return
	}
	if f := s.frozen[i]; f != nil {
		if old, err := f.Histogram(); err == nil {
			h.Merge(old)
		}
	}
	s.frozen[i] = h.Snapshot()
}

// halt stops the collector; safe to call more than once, or when it never started.
func (s *liveSeries) halt() {
	s.stopOnce.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.done
		}
	})
}

// finish builds the series of a window that lasted elapsed; every recorder must be done.
// Points past the window's last interval (work straggling after its end) fold into it.
func (s *liveSeries) finish(elapsed time.Duration) *Series {
	s.halt()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.slots {
		s.freeze(i)
	}
	keep := int((elapsed + s.interval - 1) / s.interval)
	keep = max(min(keep, len(s.slots)), 1)
	out := &Series{Start: s.start, Interval: s.interval.Seconds(), Points: make([]SeriesPoint, keep)}
	if s.capped.Load() {
		out.Note = fmt.Sprintf("capped at %d points of %s: the rest of the window is counted in the last point",
			len(s.slots), s.interval)
	}
	hists := make([]*Histogram, keep)
	for i := range s.slots {
		j := min(i, keep-1)
		p := &out.Points[j]
		p.Ops += s.slots[i].ops.Load()
		p.Bytes += s.slots[i].bytes.Load()
		p.Errors += s.slots[i].errs.Load()
		if f := s.frozen[i]; f != nil {
			h, err := f.Histogram()
			if err != nil {
				continue
			}
			if hists[j] == nil {
				hists[j] = h
			} else {
				hists[j].Merge(h)
			}
		}
	}
	for j := range out.Points {
		p := &out.Points[j]
		p.T = float64(j) * s.interval.Seconds()
		p.Secs = s.interval.Seconds()
		if j == keep-1 {
			p.Secs = max(elapsed.Seconds()-p.T, 0)
		}
		if hists[j] != nil {
			p.setLatency(hists[j])
		}
	}
	return out
}

// setLatency sets the point's percentiles and snapshot from h.
func (p *SeriesPoint) setLatency(h *Histogram) {
	if h.Count() == 0 {
		p.P50, p.P90, p.P99, p.Latency = 0, 0, 0, nil
		return
	}
	p.P50 = float64(h.Quantile(.5)) / 1e6
	p.P90 = float64(h.Quantile(.9)) / 1e6
	p.P99 = float64(h.Quantile(.99)) / 1e6
	p.Latency = h.Snapshot()
}

// mergeSeries adds the series of concurrent processes window by window and point by
// point (their windows open within a few milliseconds of each other, after the same
// warm-up): counts add up, histograms merge and the percentiles are recomputed.
func mergeSeries(a, b []*Series) []*Series {
	for k, sb := range b {
		lost := false
		if k >= len(a) {
			a = append(a, sb)
			continue
		}
		sa := a[k]
		for j, pb := range sb.Points {
			if j >= len(sa.Points) {
				sa.Points = append(sa.Points, pb)
				continue
			}
			pa := &sa.Points[j]
			if !mergePercentiles(pa, &pb) {
				lost = true
			}
			pa.Ops += pb.Ops
			pa.Bytes += pb.Bytes
			pa.Errors += pb.Errors
			pa.Secs = max(pa.Secs, pb.Secs)
		}
		if sa.Note == "" {
			sa.Note = sb.Note
		}
		if lost && !strings.Contains(sa.Note, noteLostPercentiles) {
			sa.Note = strings.TrimPrefix(sa.Note+"; "+noteLostPercentiles, "; ")
		}
	}
	return a
}

// noteLostPercentiles is the series note of merged --json files: they keep each second's
// percentiles but not its histogram, so a second in which two agents both finished
// operations cannot have exact ones.
const noteLostPercentiles = "per-second percentiles are 0 where several reports finished operations in the same second (report files keep no per-second histograms); the row's percentiles are exact"

// mergePercentiles sets pa's percentiles to those of pa and pb together, before their
// counts are added. A side without operations adds nothing; two sides with operations
// need both histograms, else pa's percentiles become 0 and it returns false.
func mergePercentiles(pa, pb *SeriesPoint) bool {
	switch {
	case pb.Ops == 0 && pb.Latency == nil:
		return true
	case pa.Ops == 0 && pa.Latency == nil:
		pa.P50, pa.P90, pa.P99, pa.Latency = pb.P50, pb.P90, pb.P99, pb.Latency
		return true
	case pa.Latency == nil || pb.Latency == nil:
		pa.P50, pa.P90, pa.P99, pa.Latency = 0, 0, 0, nil
		return false
	}
	var h Histogram
	for _, snap := range []*HistSnapshot{pa.Latency, pb.Latency} {
		if x, err := snap.Histogram(); err == nil {
			h.Merge(x)
		}
	}
	pa.setLatency(&h)
	return true
}
