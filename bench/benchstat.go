// --format benchstat: a report as Go benchmark lines, so that `benchstat old.txt new.txt`
// and the CI actions that track Go benchmarks read ftpbench runs as they are:
//
//	BenchmarkFTP/scenario=retr/n=10-2  812  1231231 ns/op  512.00 MB/s  812.30 transfers/s ...
//
// One line per --repeat run (benchstat's statistics need the runs, not their median),
// with "Unit U better=higher|lower" lines so it knows which way each figure improves.

package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// benchValue is one value/unit pair of a benchmark line.
type benchValue struct {
	v    float64
	unit string
}

// WriteBenchstat writes the report in the Go benchmark format. MB/s there is Go's
// (10^6 bytes per second, which benchstat assumes), not the table's MiB/s. Safe to call
// from any goroutine; does not modify the report.
func (rep *Report) WriteBenchstat(w io.Writer) error {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "goos: %s\ngoarch: %s\n", m.OS, m.Arch)
	if m.CPUModel != "" {
		fmt.Fprintf(&b, "cpu: %s\n", m.CPUModel)
	}
	fmt.Fprintf(&b, "pkg: ftpbench\ntarget: %s\n", rep.Target)
	better := map[string]string{}
	var lines []string
	for _, r := range rep.Results {
		runs := 1
		if f := r.Figure(r.Headline); f != nil && len(f.Samples) > 1 {
			runs = len(f.Samples)
		}
		procs := max(m.CPUs, 1)
		name := fmt.Sprintf("BenchmarkFTP/scenario=%s/n=%d-%d", benchName(r.Scenario), r.Clients, procs)
		iters := max(int64(math.Round(float64(r.Ops)/float64(runs))), 1)
		for i := 0; i < runs; i++ {
			vals := r.benchValues(i, better)
			if len(vals) == 0 {
				continue
			}
			var l strings.Builder
			fmt.Fprintf(&l, "%s\t%d", name, iters)
			for _, v := range vals {
				fmt.Fprintf(&l, "\t%s %s", benchNumber(v.v), v.unit)
			}
			lines = append(lines, l.String())
		}
	}
	units := make([]string, 0, len(better))
	for u := range better {
		units = append(units, u)
	}
	sort.Strings(units)
	for _, u := range units {
		fmt.Fprintf(&b, "Unit %s better=%s\n", u, better[u])
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// benchValues returns run i's values: time per operation, throughput, rate, latency
// percentiles and errors first, then every other compared figure. better collects the
// direction of each unit for the "Unit" lines.
func (r *Result) benchValues(i int, better map[string]string) []benchValue {
	at := func(name string) (float64, *Figure) {
		f := r.Figure(name)
		if f == nil {
			return 0, nil
		}
		if i < len(f.Samples) {
			return f.Samples[i], f
		}
		return f.Value, f
	}
	var out []benchValue
	add := func(v float64, unit, dir string) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		out = append(out, benchValue{v, unit})
		if dir != "" {
			better[unit] = dir
		}
	}
	if rate, f := at("rate"); f != nil && rate > 0 {
		add(1e9/rate, "ns/op", "")
	}
	if tp, f := at("throughput"); f != nil {
		add(tp*(1<<20)/1e6, "MB/s", "")
	}
	if rate, f := at("rate"); f != nil {
		add(rate, benchName(r.OpUnit)+"/s", "higher")
	}
	for _, q := range []string{"p50", "p90", "p99", "p99.9", "max"} {
		if v, f := at("latency_" + q); f != nil {
			add(v*1e6, q+"-ns", "lower") // figures are in ms
		}
	}
	if v, f := at("errors"); f != nil {
		add(v, "errors", "lower")
	}
	done := map[string]bool{"rate": true, "throughput": true, "errors": true, "error_ratio": true, "latency_mean": true,
		"latency_p50": true, "latency_p90": true, "latency_p99": true, "latency_p99.9": true, "latency_max": true}
	for _, f := range r.Figures {
		if done[f.Name] || (f.Better == "" && !strings.Contains(f.Name, "cpu_per")) {
			continue
		}
		v, _ := at(f.Name)
		add(v, benchName(strings.ReplaceAll(f.Name, "_", "-")+"-"+f.Unit), f.Better)
	}
	return out
}

// benchName keeps a name to the characters benchmark names and units may hold: no
// spaces, and "/" or "=" only where the format puts them.
func benchName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\t':
			return '_'
		}
		return r
	}, s)
}

// benchNumber prints a value with enough digits for benchstat, without exponents for
// everyday magnitudes.
func benchNumber(v float64) string {
	if v != 0 && (math.Abs(v) >= 1e15 || math.Abs(v) < 1e-4) {
		return fmt.Sprintf("%g", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}
