// compare: a benchstat-like comparison of two reports. A figure regresses when it got worse
// by more than the threshold and the change stands out of the noise of its repeated
// samples (Welch's t-test at 95%); with one sample on a side no noise test is possible and
// the threshold alone decides. Regression CI fails on any regression, and on reports with
// nothing in common: a gate that compared nothing must not pass.

package bench

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// ErrNothingToCompare: two reports without a scenario and figure in common.
var ErrNothingToCompare = errors.New("bench: nothing to compare")

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
	NoiseTested bool      // both sides had 2+ samples: Significant comes from Welch's t-test
	Regressed   bool      // worse by more than the threshold and significant
	Incomplete  bool      // either side's row was incomplete (sessions missing, bytes short)
}

// CompareReports is Compare that fails with ErrNothingToCompare, naming each side's
// scenarios, when the reports share no scenario with a compared figure.
func CompareReports(old, new *Report, thresholdPct float64) ([]CompareRow, error) {
	rows := Compare(old, new, thresholdPct)
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no scenario with a compared figure in both reports (old: %s; new: %s)",
			ErrNothingToCompare, scenarioList(old), scenarioList(new))
	}
	return rows, nil
}

func scenarioList(rep *Report) string {
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Scenario)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no results"
	}
	return strings.Join(names, ", ")
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
			row.NoiseTested = len(row.Old) >= 2 && len(row.New) >= 2
			row.Incomplete = or.Incomplete || nr.Incomplete
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

// PrintComparison writes the rows as a text table with its legend and returns how many
// regressed.
func PrintComparison(w io.Writer, rows []CompareRow, thresholdPct float64) int {
	return WriteComparison(w, rows, thresholdPct, "text")
}

// WriteComparison writes the rows as "text" (aligned columns) or "markdown" (a table to
// paste in a pull request or a CI job summary), then the legend and the verdict. It
// returns how many rows regressed.
func WriteComparison(w io.Writer, rows []CompareRow, thresholdPct float64, format string) int {
	md := format == "markdown"
	bad, untested, badUntested, incomplete := 0, 0, 0, 0
	if md {
		fmt.Fprintln(w, "| scenario | figure | unit | old | new | delta | |")
		fmt.Fprintln(w, "|---|---|---|--:|--:|--:|---|")
	} else {
		fmt.Fprintf(w, "%-44s %16s %16s %12s\n", "scenario/figure", "old", "new", "delta")
	}
	for _, r := range rows {
		delta := "~"
		if r.Significant || !r.NoiseTested {
			delta = fmt.Sprintf("%+.2f%%", r.DeltaPct)
		}
		var marks []string
		if !r.NoiseTested {
			untested++
			marks = append(marks, "(n=1)")
		}
		if r.Incomplete {
			incomplete++
			marks = append(marks, "(incomplete)")
		}
		if r.Regressed {
			bad++
			if !r.NoiseTested {
				badUntested++
			}
			if md {
				marks = append(marks, "**REGRESSION**")
			} else {
				marks = append(marks, "REGRESSION")
			}
		}
		mark := strings.Join(marks, " ")
		if md {
			if delta == "~" {
				delta = `\~` // a bare tilde may start GitHub's strikethrough
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Scenario, r.Figure, r.Unit,
				fmtSamples(r.OldV, r.Old), fmtSamples(r.NewV, r.New), delta, mark)
			continue
		}
		if mark != "" {
			mark = "  " + mark
		}
		name := r.Scenario + "/" + r.Figure + " (" + r.Unit + ")"
		fmt.Fprintf(w, "%-44s %16s %16s %12s%s\n", name, fmtSamples(r.OldV, r.Old), fmtSamples(r.NewV, r.New), delta, mark)
	}
	legend := []string{
		"old, new: medians of the --repeat samples; ±: their spread (standard deviation over mean).",
		"delta: change of the median, shown when Welch's t-test (95%) says it stands out of the noise;",
		"~: it does not (no significant change), whatever its size.",
		fmt.Sprintf("REGRESSION: worse by more than the %.1f%% threshold and, with samples on both sides, beyond noise.", thresholdPct),
	}
	if untested > 0 {
		legend = append(legend, fmt.Sprintf("(n=1): one sample on a side, so no noise test is possible: %d figure(s) judged by the "+
			"threshold alone (run with --repeat 5 on both sides for a noise test).", untested))
	}
	if incomplete > 0 {
		legend = append(legend, "(incomplete): a side's row did not move every expected byte or had a session that never "+
			"logged in; its figures describe less work than its title says.")
	}
	if md {
		fmt.Fprintln(w)
		for _, l := range legend {
			fmt.Fprintln(w, "> "+strings.ReplaceAll(l, "~", "\\~")+"  ")
		}
	} else {
		fmt.Fprintln(w)
		for _, l := range legend {
			fmt.Fprintln(w, "  "+l)
		}
	}
	if bad > 0 {
		if md {
			fmt.Fprintln(w)
		}
		switch {
		case badUntested == 0:
			fmt.Fprintf(w, "%d figure(s) worse by more than %.1f%% beyond noise\n", bad, thresholdPct)
		case badUntested == bad:
			fmt.Fprintf(w, "%d figure(s) worse by more than %.1f%% (one sample per side: no noise test, threshold alone)\n", bad, thresholdPct)
		default:
			fmt.Fprintf(w, "%d figure(s) worse by more than %.1f%%: %d beyond noise, %d by the threshold alone (one sample per side)\n",
				bad, thresholdPct, bad-badUntested, badUntested)
		}
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
