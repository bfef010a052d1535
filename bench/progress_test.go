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
