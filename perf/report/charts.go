// BENCHMARKS.md's key comparisons as SVG bar charts: fastftpd against each peer (and the
// raw sendfile ceiling where measured), per scenario, from the same medians as the tables.
// Each chart is written to the charts directory and referenced with ![...](...) at the end
// of its table's section, so a regenerated table always comes with its chart.
package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/fastftp/fastftp/bench/svgchart"
)

// chart is one SVG: the file name in the charts directory, the BENCHMARKS.md section
// (marker name) it follows, and the chart.
type chart struct {
	File    string
	Section string
	Bars    svgchart.Bars
}

// chartServers are the bars of every chart, in order; each keeps its style (colour) in
// every chart.
var chartServers = append(append([]string{"fastftpd"}, peers...), "raw")

// plainLabel is label without the Markdown emphasis.
func plainLabel(s string) string { return strings.Trim(label[s], "*") }

// barsOf builds a chart of figure fig, one category per (scenario, result) pair, one
// series per server that has at least one value. name labels each category.
func (r *Results) barsOf(id, title, yl string, cats [][2]string, names []string, fig string) svgchart.Bars {
	b := svgchart.Bars{ID: id, Title: title, YLabel: yl, XLabel: "scenario", Width: 760, Height: 340,
		Categories: names}
	lo, hi := math.Inf(1), 0.0
	for i, s := range chartServers {
		vals := make([]float64, len(cats))
		have := false
		for j, c := range cats {
			vals[j] = med(r.Get(s, c[0], c[1], fig))
			if !math.IsNaN(vals[j]) {
				have = true
				if vals[j] > 0 {
					lo, hi = math.Min(lo, vals[j]), math.Max(hi, vals[j])
				}
			}
		}
		if have {
			b.Series = append(b.Series, svgchart.BarSeries{Name: plainLabel(s), Style: i, Values: vals})
		}
	}
	// Values over more than two decades: a log axis, or the small bars vanish.
	if hi > 0 && hi/lo > 100 {
		b.Log = true
		b.YLabel += ", log scale"
	}
	var who []string
	for _, s := range b.Series {
		who = append(who, s.Name)
	}
	b.Desc = fmt.Sprintf("%s: medians of the repetitions, one bar per server (%s) for each of: %s. Missing bars say n/a.",
		title, strings.Join(who, ", "), strings.Join(names, ", "))
	return b
}

// charts returns BENCHMARKS.md's key comparisons, each with data.
func (r *Results) charts() []chart {
	var out []chart
	add := func(file, section string, b svgchart.Bars) {
		if len(b.Series) > 0 && len(b.Categories) > 0 {
			out = append(out, chart{File: file, Section: section, Bars: b})
		}
	}
	// pyftpdlib's table: its transfer rows in MB/s, its concurrent rows in seconds.
	var tc, sc [][2]string
	var tn, sn []string
	for _, c := range r.Classic {
		if !r.hasAny("classic", c.Key, c.Headline) {
			continue
		}
		if c.Headline == "seconds" {
			sc, sn = append(sc, [2]string{"classic", c.Key}), append(sn, strings.TrimPrefix(c.Key, "classic."))
		} else {
			tc, tn = append(tc, [2]string{"classic", c.Key}), append(tn, strings.TrimPrefix(c.Key, "classic."))
		}
	}
	add("classic-throughput.svg", "classic", r.barsOf("classic-throughput", "pyftpdlib's ftpbench: transfer rows (higher is better)",
		"throughput (MiB/s)", tc, tn, "throughput"))
	add("classic-seconds.svg", "classic", r.barsOf("classic-seconds", "pyftpdlib's ftpbench: 300 concurrent clients (lower is better)",
		"time for all clients (s)", sc, sn, "seconds"))
	add("login.svg", "login", r.barsOf("login", "Logins per second (higher is better)", "sessions per second",
		[][2]string{{"login", "login"}}, []string{"login"}, "rate"))
	var ic [][2]string
	var in []string
	for _, n := range []string{"2000", "10000", "19000"} {
		if r.hasAny("idle-"+n, "idle", "kib_per_idle_session") {
			ic, in = append(ic, [2]string{"idle-" + n, "idle"}), append(in, n+" idle")
		}
	}
	add("idle.svg", "idle", r.barsOf("idle", "Server memory per idle session (lower is better)", "KiB per session", ic, in, "kib_per_idle_session"))
	var xc [][2]string
	var xn []string
	for _, scen := range r.xferPresent() {
		res := strings.SplitN(scen, "-", 2)[0]
		if r.hasAny(scen, res, "throughput") {
			xc, xn = append(xc, [2]string{scen, res}), append(xn, scen)
		}
	}
	add("xfer.svg", "xfer", r.barsOf("xfer", "Transfer throughput (higher is better)", "throughput (MiB/s)", xc, xn, "throughput"))
	add("xfercpu.svg", "xfercpu", r.barsOf("xfercpu", "Server CPU per GiB moved (lower is better; forking servers undercounted)",
		"server CPU (cpu-s/GiB)", xc, xn, "server_cpu_per_gib"))
	add("list.svg", "list", r.barsOf("list", "LIST of 100,000 entries (higher is better)", "listings per second",
		[][2]string{{"list-100000", "list"}}, []string{"list-100000"}, "rate"))
	return out
}

// hasAny reports whether any server has the figure.
func (r *Results) hasAny(scen, result, fig string) bool {
	for _, s := range chartServers {
		if r.Get(s, scen, result, fig) != nil {
			return true
		}
	}
	return false
}

// writeCharts writes every chart into dir and appends its Markdown reference, relative to
// mdDir, to its section.
func (r *Results) writeCharts(dir, mdDir string, sections map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(mdDir, dir)
	if err != nil {
		rel = dir
	}
	for _, c := range r.charts() {
		if err := os.WriteFile(filepath.Join(dir, c.File), []byte(c.Bars.SVG()+"\n"), 0o644); err != nil {
			return err
		}
		if s, ok := sections[c.Section]; ok {
			sections[c.Section] = s + fmt.Sprintf("\n![%s](%s)\n", c.Bars.Title, filepath.ToSlash(filepath.Join(rel, c.File)))
		}
	}
	return nil
}
