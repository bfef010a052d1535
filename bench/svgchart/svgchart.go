// Package svgchart draws the small, self-contained SVG charts of ftpbench's HTML report and
// of BENCHMARKS.md: line charts (one polyline per series) and grouped bar charts. The SVG
// needs no script, font or stylesheet from anywhere: text labels on both axes with their
// units, a <title> and <desc> for screen readers, and colours told apart by dash pattern
// too (colour-blind readers, black-and-white prints).
package svgchart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Palette is the Okabe–Ito colour-blind-safe palette (yellow left out: too pale on white).
// Series i is drawn in Palette[i%len(Palette)] and, for lines, Dashes[i%len(Dashes)]: any
// two neighbours differ in both.
var Palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

// Dashes are the stroke patterns of line series, by index.
var Dashes = []string{"", "8 4", "3 3", "10 3 3 3"}

// Colour returns series i's colour.
func Colour(i int) string { return Palette[((i%len(Palette))+len(Palette))%len(Palette)] }

// Dash returns series i's dash pattern ("" for solid).
func Dash(i int) string { return Dashes[((i%len(Dashes))+len(Dashes))%len(Dashes)] }

// Point is one (x, y) of a line series.
type Point struct{ X, Y float64 }

// Series is one line: its name (the legend and tooltip), its style index (colour and
// dash) and its points, in x order. Segments split the line where it breaks (a gap
// between --repeat windows): each segment is its own polyline.
type Series struct {
	Name     string
	Style    int
	Segments [][]Point
}

// Tick is an axis tick: its value and its label.
type Tick struct {
	V     float64
	Label string
}

// Line is a line chart.
type Line struct {
	ID             string // prefix of the element ids (unique in the page)
	Title, Desc    string
	XLabel, YLabel string // with units: "time in window (s)"
	Width, Height  int    // 0: 560×300
	Series         []Series
	XTicks         []Tick // nil: computed
	XMin, XMax     float64
	FixedX         bool // use XMin, XMax instead of the data's range
}

const (
	marginL = 64
	marginR = 16
	marginT = 34
	marginB = 48
)

// SVG renders the chart.
func (c *Line) SVG() string {
	w, h := c.Width, c.Height
	if w == 0 {
		w, h = 560, 300
	}
	x0, x1 := c.XMin, c.XMax
	y1 := 0.0
	first := true
	for _, s := range c.Series {
		for _, seg := range s.Segments {
			for _, p := range seg {
				if !c.FixedX {
					if first || p.X < x0 {
						x0 = p.X
					}
					if first || p.X > x1 {
						x1 = p.X
					}
				}
				first = false
				y1 = math.Max(y1, p.Y)
			}
		}
	}
	if x1 <= x0 {
		x0, x1 = x0-0.5, x0+0.5
	}
	yt := niceTicks(0, y1, 5)
	y1 = yt[len(yt)-1].V
	xt := c.XTicks
	if xt == nil {
		xt = niceTicks(x0, x1, 6)
		xt = inRange(xt, x0, x1)
	}
	pw, ph := float64(w-marginL-marginR), float64(h-marginT-marginB)
	px := func(x float64) float64 { return marginL + (x-x0)/(x1-x0)*pw }
	py := func(y float64) float64 { return marginT + ph - y/y1*ph }

	var b strings.Builder
	open(&b, c.ID, c.Title, c.Desc, w, h)
	axes(&b, w, h, c.XLabel, c.YLabel)
	for _, t := range yt {
		y := py(t.V)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, marginL, y, w-marginR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, marginL-6, y, esc(t.Label))
	}
	for _, t := range xt {
		x := px(t.V)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333"/>`, x, h-marginB, x, h-marginB+5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, h-marginB+18, esc(t.Label))
	}
	for _, s := range c.Series {
		n := 0
		for _, seg := range s.Segments {
			n += len(seg)
		}
		fmt.Fprintf(&b, `<g class="series" data-series="%d" data-name="%s" data-points="%d">`, s.Style, esc(s.Name), n)
		for _, seg := range s.Segments {
			if len(seg) == 0 {
				continue
			}
			var pts strings.Builder
			for i, p := range seg {
				if i > 0 {
					pts.WriteByte(' ')
				}
				fmt.Fprintf(&pts, "%.1f,%.1f", px(p.X), py(p.Y))
			}
			dash := ""
			if d := Dash(s.Style); d != "" {
				dash = ` stroke-dasharray="` + d + `"`
			}
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s stroke-linejoin="round"><title>%s</title></polyline>`,
				pts.String(), Colour(s.Style), dash, esc(s.Name))
			if len(seg) <= 2 { // too short to see as a line
				for _, p := range seg {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`, px(p.X), py(p.Y), Colour(s.Style))
				}
			}
		}
		b.WriteString("</g>")
	}
	b.WriteString("</svg>")
	return b.String()
}

// Bars is a grouped bar chart: one group per category, one bar per series in each.
type Bars struct {
	ID             string
	Title, Desc    string
	XLabel, YLabel string
	Width, Height  int // 0: 640×320
	Categories     []string
	Series         []BarSeries
	// Log draws the value axis in powers of ten (values spanning several decades).
	Log bool
}

// BarSeries is one bar per category; NaN values draw no bar (and say "n/a").
type BarSeries struct {
	Name   string
	Style  int
	Values []float64
}

