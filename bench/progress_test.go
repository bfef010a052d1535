// The live progress line: its format (against an fmt twin) and that a run writes it, then
// erases it, to the writer in Config.Progress.
package bench

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAppendProgress(t *testing.T) {
	cases := []struct {
		name, state string
		el          time.Duration
		ops         uint64
		rate, mbs   float64
		errs        uint64
	}{
		{"login", "measure", 1500 * time.Millisecond, 12345, 8230.4, 0, 0},
		{"classic.stor_idle", "warm-up", 0, 0, 0, 0, 7},
		{"retr", "stopping", 123456 * time.Millisecond, 1 << 40, 1e6, 2345.67, 1 << 33},
	}
	for _, c := range cases {
		want := fmt.Sprintf("\r\x1b[K%-8s %s %6.1fs  ops %d (%.0f/s)  %.1f MB/s  errors %d",
			c.name, c.state, c.el.Seconds(), c.ops, c.rate, c.mbs, c.errs)
		if got := string(AppendProgress(nil, c.name, c.state, c.el, c.ops, c.rate, c.mbs, c.errs)); got != want {
			t.Errorf("AppendProgress:\n got %q\nwant %q", got, want)
		}
	}
}

func TestProgressWritten(t *testing.T) {
	cfg := startScripted(t, &scriptedFTP{greeting: "220 hi\r\n", pass: "230 in\r\n"})
	var out bytes.Buffer // written by the progress goroutine, read after Run has stopped it
	cfg.Progress, cfg.Count, cfg.Warmup, cfg.Duration = &out, 0, 100*time.Millisecond, 700*time.Millisecond
	r := runOne(t, cfg, "login")
	s := out.String()
	if !strings.HasPrefix(s, "\r\x1b[Klogin    measure ") || !strings.HasSuffix(s, "\r\x1b[K") || r.Ops == 0 {
		t.Fatalf("progress output %q (ops %d)", s, r.Ops)
	}
	// Quiet when no writer is given: nothing to check but that it runs.
	cfg.Progress = nil
	if r := runOne(t, cfg, "login"); r.Ops == 0 {
		t.Fatal("no logins without a progress writer")
	}
}

// TestProgressTimerSkipsWarmup: the time shown counts the warm-up while warming up, then
// restarts with the measured window, and the rate is over the window alone.
func TestProgressTimerSkipsWarmup(t *testing.T) {
	r := newRunner(&Config{}, nil, "retr")
	begin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	r.printProgress(&b, begin, begin.Add(800*time.Millisecond))
	if !strings.Contains(b.String(), "retr     warm-up    0.8s") {
		t.Fatalf("warm-up line %q", b.String())
	}
	r.start = begin.Add(time.Second) // a 1 s warm-up, then the window
	r.phase.Store(phaseMeasure)
	r.ops.Store(300)
	b.Reset()
	r.printProgress(&b, begin, begin.Add(2500*time.Millisecond))
	if !strings.Contains(b.String(), "retr     measure    1.5s  ops 300 (200/s)") {
		t.Fatalf("measure line %q: want 1.5 s of window and 200/s", b.String())
	}
	r.phase.Store(phaseStopped)
	b.Reset()
	r.printProgress(&b, begin, begin.Add(6100*time.Millisecond))
	if !strings.Contains(b.String(), "retr     stopping    5.1s") {
		t.Fatalf("stopping line %q", b.String())
	}
}

// TestDurationsInUS: latencies print microseconds as "us", the unit every per-op CPU
// figure uses, never "µs" beside it.
func TestDurationsInUS(t *testing.T) {
	for d, want := range map[time.Duration]string{899 * time.Microsecond: "899us", 2500 * time.Microsecond: "2.50ms", 3 * time.Second: "3.00s"} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}
