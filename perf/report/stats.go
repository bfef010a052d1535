// Sample statistics and number formatting for the tables: medians with their min-max
// spread, ratios, and values rounded to what the noise of this machine justifies.
package main

import (
	"math"
	"sort"
	"strconv"
)

// summarize returns the median, minimum and maximum of v (NaN for none). The median of an
// even count is the mean of the middle two.
func summarize(v []float64) (med, lo, hi float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// num formats v with three significant digits (integers above 1000 in full).
func num(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	case v == 0:
		return "0"
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(digits, 0), 64)
}

// spread formats "median (min–max)", or the median alone for a single sample.
func spread(c *Cell) string {
	if c == nil {
		return "–"
	}
	if len(c.Samples) < 2 {
		return num(c.Median)
	}
	return num(c.Median) + " (" + num(c.Min) + "–" + num(c.Max) + ")"
}

// ratio formats a/b as "1.23×".
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "–"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}
