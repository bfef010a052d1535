package svgchart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 923, "0 200 400 600 800 1000"},
		{0, 0.37, "0 0.1 0.2 0.3 0.4"},
		{0, 0, "0 0.2 0.4 0.6 0.8 1"},
		{0.5, 4.5, "0 1 2 3 4 5"},
	} {
		var got []string
		for _, tk := range niceTicks(c.lo, c.hi, 5) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("niceTicks(%v, %v) = %v, want %s", c.lo, c.hi, got, c.want)
		}
	}
}

// Both charts are well-formed XML with a title, a description, labelled axes and one
// element per point or bar.
func TestChartsWellFormed(t *testing.T) {
	l := Line{ID: "x", Title: "T", Desc: "D", XLabel: "time (s)", YLabel: "MiB/s", Series: []Series{
		{Name: "a<b", Style: 0, Segments: [][]Point{{{0, 1}, {1, 2}, {2, 3}}}},
		{Name: "c", Style: 1, Segments: [][]Point{{{0, 2}}}},
	}}
	bars := Bars{ID: "y", Title: "T", Desc: "D", XLabel: "scenario", YLabel: "MB/s", Categories: []string{"a", "b"},
		Series: []BarSeries{{Name: "s1", Style: 0, Values: []float64{1, 2}}, {Name: "s2", Style: 1, Values: []float64{3, math.NaN()}}}}
	for _, svg := range []string{l.SVG(), bars.SVG(), (&Bars{Log: true, Categories: []string{"a"},
		Series: []BarSeries{{Values: []float64{0.01}}, {Values: []float64{1000}}}}).SVG()} {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Fatalf("not XML: %v\n%s", err, svg)
		}
	}
	s := l.SVG()
	for _, want := range []string{"<title id=\"x-title\">T</title>", "time (s)", "MiB/s", "a&lt;b", `stroke-dasharray="8 4"`, "<circle"} {
		if !strings.Contains(s, want) {
			t.Errorf("line chart lacks %q", want)
		}
	}
	b := bars.SVG()
	if n := strings.Count(b, `class="bar"`); n != 3 {
		t.Errorf("%d bars, want 3 (one n/a)", n)
	}
	if !strings.Contains(b, ">n/a<") {
		t.Errorf("no n/a for the missing value")
	}
}
