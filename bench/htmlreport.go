// The HTML report (ftpbench report): one self-contained page drawing one or more --json
// reports, each run in its own colour. No script, no stylesheet or font from elsewhere:
// the charts are inline SVG written by package svgchart.

package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/fastftp/fastftp/bench/svgchart"
)

// HTMLRun is one report drawn in the page: Name says where it came from (its file name)
// and labels its colour in every legend.
type HTMLRun struct {
	Name   string
	Report *Report
}

// pctCurve is where the latency percentile curve is sampled, on the axis
// log10(1/(1-q)): p50 (0.30) to p99.9 (3).
const pctCurvePoints = 40

// The charts' size: three side by side in a 1280-pixel window.
const chartW, chartH = 380, 260

// WriteHTML writes the page: the runs and their machines, a table of headline figures,
// then per scenario the throughput over time, the latency percentile curve (p50..p99.9),
// the p99 latency over time and the errors, every run overlaid.
func WriteHTML(w io.Writer, runs []HTMLRun) error {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ftpbench report</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#111;max-width:1240px}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:bold;margin-bottom:.3em}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.charts svg{border:1px solid #eee}
.legend{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px}
.legend li{display:flex;align-items:center;gap:6px}
.incomplete{color:#a00}
code{font-size:12px}
</style></head><body>
<h1>ftpbench report</h1>
`)
	fmt.Fprintf(&b, "<p>%d run(s), drawn by ftpbench %s. Each run has one colour and dash pattern throughout. "+
		"Rates are per second of the measured window (warm-up left out); MB/s is MiB per second; latency "+
		"percentiles come from ftpbench's log-linear histograms (&lt;1%% error).</p>\n", len(runs), Version)

	b.WriteString("<h2>Runs</h2>\n<table><thead><tr><th>run</th><th>target</th><th>started</th><th>machine</th><th>command</th></tr></thead><tbody>\n")
	for i, r := range runs {
		m := r.Report.Machine
		fmt.Fprintf(&b, "<tr><td>%s %s</td><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>\n",
			swatch(i), esc(r.Name), esc(r.Report.Target), esc(r.Report.Started.UTC().Format("2006-01-02 15:04:05 UTC")),
			esc(fmt.Sprintf("%s, %d CPUs, %s/%s, kernel %s, %s", orNA(m.CPUModel), m.CPUs, m.OS, m.Arch, orNA(m.Kernel), m.GoVersion)),
			esc(strings.Join(r.Report.Args, " ")))
	}
	b.WriteString("</tbody></table>\n")

	scen := scenarioOrder(runs)
	b.WriteString("<h2>Headline figures</h2>\n<table><thead><tr><th>scenario</th><th>run</th><th>headline</th><th>operations</th><th>window (s)</th><th>bytes moved</th><th>p50</th><th>p99</th><th>p99.9</th><th>errors</th><th>note</th></tr></thead><tbody>\n")
	for _, s := range scen {
		for i, r := range runs {
			res := findResult(r.Report, s)
			if res == nil {
				continue
			}
			head := "n/a"
			if f := res.Figure(res.Headline); f != nil {
				head = fmt.Sprintf("%.2f %s", f.Value, f.Unit)
				if len(f.Samples) > 1 {
					head += fmt.Sprintf(" (median of %d)", len(f.Samples))
				}
			} else if why := res.NotAvailable[res.Headline]; why != "" {
				head = "n/a (" + why + ")"
			}
			p50, p99, p999 := "", "", ""
			if h := res.Latency; h != nil && h.Count() > 0 {
				p50, p99, p999 = fmtDur(h.Quantile(.5)), fmtDur(h.Quantile(.99)), fmtDur(h.Quantile(.999))
			}
			note := ""
			if res.Incomplete {
				note = `<span class="incomplete">INCOMPLETE: ` + esc(res.IncompleteReason) + "</span>"
			}
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s %s</td><td class=\"n\">%s</td><td class=\"n\">%d</td><td class=\"n\">%.2f</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%d</td><td>%s</td></tr>\n",
				esc(res.Title), swatch(i), esc(r.Name), esc(head), res.Ops, res.Seconds, FormatSize(int64(res.Bytes)),
				p50, p99, p999, res.ErrorCount(), note)
		}
	}
	b.WriteString("</tbody></table>\n")

	for k, s := range scen {
		writeScenarioHTML(&b, runs, s, k)
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeScenarioHTML(b *strings.Builder, runs []HTMLRun, scenario string, k int) {
	type entry struct {
		i   int
		run HTMLRun
		res *Result
	}
	var es []entry
	bytes := false
	for i, r := range runs {
		if res := findResult(r.Report, scenario); res != nil {
			es = append(es, entry{i, r, res})
			bytes = bytes || res.Bytes > 0
		}
	}
	title := es[0].res.Title
	fmt.Fprintf(b, "<section id=\"scenario-%d\"><h2>%s <small>(<code>%s</code>)</small></h2>\n", k, esc(title), esc(scenario))
	b.WriteString(`<ul class="legend">`)
	for _, e := range es {
		extra := ""
		if e.res.Title != title {
			extra = " — " + e.res.Title
		}
		fmt.Fprintf(b, "<li>%s %s (%s)%s</li>", swatch(e.i), esc(e.run.Name), esc(e.run.Report.Target), esc(extra))
	}
	b.WriteString("</ul>\n<div class=\"charts\">\n")

	// Throughput over time: the windows of a run end to end (--repeat), each its own
	// segment; a last point shorter than half an interval (stragglers after the window's
	// end) is left out when there are others, its rate being noise.
	opUnit := es[0].res.OpUnit
	yl := opUnit + " per second"
	if bytes {
		yl = "throughput (MiB/s)"
	}
	tp := svgchart.Line{ID: fmt.Sprintf("s%d-rate", k), XLabel: "time in measured window (s)", YLabel: yl,
		Width: chartW, Height: chartH, FixedX: true}
	tp.Title = "Throughput over time"
	if !bytes {
		tp.Title = "Operations per second over time"
	}
	lat := svgchart.Line{ID: fmt.Sprintf("s%d-p99t", k), Title: "p99 latency per second", XLabel: "time in measured window (s)",
		Width: chartW, Height: chartH, FixedX: true}
	pts := 0
	var p99t []svgchart.Series
	latMax := 0.0
	for _, e := range es {
		rs := svgchart.Series{Name: e.run.Name, Style: e.i}
		ls := svgchart.Series{Name: e.run.Name, Style: e.i}
		off := 0.0
		for _, s := range e.res.Series {
			var seg, lseg []svgchart.Point
			for j, p := range s.Points {
				if j == len(s.Points)-1 && j > 0 && p.Secs < s.Interval/2 {
					break
				}
				v := p.Rate()
				if bytes {
					v = p.MBps()
				}
				x := off + p.T + p.Secs/2
				seg = append(seg, svgchart.Point{X: x, Y: v})
				if p.Ops > 0 && p.P99 > 0 { // 0: a merged second without exact percentiles
					lseg = append(lseg, svgchart.Point{X: x, Y: p.P99})
					latMax = math.Max(latMax, p.P99)
				}
			}
			for _, p := range s.Points {
				off += p.Secs
			}
			tp.XMax = math.Max(tp.XMax, off)
			pts += len(seg)
			rs.Segments = append(rs.Segments, seg)
			ls.Segments = append(ls.Segments, lseg)
		}
		tp.Series = append(tp.Series, rs)
		p99t = append(p99t, ls)
	}
	lat.XMax = tp.XMax
	tp.Desc = fmt.Sprintf("%s of each run, one point a second (wider points for a window over an hour); --repeat windows are drawn end to end.", yl)
	if pts == 0 {
		b.WriteString("<p>No time series in these reports (written by an ftpbench without per-second series).</p>\n")
	} else {
		b.WriteString(tp.SVG() + "\n")
	}

	// Latency percentile curve from each run's pooled histogram.
	curve := svgchart.Line{ID: fmt.Sprintf("s%d-pct", k), Title: "Latency percentiles", Width: chartW, Height: chartH,
		XLabel: "percentile (log scale of 1/(1-q))", FixedX: true, XMin: math.Log10(2), XMax: 3,
		XTicks: []svgchart.Tick{{V: math.Log10(2), Label: "p50"}, {V: 1, Label: "p90"}, {V: math.Log10(20), Label: "p95"},
			{V: 2, Label: "p99"}, {V: math.Log10(200), Label: "p99.5"}, {V: 3, Label: "p99.9"}}}
	curveMax := 0.0
	type qv struct{ x, ms float64 }
	curves := make([][]qv, len(es))
	for n, e := range es {
		h := e.res.Latency
		if h == nil || h.Count() == 0 {
			continue
		}
		for j := 0; j < pctCurvePoints; j++ {
			x := math.Log10(2) + (3-math.Log10(2))*float64(j)/float64(pctCurvePoints-1)
			q := 1 - math.Pow(10, -x)
			ms := float64(h.Quantile(q)) / 1e6
			curves[n] = append(curves[n], qv{x, ms})
			curveMax = math.Max(curveMax, ms)
		}
	}
	cu, cs := latUnit(curveMax)
	curve.YLabel = "latency (" + cu + ")"
	curve.Desc = "Latency at each percentile from p50 to p99.9, in " + cu + ", one line per run."
	drawn := false
	for n, e := range es {
		s := svgchart.Series{Name: e.run.Name, Style: e.i}
		var seg []svgchart.Point
		for _, p := range curves[n] {
			seg = append(seg, svgchart.Point{X: p.x, Y: p.ms * cs})
		}
		drawn = drawn || len(seg) > 0
		s.Segments = [][]svgchart.Point{seg}
		curve.Series = append(curve.Series, s)
	}
	if drawn {
		b.WriteString(curve.SVG() + "\n")
	}
	if latMax > 0 {
		lu, ls := latUnit(latMax)
		for i := range p99t {
			for _, seg := range p99t[i].Segments {
				for j := range seg {
					seg[j].Y *= ls
				}
			}
		}
		lat.Series = p99t
		lat.YLabel = "p99 latency (" + lu + ")"
		lat.Desc = "The 99th percentile latency of the operations that finished in each second, in " + lu + "."
		b.WriteString(lat.SVG() + "\n")
	}
	b.WriteString("</div>\n")

	// Errors by class.
	classes := map[string]bool{}
	for _, e := range es {
		for c, n := range e.res.Errors {
			if n > 0 {
				classes[c] = true
			}
		}
	}
	if len(classes) == 0 {
		b.WriteString("<p>Errors: none in any run.</p>\n")
	} else {
		cl := make([]string, 0, len(classes))
		for c := range classes {
			cl = append(cl, c)
		}
		sort.Strings(cl)
		b.WriteString("<table><caption>Errors by class</caption><thead><tr><th>run</th>")
		for _, c := range cl {
			fmt.Fprintf(b, "<th>%s</th>", esc(c))
		}
		b.WriteString("<th>total</th><th>error ratio</th><th>first message of each class</th></tr></thead><tbody>\n")
		for _, e := range es {
			fmt.Fprintf(b, "<tr><td>%s %s</td>", swatch(e.i), esc(e.run.Name))
			var msgs []string
			for _, c := range cl {
				fmt.Fprintf(b, "<td class=\"n\">%d</td>", e.res.Errors[c])
				if t := e.res.ErrorText[c]; t != "" {
					msgs = append(msgs, c+": "+t)
				}
			}
			ratio := "0%"
			if f := e.res.Figure("error_ratio"); f != nil {
				ratio = fmt.Sprintf("%.2f%%", f.Value)
			}
			fmt.Fprintf(b, "<td class=\"n\">%d</td><td class=\"n\">%s</td><td>%s</td></tr>\n", e.res.ErrorCount(), ratio, esc(strings.Join(msgs, "; ")))
		}
		b.WriteString("</tbody></table>\n")
	}
	b.WriteString("</section>\n")
}

// latUnit picks the latency axis's unit for a largest value of maxMs milliseconds, and the
// factor from milliseconds.
func latUnit(maxMs float64) (string, float64) {
	switch {
	case maxMs < 1:
		return "us", 1000
	case maxMs >= 10000:
		return "s", 1e-3
	}
	return "ms", 1
}

// scenarioOrder lists the scenarios of every run, in the order they first appear.
func scenarioOrder(runs []HTMLRun) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range runs {
		for _, res := range r.Report.Results {
			if !seen[res.Scenario] {
				seen[res.Scenario] = true
				out = append(out, res.Scenario)
			}
		}
	}
	return out
}

func findResult(rep *Report, scenario string) *Result {
	for _, r := range rep.Results {
		if r.Scenario == scenario {
			return r
		}
	}
	return nil
}

// swatch is a small inline SVG of run i's line: its colour and dash.
func swatch(i int) string {
	dash := ""
	if d := svgchart.Dash(i); d != "" {
		dash = ` stroke-dasharray="` + d + `"`
	}
	return fmt.Sprintf(`<svg width="34" height="10" aria-hidden="true"><line x1="1" y1="5" x2="33" y2="5" stroke="%s" stroke-width="3"%s/></svg>`,
		svgchart.Colour(i), dash)
}

func orNA(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func esc(s string) string { return html.EscapeString(s) }
