// CPU in short phases: nanoseconds from schedstat where ticks would read 0, the fallback
// to ticks and its "n/a (reason)", and idle memory too small to resolve.
package bench

import (
	"strings"
	"testing"
	"time"
)

func TestCPUDeltaSource(t *testing.T) {
	tick := clockTick
	for _, c := range []struct {
		name       string
		s0, s1     ProcSample
		secs       float64
		source, na string
	}{
		{"schedstat resolves what ticks cannot",
			ProcSample{CPU: 0, Nanos: 1e9, NanosOK: true, Procs: 1}, ProcSample{CPU: 0, Nanos: 1e9 + 3e6, NanosOK: true, Procs: 1},
			0.003, "schedstat", ""},
		{"ticks round down: schedstat still wins",
			ProcSample{CPU: 10 * tick, Nanos: 100e6, NanosOK: true, Procs: 1}, ProcSample{CPU: 12 * tick, Nanos: 129e6, NanosOK: true, Procs: 1},
			0.029, "schedstat", ""},
		{"a child exited: its nanoseconds left with it, ticks kept them",
			ProcSample{CPU: 0, Nanos: 500e6, NanosOK: true, Procs: 2}, ProcSample{CPU: 80 * tick, Nanos: 300e6, NanosOK: true, Procs: 1},
			0.8, "ticks (tasks exited during the window)", ""},
		{"no schedstat, enough ticks",
			ProcSample{CPU: 0, Procs: 1}, ProcSample{CPU: 25 * tick, Procs: 1}, 0.25, "ticks (no schedstat)", ""},
		{"no schedstat, too few ticks",
			ProcSample{CPU: 0, Procs: 1}, ProcSample{CPU: 3 * tick, Procs: 1}, 0.03, "ticks (no schedstat)", "3 ticks of 10ms, too few to resolve"},
	} {
		secs, source, na := cpuDelta(c.s0, c.s1)
		if d := secs - c.secs; d > 1e-9 || d < -1e-9 || source != c.source || na != c.na {
			t.Errorf("%s: %v %q %q, want %v %q %q", c.name, secs, source, na, c.secs, c.source, c.na)
		}
	}
}

// TestShortPhaseCPU runs 40 logins against fastftpd, a few milliseconds of server CPU: with
// schedstat the server's cost per login is a real number, not the 0 (or one 10 ms tick)
// its tick counters give; the machine's 10 ms ticks cannot resolve it and say so.
func TestShortPhaseCPU(t *testing.T) {
	s := startFastftpd(t, fastftpdOpts{})
	probe, err := SampleProcTree(s.pid)
	if err != nil {
		t.Fatal(err)
	}
	if !probe.NanosOK {
		t.Skip("no /proc/PID/task/TID/schedstat on this kernel")
	}
	cfg := s.config()
	cfg.Count, cfg.Clients = 40, 2
	rep, err := Run(testCtx(t), cfg, "login")
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	f := r.Figure("server_cpu_per_op")
	if r.ServerCPUSource != "schedstat" || f == nil || f.Value <= 0 || f.Value > 100e3 {
		t.Fatalf("server cpu %.6fs from %q, per op %+v", r.ServerCPU, r.ServerCPUSource, f)
	}
	if r.Seconds < float64(minTicks)*clockTick.Seconds()/2 {
		// Under 50 ms of wall time no machine reaches minTicks per CPU, even with each
		// CPU's counter rounded up a tick at both edges.
		if r.Figure("machine_cpu_per_op") != nil || !strings.Contains(r.NotAvailable["machine_cpu_per_op"], "too few to resolve") {
			t.Fatalf("machine cpu per op in a %.3fs window: %+v %v", r.Seconds, r.Figure("machine_cpu_per_op"), r.NotAvailable)
		}
		var b strings.Builder
		rep.PrintTable(&b, true)
		if !strings.Contains(b.String(), "machine_cpu_per_op n/a (") {
			t.Fatalf("table:\n%s", b.String())
		}
	}
}

// TestIdleMemoryResolution: growth under 16 pages gives no kib_per_idle_session but the
// reason, shown as n/a in the table's headline; growth above it gives the figure.
func TestIdleMemoryResolution(t *testing.T) {
	res := &Result{Title: "idle: 10 sessions (server KiB per session)", Headline: "kib_per_idle_session", ServerMem: 2 << 20}
	res.addKiBPerSession(44<<10, 10)
	var b strings.Builder
	res.printLine(&b)
	if res.Figure("kib_per_idle_session") != nil ||
		!strings.Contains(b.String(), " n/a (server memory grew 44 KiB for 10 sessions, under the 64 KiB (16 pages) RSS resolves; hold more sessions (-n))") {
		t.Fatalf("44 KiB for 10 sessions: %+v\n%s", res.Figures, b.String())
	}
	res = &Result{}
	res.addKiBPerSession(140<<10, 100)
	if f := res.Figure("kib_per_idle_session"); f == nil || f.Value != 1.4 || len(res.NotAvailable) != 0 {
		t.Fatalf("140 KiB for 100 sessions: %+v %v", f, res.NotAvailable)
	}
	res.addKiBPerSession(-8<<10, 100) // a collection shrank the server meanwhile
	if res.NotAvailable["kib_per_idle_session"] == "" {
		t.Fatal("negative growth reported as a figure")
	}
}

// TestIdleMemoryNeverZero: a handful of idle sessions against fastftpd. Whatever the
// server's allocator does, the table never claims 0.00 KiB per session: either the figure
// rests on at least 16 pages of growth, or it is n/a with the reason.
func TestIdleMemoryNeverZero(t *testing.T) {
	s := startFastftpd(t, fastftpdOpts{})
	cfg := s.config()
	cfg.Clients, cfg.Duration, cfg.Warmup = 3, 300*time.Millisecond, 50*time.Millisecond
	rep, err := Run(testCtx(t), cfg, "idle")
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	var b strings.Builder
	rep.PrintTable(&b, false)
	if f := r.Figure("kib_per_idle_session"); f != nil {
		if f.Value*3 < 64 {
			t.Fatalf("kib/session %.2f for 3 sessions rests on less than 64 KiB", f.Value)
		}
	} else if !strings.Contains(r.NotAvailable["kib_per_idle_session"], "for 3 sessions") || !strings.Contains(b.String(), " n/a (server memory grew ") {
		t.Fatalf("no figure and no reason: %v\n%s", r.NotAvailable, b.String())
	}
	if strings.Contains(b.String(), " 0.00 KiB") {
		t.Fatalf("table:\n%s", b.String())
	}
}
