// The driver shared by every scenario: closed-loop workers or an open-loop schedule, a
// warm-up then a measured window (or an exact operation count), error classes, server and
// client cost sampled at the window's edges, and the live progress line.

package bench

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// errStopped is returned by meters once the run has ended, to abandon in-flight transfers.
var errStopped = errors.New("bench: run stopped")

const (
	phaseWarmup = iota
	phaseMeasure
	phaseStopped
)

// runner holds one scenario run's counters. Workers update it concurrently.
type runner struct {
	cfg    *Config
	d      *ftpclient.Dialer
	name   string
	phase  atomic.Int32
	issued atomic.Int64
	ops    atomic.Uint64
	bytes  atomic.Uint64
	errs   [numClasses]atomic.Uint64
	hist   Histogram
	// series records the measured window second by second (nil until it opens); early
	// counts errors before that, which its first point takes.
	series atomic.Pointer[liveSeries]
	early  atomic.Uint64

	// expected is the bytes the run should move when known in advance (0: unknown);
	// missing counts workers that tried to log in and never managed to.
	expected uint64
	missing  atomic.Int64

	errMu      sync.Mutex
	errSamples map[string]string

	start, end time.Time
	cpu0, cpu1 time.Duration
	srv0, srv1 ProcSample
	srvOK      bool
	mach0      MachineSample
	mach1      MachineSample
	machOK     bool
	countMode  bool

	// sched0 and sched1 are the runtime's scheduling-delay histogram at the window's
	// edges (nil: not available).
	sched0, sched1 *metrics.Float64Histogram
}

func newRunner(cfg *Config, d *ftpclient.Dialer, name string) *runner {
	return &runner{cfg: cfg, d: d, name: name, errSamples: map[string]string{}}
}

// measuring reports whether work finishing now counts.
func (r *runner) measuring() bool { return r.phase.Load() == phaseMeasure }

// stopped reports whether the window has closed.
func (r *runner) stopped() bool { return r.phase.Load() == phaseStopped }

// done records one finished operation that started (or was scheduled) at start.
func (r *runner) done(start time.Time, err error) {
	if !r.measuring() || (err != nil && isStopped(err)) {
		return
	}
	if err != nil {
		r.fail(err)
		return
	}
	now := time.Now()
	d := now.Sub(start)
	r.hist.Record(d)
	r.ops.Add(1)
	if s := r.series.Load(); s != nil {
		s.record(now, d)
	}
}

// addBytes counts n bytes moved in the window.
func (r *runner) addBytes(n uint64) {
	r.bytes.Add(n)
	if s := r.series.Load(); s != nil {
		s.addBytes(time.Now(), n)
	}
}

// fail counts an error by class and keeps the first message of each class.
func (r *runner) fail(err error) {
	c := Classify(err)
	if s := r.series.Load(); s != nil {
		s.addError(time.Now())
	} else {
		r.early.Add(1)
	}
	if r.errs[c].Add(1) == 1 {
		r.errMu.Lock()
		r.errSamples[c.String()] = err.Error()
		r.errMu.Unlock()
	}
}

// beginWindow samples costs and opens the measured window.
func (r *runner) beginWindow() {
	if len(r.cfg.serverPIDs()) > 0 {
		s, err := r.cfg.sampleServer()
		r.srv0, r.srvOK = s, err == nil
	}
	var err error
	r.mach0, err = SampleMachine()
	r.machOK = err == nil
	r.cpu0 = SelfCPU()
	r.sched0 = readSched()
	r.start = time.Now()
	d := r.cfg.Duration
	if r.countMode {
		d = 0
	}
	s := newLiveSeries(r.start, d)
	s.collect()
	r.series.Store(s)
	r.phase.Store(phaseMeasure)
}

// endWindow closes the window and samples costs.
func (r *runner) endWindow() {
	r.phase.Store(phaseStopped)
	r.end = time.Now()
	if s := r.series.Load(); s != nil {
		s.halt()
	}
	r.cpu1 = SelfCPU()
	r.sched1 = readSched()
	if r.machOK {
		var err error
		r.mach1, err = SampleMachine()
		r.machOK = err == nil
	}
	if r.srvOK {
		s, err := r.cfg.sampleServer()
		r.srv1, r.srvOK = s, err == nil
	}
}

