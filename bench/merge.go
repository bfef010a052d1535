// Merging results measured concurrently: --procs children of one ftpbench (lock-step
// windows) and `ftpbench merge`, the --json reports of several agents that loaded one
// fleet at the same time. One function does both; the rule says how their windows add up.

package bench

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrMergeMismatch: reports that did not measure the same thing (other scenarios, file
// sizes, loop kinds) and so cannot be added up.
var ErrMergeMismatch = errors.New("bench: reports do not measure the same workload")

// mergeRule says how the windows of merged results combine.
type mergeRule int

const (
	// lockStep: --procs children, started together by one parent, open their windows
	// after the same warm-up; the window is their mean and rates are totals over it.
	lockStep mergeRule = iota
	// agents: independent ftpbench runs (other machines, other clocks). The wall time is
	// the longest agent's window, rates are the sum of the agents' rates, server and
	// machine costs are summed over the agents that sampled them, and time series are
	// aligned on their wall-clock starts.
	agents
)

// Agent records one report that `ftpbench merge` folded into another.
type Agent struct {
	File    string    `json:"file"`
	Target  string    `json:"target"`
	Started time.Time `json:"started"`
	Machine Machine   `json:"machine"`
	Args    []string  `json:"args,omitempty"`
}

// MergeAgents merges the reports of agents that ran the same scenarios against one fleet
// at the same time (`ftpbench merge`): counts, bytes, errors by class, sessions and
// histograms add up, so percentiles are those of every operation of every agent; rates
// add up; the window is the longest agent's. files names each report in errors and in
// the result's Agents. Reports whose scenarios, file sizes, listing sizes or loop kinds
// differ are refused with ErrMergeMismatch. The reports' results are modified and reused.
func MergeAgents(reps []*Report, files []string) (*Report, error) {
	if len(reps) < 2 || len(files) != len(reps) {
		return nil, fmt.Errorf("bench: merge needs two reports or more, got %d: %w", len(reps), ErrBadConfig)
	}
	for i := range reps {
		if err := matchReports(reps[0], files[0], reps[i], files[i]); err != nil {
			return nil, err
		}
	}
	out := &Report{Tool: "ftpbench", Version: Version, Started: reps[0].Started, Machine: reps[0].Machine,
		ServerMem: -1, Args: append([]string{"ftpbench", "merge"}, files...)}
	var targets []string
	for i, rep := range reps {
		out.Agents = append(out.Agents, Agent{File: files[i], Target: rep.Target, Started: rep.Started,
			Machine: rep.Machine, Args: rep.Args})
		if rep.Started.Before(out.Started) {
			out.Started = rep.Started
		}
		if !slices.Contains(targets, rep.Target) {
			targets = append(targets, rep.Target)
		}
		if rep.ServerMem >= 0 {
			out.ServerMem = max(out.ServerMem, 0) + rep.ServerMem
		}
	}
	out.Target = strings.Join(targets, ",")
	out.Results = mergeResults(reps, agents)
	return out, nil
}

// matchReports returns an ErrMergeMismatch naming both files when b did not measure
// what a did. Every report must hold each scenario once and as one run.
func matchReports(a *Report, fa string, b *Report, fb string) error {
	seen := map[string]bool{}
	for _, r := range b.Results {
		if seen[r.Scenario] {
			return fmt.Errorf("bench: merge: %s holds scenario %q twice: %w", fb, r.Scenario, ErrMergeMismatch)
		}
		seen[r.Scenario] = true
		if len(r.Runs) > 1 {
			return fmt.Errorf("bench: merge: %s: scenario %q has %d --repeat runs; merge reports of one run each: %w",
				fb, r.Scenario, len(r.Runs), ErrMergeMismatch)
		}
		o := findResult(a, r.Scenario)
		if o == nil {
			return fmt.Errorf("bench: merge: %s has scenario %q, %s has not: %w", fb, r.Scenario, fa, ErrMergeMismatch)
		}
		switch {
		case o.FileSize != r.FileSize:
			return fmt.Errorf("bench: merge: scenario %q: %s moves files of %s, %s of %s: %w", r.Scenario,
				fa, FormatSize(o.FileSize), fb, FormatSize(r.FileSize), ErrMergeMismatch)
		case o.ListEntries != r.ListEntries:
			return fmt.Errorf("bench: merge: scenario %q: %s lists %d entries, %s lists %d: %w", r.Scenario,
				fa, o.ListEntries, fb, r.ListEntries, ErrMergeMismatch)
		case o.Loop != r.Loop:
			return fmt.Errorf("bench: merge: scenario %q: %s ran a %s loop, %s a %s loop: %w", r.Scenario,
				fa, o.Loop, fb, r.Loop, ErrMergeMismatch)
		case o.OpUnit != r.OpUnit:
			return fmt.Errorf("bench: merge: scenario %q: %s counts %s, %s counts %s: %w", r.Scenario,
				fa, o.OpUnit, fb, r.OpUnit, ErrMergeMismatch)
		}
	}
	for _, r := range a.Results {
		if !seen[r.Scenario] {
			return fmt.Errorf("bench: merge: %s has scenario %q, %s has not: %w", fa, r.Scenario, fb, ErrMergeMismatch)
		}
	}
	return nil
}

// mergeResults merges the reports' results scenario by scenario into the first report's
// (which it returns): counts, bytes, errors, sessions and histograms add up, the client
// CPU too; the window and the costs combine as rule says.
func mergeResults(reps []*Report, rule mergeRule) []*Result {
	if len(reps) == 0 {
		return nil
	}
	shared := sharedHost(reps)
	out := reps[0].Results
	for _, base := range out {
		extra := map[string][]float64{}
		noteExtra := func(r *Result) {
			for _, f := range r.Figures {
				if !standardFigure(f.Name) {
					extra[f.Name] = append(extra[f.Name], f.Value)
				}
			}
		}
		noteExtra(base)
		if base.Errors == nil {
			base.Errors = map[string]uint64{}
		}
		secs, clients0 := base.Seconds, base.Clients
		rate, tput := figureValue(base, "rate"), figureValue(base, "throughput")
		costs := newCostSum(base)
		for _, rep := range reps[1:] {
			for _, o := range rep.Results {
				if o.Scenario != base.Scenario {
					continue
				}
				base.Ops += o.Ops
				base.Bytes += o.Bytes
				base.mergeSessions(o)
				if rule == agents {
					secs = max(secs, o.Seconds)
				} else {
					secs += o.Seconds
				}
				rate += figureValue(o, "rate")
				tput += figureValue(o, "throughput")
				costs.add(o)
				base.ClientCPU += o.ClientCPU
				// Bucket by bucket: an average (or the max) of the parts' p99s is not the
				// p99 of their events together.
				base.ClientSched = mergeSched(base.ClientSched, o.ClientSched)
				base.Clients += o.Clients
				for k, v := range o.Errors {
					base.Errors[k] += v
				}
				for k, v := range o.ErrorText {
					if base.ErrorText == nil {
						base.ErrorText = map[string]string{}
					}
					if base.ErrorText[k] == "" {
						base.ErrorText[k] = v
					}
				}
				if base.Latency == nil {
					base.Latency = o.Latency
				} else if o.Latency != nil {
					base.Latency.Merge(o.Latency)
				}
				if rule == agents && len(base.Series) == 1 && len(o.Series) == 1 {
					alignSeries(base.Series[0], o.Series[0])
				}
				base.Series = mergeSeries(base.Series, o.Series)
				noteExtra(o)
			}
		}
		base.Title = retitle(base.Title, clients0, base.Clients)
		switch rule {
		case lockStep:
			base.Seconds = secs / float64(len(reps))
			// The server is sampled by the parent; MachineCPU stays the first child's,
			// since every child sees the same machine over about the same window.
			base.ServerCPU, base.ServerMem = -1, -1
		case agents:
			base.Seconds = secs
			costs.store(base, shared)
		}
		var kept []Figure
		for _, f := range base.Figures {
			if standardFigure(f.Name) {
				continue
			}
			v := extra[f.Name]
			switch {
			case f.Unit == "count" || f.Name == "login_rate" || f.Name == "entries_rate":
				f.Value = sum(v) // totals and rates add up across processes
			case f.Name == "seconds":
				f.Value = slices.Max(v) // a "once" row's wall time is its slowest part's (v holds base's own value)
			default:
				f.Value = sum(v) / float64(len(v))
			}
			f.Samples = []float64{f.Value}
			kept = append(kept, f)
		}
		base.Figures = kept
		base.computeFigures()
		if rule == agents {
			// Agents' windows need not coincide (--count runs end when they end): the
			// fleet's rate is the sum of what each agent drove, not the total over the
			// longest window.
			setFigure(base, "rate", rate)
			setFigure(base, "throughput", tput)
		}
	}
	return out
}

// clientsInTitle finds the count a row's title gives: "retr: 4 streams (...)", "login: 10
// clients (...)", "idle: 200 sessions (...)", "300 concurrent clients (...)".
var clientsInTitle = regexp.MustCompile(`\b(\d+) (concurrent )?(clients|streams|sessions)\b`)

// retitle makes a merged row's title give the clients of every part, not the first part's
// (n); titles whose count is something else ("1 file with 200 idle clients") stay.
func retitle(title string, n, total int) string {
	m := clientsInTitle.FindStringSubmatchIndex(title)
	if m == nil || title[m[2]:m[3]] != strconv.Itoa(n) {
		return title
	}
	return title[:m[2]] + strconv.Itoa(total) + title[m[3]:]
}

// costSum adds up the server and machine costs of agents that sampled them.
type costSum struct {
	srvCPU, srvMem, mach, machSoftirq float64
	srvN, memN, machN                 int
	srvSource, srvNA, machNA          string
}

func newCostSum(r *Result) *costSum {
	c := &costSum{}
	c.add(r)
	return c
}

func (c *costSum) add(r *Result) {
	if r.ServerCPU >= 0 {
		c.srvCPU += r.ServerCPU
		c.srvN++
		c.srvSource = firstSet(c.srvSource, r.ServerCPUSource)
		c.srvNA = firstSet(c.srvNA, r.ServerCPUNA)
	}
	if r.ServerMem >= 0 {
		c.srvMem += float64(r.ServerMem)
		c.memN++
	}
	if r.MachineCPU >= 0 {
		c.mach += r.MachineCPU
		c.machSoftirq += r.MachineSoftirq
		c.machN++
		c.machNA = firstSet(c.machNA, r.MachineCPUNA)
	}
}

// store writes the sums into r. Machine CPU is left out (-1) when two agents ran on one
// host: each of them counted the whole machine, so their sum would count it twice.
func (c *costSum) store(r *Result, sharedHost bool) {
	r.ServerCPU, r.ServerCPUSource, r.ServerCPUNA = -1, "", ""
	if c.srvN > 0 {
		r.ServerCPU, r.ServerCPUSource, r.ServerCPUNA = c.srvCPU, c.srvSource, c.srvNA
	}
	r.ServerMem = -1
	if c.memN > 0 {
		r.ServerMem = int64(c.srvMem)
	}
	r.MachineCPU, r.MachineSoftirq, r.MachineCPUNA = -1, -1, ""
	if c.machN > 0 && !sharedHost {
		r.MachineCPU, r.MachineSoftirq, r.MachineCPUNA = c.mach, c.machSoftirq, c.machNA
	}
}

// firstSet returns a when set, else b: the first non-empty of several agents' texts.
func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sharedHost reports whether two of the reports were made on the same host.
func sharedHost(reps []*Report) bool {
	seen := map[string]bool{}
	for _, r := range reps {
		if seen[r.Machine.Hostname] {
			return true
		}
		seen[r.Machine.Hostname] = true
	}
	return false
}

// alignSeries shifts the later-starting of two windows onto the earlier one's timeline,
// a whole interval at a time, by their wall-clock starts: agents started by hand, by ssh
// or by cron open their windows a few seconds apart, and their seconds must add up
// second by second. Series of different intervals are left as they are.
func alignSeries(a, b *Series) {
	if a.Interval <= 0 || a.Interval != b.Interval {
		return
	}
	k := int(math.Round(b.Start.Sub(a.Start).Seconds() / a.Interval))
	if k < 0 {
		a, b, k = b, a, -k
	}
	if k == 0 || k > maxSeriesPoints {
		return // together already, or an hour apart: not one load, nothing to align
	}
	b.Points = append(make([]SeriesPoint, k, k+len(b.Points)), b.Points...)
	for j := range b.Points {
		b.Points[j].T = float64(j) * b.Interval
		if j < k {
			b.Points[j].Secs = b.Interval
		}
	}
	b.Start = a.Start
}

func figureValue(r *Result, name string) float64 {
	if f := r.Figure(name); f != nil {
		return f.Value
	}
	return 0
}

func setFigure(r *Result, name string, v float64) {
	if f := r.Figure(name); f != nil {
		f.Value, f.Samples = v, []float64{v}
	}
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
