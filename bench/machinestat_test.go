// Machine-wide CPU: /proc/stat parsing, and a real transfer whose machine-wide cost holds
// the server's own.
package bench

import (
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	in := "cpu  1000 20 300 99999 777 4 55 6 400 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n"
	s, err := parseProcStat([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	// idle, iowait and guest (already inside user) are left out.
	if want := (1000 + 20 + 300 + 4 + 55 + 6) * clockTick; s.Busy != want || s.Softirq != 55*clockTick {
		t.Fatalf("busy %v softirq %v, want %v and %v", s.Busy, s.Softirq, want, 55*clockTick)
	}
	// Old kernels print fewer fields: what is there still counts.
	if s, err := parseProcStat([]byte("cpu 1 2 3 4 5 6 7\n")); err != nil || s.Busy != (1+2+3+6+7)*clockTick {
		t.Fatalf("7 fields: %v %v", s, err)
	}
	for _, bad := range []string{"", "intr 1 2 3\n", "cpu 1 x 3 4 5 6 7 8\n"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q) accepted", bad)
		}
	}
}

// TestMachineCPUBesideServer: against fastftpd, the machine's busy CPU over a RETR window
// is reported beside the server tree's and holds it (the machine runs the server), its
// softirq part is no larger than the whole, and the table labels both.
func TestMachineCPUBesideServer(t *testing.T) {
	s := startFastftpd(t, fastftpdOpts{})
	cfg := s.config()
	cfg.FileSize, cfg.Clients = 1<<20, 2 // a 0.7 s window: enough ticks on any machine that moves bytes
	rep, err := Run(testCtx(t), cfg, "retr")
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	// Both come from 10 ms ticks, read at slightly different instants: allow two ticks.
	slack := (2 * clockTick).Seconds()
	if r.MachineCPU <= 0 || r.MachineCPU+slack < r.ServerCPU || r.MachineSoftirq < 0 || r.MachineSoftirq > r.MachineCPU {
		t.Fatalf("machine %.3fs softirq %.3fs server %.3fs", r.MachineCPU, r.MachineSoftirq, r.ServerCPU)
	}
	for _, name := range []string{"machine_cpu", "machine_cpu_per_op", "machine_cpu_per_gib", "machine_softirq_per_gib", "server_cpu_per_gib"} {
		if r.Figure(name) == nil {
			t.Fatalf("no %s figure: %+v", name, r.Figures)
		}
	}
	if f := r.Figure("machine_cpu_per_gib"); f.Better != "" || f.Unit != "cpu-s/GiB" {
		t.Fatalf("machine_cpu_per_gib %+v: want informational, cpu-s/GiB", f)
	}
	var b strings.Builder
	rep.PrintTable(&b, true)
	if !strings.Contains(b.String(), "server_cpu_per_gib ") || !strings.Contains(b.String(), "machine_cpu_per_gib ") ||
		!strings.Contains(b.String(), "machine_softirq_per_gib ") {
		t.Fatalf("table:\n%s", b.String())
	}
}