// worker is one client's state in a scenario. op performs one operation.
type worker interface {
	op(ctx context.Context) error
	close()
}

// preparer is a worker that needs a session before its timed operations; prepare runs
// outside the timed region and its failures count as errors.
type preparer interface {
	prepare(ctx context.Context) error
}

// errorBackoff keeps a closed loop against a dead server from spinning a core on refusals.
const errorBackoff = time.Millisecond

// drive runs n workers until the window ends (duration mode) or Count operations have
// been issued (count mode). In open-loop mode (Rate > 0) operation k of worker i is
// scheduled at t0 + (k*n+i)/Rate and its latency is measured from that scheduled time, so
// a stalled server is charged for every request it delayed (coordinated omission).
func (r *runner) drive(ctx context.Context, n int, newWorker func(i int) worker) {
	cfg := r.cfg
	t0 := time.Now()
	r.run(ctx, n, func(ctx context.Context, i int) {
		w := newWorker(i)
		defer w.close()
		// A worker that tried to log in and never did is a missing session, whatever
		// else it counted: its share of the work was never done.
		tried, loggedIn := false, false
		defer func() {
			if tried && !loggedIn {
				r.missing.Add(1)
			}
		}()
		for k := int64(0); ; k++ {
			if !r.admit(ctx) {
				return
			}
			if p, ok := w.(preparer); ok {
				tried = true
				err := p.prepare(ctx)
				loggedIn = loggedIn || err == nil
				if err != nil {
					if !isStopped(err) && (r.measuring() || r.countMode) {
						r.fail(err)
					}
					sleepCtx(ctx, errorBackoff)
					continue
				}
			}
			start := time.Now()
			if cfg.Rate > 0 {
				sched := t0.Add(time.Duration(float64(k*int64(n)+int64(i)) / cfg.Rate * float64(time.Second)))
				if d := sched.Sub(start); d > 0 {
					if !sleepCtx(ctx, d) {
						return
					}
				}
				start = sched
			}
			err := w.op(ctx)
			r.done(start, err)
			if err != nil && cfg.Rate == 0 {
				sleepCtx(ctx, errorBackoff)
			}
		}
	})
}

// admit reports whether one more operation may start: in count mode it claims one of the
// Count operations, otherwise it checks that the window is still open.
func (r *runner) admit(ctx context.Context) bool {
	if r.countMode {
		return r.issued.Add(1) <= r.cfg.Count
	}
	return !r.stopped() && ctx.Err() == nil
}

// run starts n goroutines running body and drives the window around them: warm-up and
// measured window in duration mode (ctx given to body is cancelled when it closes), or
// until every body returns in count mode. The progress line runs meanwhile.
func (r *runner) run(ctx context.Context, n int, body func(ctx context.Context, i int)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := r.cfg
	r.countMode = cfg.Count > 0
	if r.countMode {
		r.beginWindow()
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body(ctx, i)
		}(i)
	}
	stopProgress := r.progress()
	if !r.countMode {
		if sleepCtx(ctx, cfg.Warmup) {
			r.beginWindow()
			sleepCtx(ctx, cfg.Duration)
		}
		r.endWindow()
		cancel()
	}
	wg.Wait()
	if r.countMode {
		r.endWindow()
	}
	stopProgress()
}

// sleepCtx sleeps for d or until ctx ends; it reports whether the full sleep happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// progress starts the live line when cfg.Progress is set and returns its stop function.
func (r *runner) progress() func() {
	w := r.cfg.Progress
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		begin := time.Now()
		for {
			select {
			case <-stop:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case now := <-t.C:
				r.printProgress(w, begin, now)
			}
		}
	}()
	return func() { close(stop); <-done }
}

// printProgress writes the line at now for a progress that began at begin. The time shown
// is the warm-up's while warming up, then the measured window's alone: a window of 5 s
// reads 0-5 s, not 1-6 s after a 1 s warm-up. (r.start is written before the phase
// becomes measure, and read only after it has.)
func (r *runner) printProgress(w io.Writer, begin, now time.Time) {
	var errs uint64
	for i := range r.errs {
		errs += r.errs[i].Load()
	}
	phase := r.phase.Load()
	state, el := "warm-up", now.Sub(begin)
	switch phase {
	case phaseMeasure:
		state, el = "measure", now.Sub(r.start)
	case phaseStopped:
		state = "stopping"
		if !r.start.IsZero() {
			el = now.Sub(r.start)
		}
	}
	ops, b := r.ops.Load(), r.bytes.Load()
	rate, mbs := 0.0, 0.0
	if secs := el.Seconds(); phase == phaseMeasure && secs > 0 {
		rate, mbs = float64(ops)/secs, float64(b)/secs/(1<<20)
	}
	var buf [160]byte
	w.Write(AppendProgress(buf[:0], r.name, state, max(el, 0), ops, rate, mbs, errs))
}

