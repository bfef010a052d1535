// The A/B regression judge behind perf/regress.sh. The script measures this tree's fastftpd
// ("fastftpd") and a base commit's ("base") in the same job, alternating round by round;
// here each figure's rounds are paired, and a figure regresses only when nearly every
// round shows this tree worse than the base by more than the figure's threshold. Nothing
// recorded on another machine is involved, so the machine CI lands on cannot fail clean
// code, and one noisy round cannot either.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fastftp/fastftp/bench"
)

// The two sides, as run.sh names their result directories.
const (
	abHead = "fastftpd"
	abBase = "base"
)

// minPairs is the fewest rounds a figure needs to be judged at all.
const minPairs = 3

// errNothingJudged reports an A/B run in which no figure had enough paired rounds: the gate
// compared nothing and must not pass.
var errNothingJudged = errors.New("report: no figure had enough paired rounds to judge")

// abFigure is one judged figure. threshold is the worsening tolerated in one round, as a
// fraction of the base's value: wide where the figure is noisy on a shared 2-core VM
// (tail latencies), narrow where it is steady. The planted regressions in BENCHMARKS.md
// ("Regression gate") move their figures 2x to 20x, far beyond these.
type abFigure struct {
	scenario, result, figure string // run.sh scenario, ftpbench result key, figure name
	better                   string // "higher" or "lower"
	threshold                float64
}

var abFigures = []abFigure{
	{"login", "login", "rate", "higher", 0.25},
	{"login", "login", "server_cpu_per_op", "lower", 0.30},
	{"retr-10x10M", "retr", "throughput", "higher", 0.30},
	{"retr-10x10M", "retr", "server_cpu_per_gib", "lower", 0.30},
	{"stor-10x10M", "stor", "throughput", "higher", 0.30},
	{"stor-10x10M", "stor", "server_cpu_per_gib", "lower", 0.30},
	{"retr-100x10M", "retr", "throughput", "higher", 0.30},
	{"retr-100x10M", "retr", "server_cpu_per_gib", "lower", 0.30},
	{"idle-2000", "idle", "kib_per_idle_session", "lower", 0.25},
	{"idle-2000", "idle", "latency_p50", "lower", 0.50},
	{"idle-2000", "idle", "latency_p99", "lower", 3.00},
	{"idle-2000-xfer", "idle", "latency_p50", "lower", 1.00},
	{"idle-2000-xfer", "idle", "latency_p99", "lower", 3.00},
	{"idle-2000-mixed", "idle", "latency_p50", "lower", 1.00},
	{"idle-2000-mixed", "idle", "latency_p99", "lower", 3.00},
}

// abMicro are the fast paths whose ns/op is compared with the base's; each must also
// allocate nothing in this tree (an absolute check: allocation counts do not vary).
var abMicro = []struct {
	name      string // "pkg BenchmarkName" as loadMicro names it
	threshold float64
}{
	// 50%: nanosecond loops are the noisiest figures under a neighbour's load (3 of 5
	// rounds past 30% in a clean run on the loaded dev VM); allocations, checked
	// absolutely below, are their sharper guard.
	{"proto BenchmarkParse/verb=RETR", 0.50},
	{"proto BenchmarkParse/verb=NOOP", 0.50},
	{"proto BenchmarkAppendReply/impl=append", 0.50},
	{"throttle BenchmarkReserve/limited", 0.50},
}

// errorFigures: a scenario whose errors or incomplete rows rise is worse whatever its speed.
// Judged by count (this tree > base), not by ratio, since the base usually has none.
var errorFigures = []string{"login", "retr-10x10M", "stor-10x10M", "retr-100x10M", "idle-2000", "idle-2000-xfer", "idle-2000-mixed"}

// abSide is one side of one round: "scenario\x00result\x00figure" or "micro\x00name\x00unit"
// -> the value of each window (regress.sh measures two per side and round).
type abSide map[string][]float64

// best is the side's value for the round: its best window. Outside load (another job, a
// neighbour's build) only ever makes a window worse, so the better one is the truer.
func best(v []float64, better string) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	b := v[0]
	for _, x := range v[1:] {
		if (better == "higher") == (x > b) {
			b = x
		}
	}
	return b, true
}

func abKey(a, b, c string) string { return a + "\x00" + b + "\x00" + c }

// abRounds reads OUT/raw/<round>/<side>/ into rounds[i][side], rounds in numeric order.
func abRounds(dir string) ([]map[string]abSide, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "raw"))
	if err != nil {
		return nil, fmt.Errorf("report: read %s/raw: %w", dir, err)
	}
	var nums []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	var rounds []map[string]abSide
	for _, n := range nums {
		round := map[string]abSide{}
		for _, side := range []string{abHead, abBase} {
			sd, err := loadSide(filepath.Join(dir, "raw", strconv.Itoa(n), side))
			if err != nil {
				return nil, err
			}
			round[side] = sd
		}
		rounds = append(rounds, round)
	}
	return rounds, nil
}

