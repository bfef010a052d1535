// compare: a benchstat-like comparison of two reports. A figure regresses when it got worse
// by more than the threshold and the change stands out of the noise of its repeated
// samples (Welch's t-test at 95%); regression CI fails on any regression.

package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// CompareRow is one figure present in both reports.
type CompareRow struct {
	Scenario    string
	Figure      string
	Unit        string
	Better      string
	Old, New    []float64 // samples
	OldV, NewV  float64   // medians
	DeltaPct    float64   // (new-old)/old*100; ±Inf when old is 0
	Significant bool      // outside the noise (or no noise information and any change)
	Regressed   bool      // worse by more than the threshold and significant
}

// Compare matches figures by scenario and name and judges each one. thresholdPct is the
// worsening tolerated, in percent. Safe from any goroutine; does not modify the reports.
func Compare(old, new *Report, thresholdPct float64) []CompareRow {
	var rows []CompareRow
	for _, nr := range new.Results {
		var or *Result
		for _, r := range old.Results {
			if r.Scenario == nr.Scenario {
				or = r
				break
			}
		}
		if or == nil {
			continue
		}
		for _, nf := range nr.Figures {
			of := or.Figure(nf.Name)
			if of == nil || nf.Better == "" {
				continue
			}
			row := CompareRow{Scenario: nr.Scenario, Figure: nf.Name, Unit: nf.Unit, Better: nf.Better,
				Old: samplesOf(of), New: samplesOf(&nf), OldV: of.Value, NewV: nf.Value}
			switch {
			case of.Value == nf.Value:
				row.DeltaPct = 0
			case of.Value == 0:
				row.DeltaPct = math.Inf(1)
				if nf.Value < 0 {
					row.DeltaPct = math.Inf(-1)
				}
			default:
				row.DeltaPct = (nf.Value - of.Value) / math.Abs(of.Value) * 100
			}
			row.Significant = significant(row.Old, row.New)
			worse := row.DeltaPct
			if nf.Better == "higher" {
				worse = -worse
			}
			row.Regressed = row.Significant && worse > thresholdPct
			rows = append(rows, row)
		}
	}
	return rows
}

func samplesOf(f *Figure) []float64 {
	if len(f.Samples) > 0 {
		return f.Samples
	}
	return []float64{f.Value}
}

// tCrit is the two-sided 95% critical value of Student's t by degrees of freedom.
var tCrit = []float64{0, 12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086}

// significant runs Welch's t-test on two sample sets. With fewer than two samples on a
// side there is no noise estimate, and any change counts.
func significant(a, b []float64) bool {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	if len(a) < 2 || len(b) < 2 {
		return ma != mb
	}
	na, nb := float64(len(a)), float64(len(b))
	se2 := va/na + vb/nb
	if se2 == 0 {
		return ma != mb
	}
	t := math.Abs(ma-mb) / math.Sqrt(se2)
	df := se2 * se2 / (va*va/(na*na*(na-1)) + vb*vb/(nb*nb*(nb-1)))
	crit := 1.96
	if d := int(df); d < len(tCrit) {
		crit = tCrit[max(d, 1)]
	}
	return t > crit
}

func meanVar(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v)-1)
}

// PrintComparison writes the rows as a table and returns how many regressed.
func PrintComparison(w io.Writer, rows []CompareRow, thresholdPct float64) int {
	bad := 0
	fmt.Fprintf(w, "%-44s %16s %16s %12s\n", "scenario/figure", "old", "new", "delta")
	for _, r := range rows {
		name := r.Scenario + "/" + r.Figure + " (" + r.Unit + ")"
		delta := "~"
		if r.Significant {
			delta = fmt.Sprintf("%+.2f%%", r.DeltaPct)
		}
		mark := ""
		if r.Regressed {
			mark = "  REGRESSION"
			bad++
		}
		fmt.Fprintf(w, "%-44s %16s %16s %12s%s\n", name, fmtSamples(r.OldV, r.Old), fmtSamples(r.NewV, r.New), delta, mark)
	}
	if bad > 0 {
		fmt.Fprintf(w, "%d figure(s) worse by more than %.1f%% beyond noise\n", bad, thresholdPct)
	}
	return bad
}

func fmtSamples(v float64, s []float64) string {
	out := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
	if len(s) >= 2 {
		m, va := meanVar(s)
		if m != 0 {
			out += fmt.Sprintf(" ±%.0f%%", math.Sqrt(va)/math.Abs(m)*100)
		}
	}
	return out
}