// AppendProgress appends the live progress line: a carriage return and an erase-line
// sequence (it overwrites itself on a terminal), then the scenario, its state, elapsed
// seconds, operations and their rate in the window, MB/s and errors. Safe from any
// goroutine; allocates only when dst grows.
func AppendProgress(dst []byte, name, state string, elapsed time.Duration, ops uint64, rate, mbs float64, errs uint64) []byte {
	dst = append(dst, "\r\x1b[K"...)
	dst = appendPadded(dst, name, 8)
	dst = append(dst, ' ')
	dst = append(dst, state...)
	dst = append(dst, ' ')
	dst = appendPaddedFloat(dst, elapsed.Seconds(), 1, 6)
	dst = append(dst, "s  ops "...)
	dst = strconv.AppendUint(dst, ops, 10)
	dst = append(dst, " ("...)
	dst = strconv.AppendFloat(dst, rate, 'f', 0, 64)
	dst = append(dst, "/s)  "...)
	dst = strconv.AppendFloat(dst, mbs, 'f', 1, 64)
	dst = append(dst, " MB/s  errors "...)
	return strconv.AppendUint(dst, errs, 10)
}

// appendPadded appends s left-aligned in a field of width bytes.
func appendPadded(dst []byte, s string, width int) []byte {
	dst = append(dst, s...)
	for i := len(s); i < width; i++ {
		dst = append(dst, ' ')
	}
	return dst
}

// appendPaddedFloat appends v right-aligned in a field of width bytes.
func appendPaddedFloat(dst []byte, v float64, prec, width int) []byte {
	var tmp [32]byte
	num := strconv.AppendFloat(tmp[:0], v, 'f', prec, 64)
	for i := len(num); i < width; i++ {
		dst = append(dst, ' ')
	}
	return append(dst, num...)
}

// meter is the io.Writer RETR and LIST data flows into: it counts bytes inside the window,
// hashes them when verifying, and aborts the transfer once the run has stopped.
type meter struct {
	r *runner
	h hash.Hash // nil unless verifying
}

func (m *meter) Write(p []byte) (int, error) {
	switch m.r.phase.Load() {
	case phaseStopped:
		if !m.r.countMode {
			return 0, errStopped
		}
	case phaseMeasure:
		m.r.addBytes(uint64(len(p)))
	}
	if m.h != nil {
		m.h.Write(p)
	}
	return len(p), nil
}

// uploadSource yields one file's content for STOR, counting bytes inside the window. When
// not verifying it repeats a precomputed block, so generating data costs no CPU.
type uploadSource struct {
	r            *runner
	exact        ftpclient.ContentReader
	block        []byte // shared, read-only
	left         int64
	off          int
	exactContent bool
}

func (s *uploadSource) reset(size int64) {
	s.exact.Off, s.exact.Size = 0, size
	s.left, s.off = size, 0
}

func (s *uploadSource) Read(p []byte) (int, error) {
	if s.r.stopped() && !s.r.countMode {
		return 0, errStopped
	}
	var n int
	if s.exactContent || len(s.block) == 0 {
		var err error
		n, err = s.exact.Read(p)
		if err != nil {
			return 0, err
		}
	} else {
		if s.left <= 0 {
			return 0, io.EOF
		}
		if int64(len(p)) > s.left {
			p = p[:s.left]
		}
		n = copy(p, s.block[s.off:])
		s.off = (s.off + n) % len(s.block)
		s.left -= int64(n)
	}
	if s.r.measuring() {
		s.r.addBytes(uint64(n))
	}
	return n, nil
}

// counter is a padded atomic counter: tallies bumped by many workers don't share a line.
type counter struct {
	n atomic.Uint64
	_ [56]byte
}

// isStopped reports whether err is the runner's stop signal rather than a failure.
func isStopped(err error) bool { return errors.Is(err, errStopped) }