// loadSide reads one side's scenario reports and microbenchmark output of one round. A
// missing directory is an empty side (that server did not run in that round).
func loadSide(dir string) (abSide, error) {
	sd := abSide{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		scen := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, _, bg := backgroundOf(scen); bg || strings.HasSuffix(scen, ".peak") || strings.HasSuffix(scen, ".sched") {
			// Not judged: peaks are not measured here, older bases lack the histogram, and
			// a background load is the scenario's load, not its figure.
			continue
		}
		scen, _, _ = strings.Cut(scen, "@") // "retr-10x10M@w2": the second window
		rep, err := bench.ReadReport(f)
		if err != nil {
			return nil, err
		}
		for _, res := range rep.Results {
			for _, fig := range res.Figures {
				k := abKey(scen, res.Scenario, fig.Name)
				sd[k] = append(sd[k], fig.Value)
			}
			// A row that did not move every byte (or lost a client before login) counts
			// like an error: judged by count, this tree against the base.
			inc := 0.0
			if res.Incomplete {
				inc = 1
			}
			k := abKey(scen, res.Scenario, "incomplete")
			sd[k] = append(sd[k], inc)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "micro.txt")); err == nil {
		r := &Results{index: map[string]*Cell{}}
		if err := r.loadMicro(filepath.Join(dir, "micro.txt")); err != nil {
			return nil, err
		}
		// Several -count samples per round: the fastest is the one least disturbed by
		// whatever else the machine ran (noise only ever adds time).
		for _, m := range r.Micro {
			_, lo, _ := summarize(m.Samples)
			sd[abKey("micro", m.Name, m.Unit)] = []float64{lo}
		}
	}
	return sd, nil
}

// abRow is one judged figure.
type abRow struct {
	Name      string    // "scenario figure" or the benchmark's name
	Unit      string    // what the figure counts
	Base      float64   // median of the base's rounds
	Head      float64   // median of this tree's rounds
	Slowdowns []float64 // per round: this tree's value over the base's, oriented so > 1 is worse
	Threshold float64
	Pairs     int    // rounds in which both sides measured the figure
	Worse     int    // rounds worse than 1+Threshold
	Need      int    // rounds that must be worse for a regression
	Verdict   string // "ok", "REGRESSION", "unjudged: ..."
}

// need is how many of n paired rounds must be worse for a regression: all but one in five.
// With n = 5 that is 4: if clean code exceeds a threshold in one round out of ten, four of
// five do so by chance about once in 2,000 runs; a real slowdown exceeds it in every round.
func need(n int) int { return n - n/5 }

// judge builds the rows. Safe for concurrent use: it only reads rounds.
func judge(rounds []map[string]abSide) []abRow {
	var rows []abRow
	pair := func(key, better string) (base, head []float64) {
		for _, r := range rounds {
			b, okb := best(r[abBase][key], better)
			h, okh := best(r[abHead][key], better)
			if okb && okh {
				base, head = append(base, b), append(head, h)
			}
		}
		return base, head
	}
	ratioRow := func(name, unit, key, better string, threshold float64) abRow {
		base, head := pair(key, better)
		row := abRow{Name: name, Unit: unit, Threshold: threshold}
		row.Base, _, _ = summarize(base)
		row.Head, _, _ = summarize(head)
		for i := range base {
			s := slowdown(base[i], head[i], better)
			row.Slowdowns = append(row.Slowdowns, s)
			if s > 1+threshold {
				row.Worse++
			}
		}
		row.Pairs, row.Need = len(base), need(len(base))
		row.Verdict = verdict(row, len(base))
		return row
	}
	for _, f := range abFigures {
		rows = append(rows, ratioRow(f.scenario+" "+f.figure, unitOf(f), abKey(f.scenario, f.result, f.figure), f.better, f.threshold))
	}
	for _, m := range abMicro {
		rows = append(rows, ratioRow(m.name, "ns/op", abKey("micro", m.name, "ns/op"), "lower", m.threshold))
		// Allocations: absolute, every round of this tree must allocate nothing.
		row := abRow{Name: m.name + " allocs", Unit: "allocs/op", Need: 1}
		var head []float64
		for _, r := range rounds {
			if v, ok := best(r[abHead][abKey("micro", m.name, "allocs/op")], "lower"); ok {
				head = append(head, v)
				row.Pairs++
				if v > 0 {
					row.Worse++
				}
			}
		}
		row.Head, _, _ = summarize(head)
		row.Base = math.NaN()
		switch {
		case len(head) == 0:
			row.Verdict = "unjudged: not measured"
		case row.Worse > 0:
			row.Verdict = "REGRESSION"
		default:
			row.Verdict = "ok"
		}
		rows = append(rows, row)
	}
	for _, scen := range errorFigures {
		for _, key := range [][2]string{{"login", "errors"}, {"retr", "errors"}, {"stor", "errors"}, {"idle", "errors"},
			{"login", "incomplete"}, {"retr", "incomplete"}, {"stor", "incomplete"}, {"idle", "incomplete"}} {
			base, head := pair(abKey(scen, key[0], key[1]), "lower")
			if len(base) == 0 {
				continue
			}
			row := abRow{Name: scen + " " + key[1], Unit: "count", Pairs: len(base), Need: need(len(base))}
			row.Base, _, _ = summarize(base)
			row.Head, _, _ = summarize(head)
			for i := range base {
				if head[i] > base[i] {
					row.Worse++
				}
			}
			row.Verdict = verdict(row, len(base))
			rows = append(rows, row)
		}
	}
	return rows
}

