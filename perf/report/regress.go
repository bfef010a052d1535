// Regression mode: fold a short perf/regress.sh run into an ftpbench report whose figures
// are ratios to a reference measured in the same run (fastftpd / raw sendfile server, fast
// path / naive twin), so that `ftpbench compare` against the committed baseline judges
// the code, not the speed of whichever machine CI landed on.
package main

import (
	"time"

	"github.com/fastftp/fastftp/bench"
)

// microPairs are (measured, reference) benchmarks; the ratio of their ns/op is compared.
var microPairs = []struct{ name, impl, ref string }{
	{"parse_retr", "proto BenchmarkParse/verb=RETR", "proto BenchmarkParseNaive/verb=RETR"},
	{"parse_noop", "proto BenchmarkParse/verb=NOOP", "proto BenchmarkParseNaive/verb=NOOP"},
	{"append_reply", "proto BenchmarkAppendReply/impl=append", "proto BenchmarkAppendReply/impl=sprintf"},
	{"throttle_reserve", "throttle BenchmarkReserve/limited", "throttle BenchmarkReserve/limited-mutex"},
}

// regressReport builds the comparable report. Samples of the server ratios pair up by
// repetition (both servers ran in the same repetition, one after the other).
func (r *Results) regressReport() *bench.Report {
	rep := &bench.Report{Tool: "perf/regress", Version: bench.Version, Target: "fastftpd vs raw sendfile",
		Started: time.Now(), Machine: bench.ThisMachine(), ServerMem: -1}
	ratioFig := func(name, better, scen, res, fig string) bench.Figure {
		f := r.Get("fastftpd", scen, res, fig)
		ref := r.Get("raw", scen, res, fig)
		var s []float64
		if f != nil && ref != nil {
			for i := 0; i < min(len(f.Samples), len(ref.Samples)); i++ {
				if ref.Samples[i] != 0 {
					s = append(s, f.Samples[i]/ref.Samples[i])
				}
			}
		}
		return figure(name, "ratio", better, s)
	}
	abs := func(name, better, scen, res, fig string) bench.Figure {
		var s []float64
		unit := ""
		if c := r.Get("fastftpd", scen, res, fig); c != nil {
			s, unit = c.Samples, c.Unit
		}
		f := figure(name, unit, better, s)
		return f
	}
	rep.Results = append(rep.Results,
		&bench.Result{Scenario: "regress.login", Title: "login storm, fastftpd / raw", Figures: []bench.Figure{
			ratioFig("rate_vs_raw", "higher", "login", "login", "rate"),
			abs("rate", "", "login", "login", "rate"),
		}},
		&bench.Result{Scenario: "regress.retr", Title: "10 x RETR 10 MiB, fastftpd / raw", Figures: []bench.Figure{
			ratioFig("throughput_vs_raw", "higher", "retr-10x10M", "retr", "throughput"),
			ratioFig("server_cpu_per_gib_vs_raw", "lower", "retr-10x10M", "retr", "server_cpu_per_gib"),
			abs("throughput", "", "retr-10x10M", "retr", "throughput"),
		}},
		&bench.Result{Scenario: "regress.idle", Title: "2,000 idle sessions", Figures: []bench.Figure{
			abs("kib_per_idle_session", "lower", "idle-2000", "idle", "kib_per_idle_session"),
			abs("noop_p99", "", "idle-2000", "idle", "latency_p99"),
		}},
	)
	micro := &bench.Result{Scenario: "regress.micro", Title: "microbenchmarks / naive twins"}
	for _, p := range microPairs {
		impl, ref := r.MicroGet(p.impl, "ns/op"), r.MicroGet(p.ref, "ns/op")
		var s []float64
		if impl != nil && ref != nil {
			for i := 0; i < min(len(impl.Samples), len(ref.Samples)); i++ {
				s = append(s, impl.Samples[i]/ref.Samples[i])
			}
		}
		micro.Figures = append(micro.Figures, figure(p.name+"_vs_naive", "ratio", "lower", s))
		if a := r.MicroGet(p.impl, "allocs/op"); a != nil {
			micro.Figures = append(micro.Figures, figure(p.name+"_allocs", "allocs/op", "lower", a.Samples))
		}
	}
	rep.Results = append(rep.Results, micro)
	return rep
}

// figure makes a compare-ready figure: the median as Value, every sample kept.
func figure(name, unit, better string, samples []float64) bench.Figure {
	m, _, _ := summarize(samples)
	if len(samples) == 0 {
		m = 0
	}
	return bench.Figure{Name: name, Value: m, Unit: unit, Better: better, Samples: samples}
}