// SVG renders the chart, with the legend above the plot.
func (c *Bars) SVG() string {
	w, h := c.Width, c.Height
	if w == 0 {
		w, h = 640, 320
	}
	ymax, ymin := 0.0, math.Inf(1)
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				ymax = math.Max(ymax, v)
				if v > 0 {
					ymin = math.Min(ymin, v)
				}
			}
		}
	}
	top := marginT + 18*((len(c.Series)+2)/3) // legend rows
	pw, ph := float64(w-marginL-marginR), float64(h-top-marginB)
	var yt []Tick
	var py func(v float64) float64
	if c.Log && ymax > 0 {
		// Half the smallest value's decade below it, so that its bar has a height.
		lo := math.Floor(math.Log10(ymin / 2))
		hi := math.Ceil(math.Log10(ymax))
		if hi <= lo {
			hi = lo + 1
		}
		for e := lo; e <= hi; e++ {
			yt = append(yt, Tick{math.Pow(10, e), fmtNum(math.Pow(10, e))})
		}
		py = func(v float64) float64 {
			if v <= 0 {
				return float64(top) + ph
			}
			f := (math.Log10(v) - lo) / (hi - lo)
			return float64(top) + ph - math.Max(f, 0)*ph
		}
	} else {
		yt = niceTicks(0, ymax, 5)
		y1 := yt[len(yt)-1].V
		py = func(v float64) float64 { return float64(top) + ph - v/y1*ph }
	}
	var b strings.Builder
	open(&b, c.ID, c.Title, c.Desc, w, h)
	// The plot's frame: y axis from the legend's bottom.
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, marginL, top, marginL, h-marginB)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, marginL, h-marginB, w-marginR, h-marginB)
	label(&b, w, h, c.XLabel, c.YLabel)
	for _, t := range yt {
		y := py(t.V)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, marginL, y, w-marginR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, marginL-6, y, esc(t.Label))
	}
	for i, s := range c.Series { // legend
		lx := marginL + (i%3)*((w-marginL-marginR)/3)
		ly := marginT - 6 + 18*(i/3)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`,
			lx, ly, Colour(s.Style), lx+16, ly+10, esc(s.Name))
	}
	ng := max(len(c.Categories), 1)
	gw := pw / float64(ng)
	bw := gw * 0.8 / float64(max(len(c.Series), 1))
	for g, cat := range c.Categories {
		gx := float64(marginL) + float64(g)*gw
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, gx+gw/2, h-marginB+16, esc(cat))
		for i, s := range c.Series {
			if g >= len(s.Values) {
				continue
			}
			v := s.Values[g]
			x := gx + gw*0.1 + float64(i)*bw
			if math.IsNaN(v) || math.IsInf(v, 0) {
				fmt.Fprintf(&b, `<text class="na" x="%.1f" y="%d" text-anchor="middle" font-size="9">n/a</text>`, x+bw/2, h-marginB-4)
				continue
			}
			y := py(v)
			fmt.Fprintf(&b, `<rect class="bar" data-series="%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
				s.Style, x, y, math.Max(bw-1, 1), float64(h-marginB)-y, Colour(s.Style), esc(s.Name), esc(cat), fmtNum(v))
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

func open(b *strings.Builder, id, title, desc string, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" font-family="sans-serif" font-size="11">`,
		w, h, w, h, esc(id), esc(id))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#fff"/>`, w, h)
	fmt.Fprintf(b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, marginL, esc(title))
}

func axes(b *strings.Builder, w, h int, xl, yl string) {
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, marginL, marginT, marginL, h-marginB)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, marginL, h-marginB, w-marginR, h-marginB)
	label(b, w, h, xl, yl)
}

func label(b *strings.Builder, w, h int, xl, yl string) {
	fmt.Fprintf(b, `<text class="xlabel" x="%d" y="%d" text-anchor="middle">%s</text>`, (marginL+w-marginR)/2, h-8, esc(xl))
	fmt.Fprintf(b, `<text class="ylabel" transform="translate(14 %d) rotate(-90)" text-anchor="middle">%s</text>`, (marginT+h-marginB)/2, esc(yl))
}

func esc(s string) string { return html.EscapeString(s) }

// niceTicks returns about n ticks at 1, 2 or 5 times a power of ten, from lo's multiple
// at or below it to the first multiple at or above hi.
func niceTicks(lo, hi float64, n int) []Tick {
	if hi <= lo || math.IsNaN(hi) || math.IsInf(hi, 0) {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := p
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	var out []Tick
	start := math.Floor(lo/step) * step
	for i := 0; i <= 2*n+2; i++ { // bounded: about n steps cover [lo, hi]
		v := start + float64(i)*step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, Tick{v, fmtNum(v)})
		if v >= hi-step*1e-9 {
			break
		}
	}
	return out
}

func inRange(t []Tick, lo, hi float64) []Tick {
	var out []Tick
	eps := (hi - lo) * 1e-9
	for _, x := range t {
		if x.V >= lo-eps && x.V <= hi+eps {
			out = append(out, x)
		}
	}
	return out
}

// fmtNum formats a tick or a value shortly: 0.25, 12, 1.5k, 2M.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// FormatNum is the short number format of the ticks (0.25, 12, 1.5k, 2M).
func FormatNum(v float64) string { return fmtNum(v) }