// slowdown orients head against base so that > 1 is worse, whichever way the figure goes.
func slowdown(base, head float64, better string) float64 {
	if better == "higher" {
		base, head = head, base
	}
	switch {
	case base == head:
		return 1
	case base <= 0:
		return math.Inf(1)
	}
	return head / base
}

func verdict(r abRow, pairs int) string {
	switch {
	case pairs < minPairs:
		return fmt.Sprintf("unjudged: %d paired rounds, need %d", pairs, minPairs)
	case r.Worse >= r.Need:
		return "REGRESSION"
	}
	return "ok"
}

func unitOf(f abFigure) string {
	switch {
	case strings.HasPrefix(f.figure, "latency"):
		return "ms"
	case f.figure == "throughput":
		return "MB/s"
	case f.figure == "server_cpu_per_gib":
		return "cpu-s/GiB"
	case f.figure == "kib_per_idle_session":
		return "KiB"
	case f.figure == "rate":
		return "/s"
	}
	return ""
}

// abWrite prints the rows as a Markdown table (readable as text, pasteable into a CI job
// summary) and the verdict line; it returns the names of the regressed figures.
func abWrite(w io.Writer, rows []abRow, meta map[string]string) (regressed []string, judged int) {
	fmt.Fprintf(w, "## Regression gate: this tree against %s\n\n", meta["base"])
	fmt.Fprintln(w, "| figure | base | this tree | per round (this/base, >1 worse) | worse rounds | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range rows {
		var per []string
		for _, s := range r.Slowdowns {
			per = append(per, fmt.Sprintf("%.2f", s))
		}
		th := ""
		if r.Threshold > 0 {
			th = fmt.Sprintf(" (>%.2f)", 1+r.Threshold)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %d of %d%s, need %d | %s |\n", r.Name, num(r.Base),
			num(r.Head)+" "+r.Unit, strings.Join(per, " "), r.Worse, r.Pairs, th, r.Need, r.Verdict)
		if r.Verdict == "REGRESSION" {
			regressed = append(regressed, r.Name)
		}
		if !strings.HasPrefix(r.Verdict, "unjudged") {
			judged++
		}
	}
	fmt.Fprintln(w, "\nA figure regresses when this tree is worse than the base by more than its threshold in"+
		" all but one of every five rounds; allocation counts must stay 0 in every round; errors"+
		" must not rise. Rounds alternate the two servers on the same machine.")
	return regressed, judged
}

// runAB is report -ab: judge dir, print to stdout (and to md when set), and return an error
// naming the regressed figures.
func runAB(dir, md string) error {
	rounds, err := abRounds(dir)
	if err != nil {
		return err
	}
	if len(rounds) < minPairs {
		return fmt.Errorf("report: %d rounds in %s, the gate needs at least %d (REPS)", len(rounds), dir, minPairs)
	}
	meta := map[string]string{"base": "the base"}
	if b, err := os.ReadFile(filepath.Join(dir, "base.txt")); err == nil {
		meta["base"] = strings.TrimSpace(string(b))
	}
	rows := judge(rounds)
	var sb strings.Builder
	regressed, judged := abWrite(&sb, rows, meta)
	fmt.Print(sb.String())
	if md != "" {
		if err := os.WriteFile(md, []byte(sb.String()), 0o644); err != nil {
			return fmt.Errorf("report: write %s: %w", md, err)
		}
	}
	switch {
	case judged == 0:
		return errNothingJudged
	case len(regressed) > 0:
		return fmt.Errorf("REGRESSION in %s", strings.Join(regressed, ", "))
	}
	fmt.Printf("\nno regression: %d figures judged over %d rounds\n", judged, len(rounds))
	return nil
}
