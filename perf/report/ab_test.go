// Tests of the A/B judge: clean rounds with noise pass, a figure worse in nearly every round
// fails by name, one or two bad rounds do not, allocations are absolute, and a run that
// paired nothing is an error.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/bench"
)

// abDir writes rounds of both sides: per round, figs(round, side) gives the figures of
// the retr-10x10M scenario, and micro.txt gets allocs allocations on this tree's side.
func abDir(t *testing.T, rounds int, figs func(round int, side string) map[string]float64, allocs int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 1; i <= rounds; i++ {
		for _, side := range []string{abHead, abBase} {
			d := filepath.Join(dir, "raw", fmt.Sprint(i), side)
			writeReport(t, filepath.Join(d, "retr-10x10M.json"), "retr", 0, 0, figs(i, side))
			a := 0
			if side == abHead {
				a = allocs
			}
			micro := fmt.Sprintf("pkg: github.com/fastftp/fastftp/proto\nBenchmarkParse/verb=RETR-2  1000  %d.0 ns/op  0 B/op  %d allocs/op\n", 28+i%3, a)
			if err := os.WriteFile(filepath.Join(d, "micro.txt"), []byte(micro), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// noisy is ±20% round-to-round noise around the same figures on both sides.
func noisy(round int, side string) map[string]float64 {
	f := []float64{1.0, 0.8, 1.2, 0.9, 1.15, 1.05, 0.85}[round%7]
	if side == abBase {
		f = []float64{1.1, 1.2, 0.8, 1.0, 0.9, 0.95, 1.15}[round%7]
	}
	return map[string]float64{"throughput": 2000 * f, "server_cpu_per_gib": 0.3 * f, "errors": 0}
}

func verdictOf(t *testing.T, rows []abRow, name string) abRow {
	t.Helper()
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %q", name)
	return abRow{}
}

func TestABCleanPasses(t *testing.T) {
	dir := abDir(t, 5, noisy, 0)
	if err := runAB(dir, ""); err != nil {
		t.Fatalf("clean rounds with ±20%% noise: %v", err)
	}
}

func TestABRegressionNamed(t *testing.T) {
	// sendfile turned off: CPU per GiB doubles in every round, throughput unchanged.
	dir := abDir(t, 5, func(round int, side string) map[string]float64 {
		m := noisy(round, side)
		if side == abHead {
			m["server_cpu_per_gib"] = 2 * noisy(round, abBase)["server_cpu_per_gib"]
		}
		return m
	}, 0)
	err := runAB(dir, filepath.Join(dir, "gate.md"))
	if err == nil || !strings.Contains(err.Error(), "retr-10x10M server_cpu_per_gib") || strings.Contains(err.Error(), "throughput") {
		t.Fatalf("err = %v, want a REGRESSION naming retr-10x10M server_cpu_per_gib only", err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "gate.md"))
	if !strings.Contains(string(md), "| retr-10x10M server_cpu_per_gib |") || !strings.Contains(string(md), "REGRESSION") {
		t.Errorf("summary lacks the regressed row:\n%s", md)
	}
}

// TestABBestWindow: a second window spoiled by outside load (half the throughput, twice the
// CPU) does not count against either side.
func TestABBestWindow(t *testing.T) {
	dir := abDir(t, 5, noisy, 0)
	for i := 1; i <= 5; i++ {
		m := noisy(i, abHead)
		m["throughput"] /= 2
		m["server_cpu_per_gib"] *= 2
		writeReport(t, filepath.Join(dir, "raw", fmt.Sprint(i), abHead, "retr-10x10M@w2.json"), "retr", 0, 0, m)
	}
	rows, clean := judge(mustRounds(t, dir)), judge(mustRounds(t, abDir(t, 5, noisy, 0)))
	for _, name := range []string{"retr-10x10M throughput", "retr-10x10M server_cpu_per_gib"} {
		r, c := verdictOf(t, rows, name), verdictOf(t, clean, name)
		if r.Verdict != "ok" || r.Head != c.Head || r.Worse != c.Worse {
			t.Errorf("%s with a spoiled second window: %+v, want as without it: %+v", name, r, c)
		}
	}
}

func TestABFewBadRoundsPass(t *testing.T) {
	// Two rounds of five with this tree at half the throughput (a neighbour's build, say).
	rows := judge(mustRounds(t, abDir(t, 5, func(round int, side string) map[string]float64 {
		m := noisy(round, side)
		if side == abHead && round <= 2 {
			m["throughput"] /= 2
		}
		return m
	}, 0)))
	if r := verdictOf(t, rows, "retr-10x10M throughput"); r.Verdict != "ok" || r.Worse != 2 {
		t.Errorf("2 bad rounds of 5: %+v, want ok with 2 worse", r)
	}
	if need(5) != 4 || need(3) != 3 || need(10) != 8 {
		t.Errorf("need(5,3,10) = %d %d %d, want 4 3 8", need(5), need(3), need(10))
	}
}

func TestABAllocationsAbsolute(t *testing.T) {
	rows := judge(mustRounds(t, abDir(t, 5, noisy, 1)))
	if r := verdictOf(t, rows, "proto BenchmarkParse/verb=RETR allocs"); r.Verdict != "REGRESSION" {
		t.Errorf("1 alloc/op in this tree: %+v, want REGRESSION", r)
	}
}

func TestABErrorsRise(t *testing.T) {
	rows := judge(mustRounds(t, abDir(t, 5, func(round int, side string) map[string]float64 {
		m := noisy(round, side)
		if side == abHead {
			m["errors"] = 3
		}
		return m
	}, 0)))
	if r := verdictOf(t, rows, "retr-10x10M errors"); r.Verdict != "REGRESSION" {
		t.Errorf("errors in every round of this tree only: %+v, want REGRESSION", r)
	}
	if r := verdictOf(t, rows, "retr-10x10M incomplete"); r.Verdict != "ok" {
		t.Errorf("complete rows on both sides: %+v, want ok", r)
	}
}

func TestABIncompleteRows(t *testing.T) {
	dir := abDir(t, 5, noisy, 0)
	for i := 1; i <= 5; i++ {
		rep := &bench.Report{Results: []*bench.Result{{Scenario: "retr", Incomplete: true, IncompleteReason: "moved half",
			Figures: []bench.Figure{{Name: "throughput", Value: 2000}, {Name: "server_cpu_per_gib", Value: 0.3}}}}}
		if err := rep.WriteJSON(filepath.Join(dir, "raw", fmt.Sprint(i), abHead, "retr-10x10M.json")); err != nil {
			t.Fatal(err)
		}
	}
	if r := verdictOf(t, judge(mustRounds(t, dir)), "retr-10x10M incomplete"); r.Verdict != "REGRESSION" {
		t.Errorf("this tree's rows incomplete in every round: %+v, want REGRESSION", r)
	}
}

func TestABNothingPaired(t *testing.T) {
	// The base never ran (its directories are empty): nothing can be judged, and the gate
	// must not pass having compared nothing.
	dir := t.TempDir()
	for i := 1; i <= 5; i++ {
		writeReport(t, filepath.Join(dir, "raw", fmt.Sprint(i), abHead, "retr-10x10M.json"), "retr", 0, 0, noisy(i, abHead))
	}
	if err := runAB(dir, ""); !errors.Is(err, errNothingJudged) {
		t.Fatalf("err = %v, want errNothingJudged", err)
	}
	if err := runAB(filepath.Join(dir, "missing"), ""); err == nil {
		t.Fatal("a missing results directory passed")
	}
}

func mustRounds(t *testing.T, dir string) []map[string]abSide {
	t.Helper()
	r, err := abRounds(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
