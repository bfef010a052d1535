// Loading a results directory written by perf/run.sh: every ftpbench JSON, the peak memory
// samples, the Go microbenchmark output, the run's metadata, folded into Cells of samples.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fastftp/fastftp/bench"
)

// Cell is one figure of one scenario on one server, with a sample per repetition.
type Cell struct {
	Server   string    `json:"server"`
	Scenario string    `json:"scenario"` // run.sh's name, e.g. "retr-100x10M"
	Result   string    `json:"result"`   // ftpbench's result key within the file ("classic" has several)
	Figure   string    `json:"figure"`
	Unit     string    `json:"unit"`
	Samples  []float64 `json:"samples"`
	Median   float64   `json:"median"`
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
}

// Micro is one Go benchmark metric over the repetitions.
type Micro struct {
	Name    string    `json:"name"` // e.g. "proto BenchmarkParse/verb=RETR"
	Unit    string    `json:"unit"` // "ns/op", "allocs/op", "%err", ...
	Samples []float64 `json:"samples"`
	Median  float64   `json:"median"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
}

// ClassicRow is one line of pyftpdlib's ftpbench table: ftpbench's key, its label and
// the figure the table shows.
type ClassicRow struct {
	Key, Title, Headline string
}

// Results is everything one perf/run.sh produced, summarised.
type Results struct {
	Meta     map[string]string `json:"meta"`
	Versions map[string]string `json:"versions"`
	Auth     map[string]string `json:"auth"`
	Commands []string          `json:"commands"`
	Crashes  []string          `json:"crashes,omitempty"`
	Classic  []ClassicRow      `json:"classic"` // the pyftpdlib suite's lines, in order
	Cells    []*Cell           `json:"cells"`
	Micro    []*Micro          `json:"micro"`
	index    map[string]*Cell
}

func cellKey(server, scenario, result, figure string) string {
	return server + "\x00" + scenario + "\x00" + result + "\x00" + figure
}

// Get returns the cell or nil.
func (r *Results) Get(server, scenario, result, figure string) *Cell {
	return r.index[cellKey(server, scenario, result, figure)]
}

func (r *Results) add(server, scenario, result, figure, unit string, v float64) {
	k := cellKey(server, scenario, result, figure)
	c := r.index[k]
	if c == nil {
		c = &Cell{Server: server, Scenario: scenario, Result: result, Figure: figure, Unit: unit}
		r.index[k] = c
		r.Cells = append(r.Cells, c)
	}
	c.Samples = append(c.Samples, v)
}

// loadSummary reads a summary written by -json (perf/results/latest.json): the figures the
// tables and charts use, without the raw reports.
func loadSummary(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	r.index = map[string]*Cell{}
	for _, c := range r.Cells {
		r.index[cellKey(c.Server, c.Scenario, c.Result, c.Figure)] = c
	}
	for _, m := range []*map[string]string{&r.Meta, &r.Versions, &r.Auth} {
		if *m == nil {
			*m = map[string]string{}
		}
	}
	return &r, nil
}

// load reads dir (OUT of run.sh).
func load(dir string) (*Results, error) {
	r := &Results{Meta: map[string]string{}, Versions: map[string]string{}, Auth: map[string]string{},
		index: map[string]*Cell{}}
	if err := r.loadMeta(filepath.Join(dir, "meta.txt")); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "commands.txt")); err == nil {
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" && !seen[l] {
				seen[l] = true
				r.Commands = append(r.Commands, l)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "crashes.txt")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "== ") {
				r.Crashes = append(r.Crashes, strings.TrimPrefix(l, "== "))
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "raw", "*", "*", "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		server := filepath.Base(filepath.Dir(f))
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		if scen, ok := strings.CutSuffix(base, ".peak"); ok {
			if err := r.loadPeak(f, server, scen); err != nil {
				return nil, err
			}
			continue
		}
		if scen, ok := strings.CutSuffix(base, ".sched"); ok {
			if err := r.loadSched(f, server, scen); err != nil {
				return nil, err
			}
			continue
		}
		if scen, kind, ok := backgroundOf(base); ok {
			if err := r.loadBackground(f, server, scen, kind); err != nil {
				return nil, err
			}
			continue
		}
		if err := r.loadReport(f, server, base); err != nil {
			return nil, err
		}
	}
	micro, _ := filepath.Glob(filepath.Join(dir, "raw", "*", "*", "micro.txt"))
	sort.Strings(micro)
	for _, f := range micro {
		if err := r.loadMicro(f); err != nil {
			return nil, err
		}
	}
	for _, c := range r.Cells {
		c.Median, c.Min, c.Max = summarize(c.Samples)
	}
	for _, m := range r.Micro {
		m.Median, m.Min, m.Max = summarize(m.Samples)
	}
	return r, nil
}

// loadMeta reads run.sh's "key value..." lines; versions and auth kinds have a second key.
func (r *Results) loadMeta(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: read %s: %w", path, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "":
		case "auth":
			s, kind, _ := strings.Cut(v, " ")
			r.Auth[s] = kind
		case "fastftpd", "pyftpdlib", "vsftpd", "proftpd", "pureftpd", "ftpserver":
			r.Versions[k] = v
		default:
			r.Meta[k] = v
		}
	}
	return nil
}

func (r *Results) loadReport(path, server, scenario string) error {
	rep, err := bench.ReadReport(path)
	if err != nil {
		return err
	}
	for _, res := range rep.Results {
		key := res.Scenario
		if scenario == "classic" && !r.hasClassic(key) {
			r.Classic = append(r.Classic, ClassicRow{Key: key, Title: res.Title, Headline: res.Headline})
		}
		for _, f := range res.Figures {
			r.add(server, scenario, key, f.Name, f.Unit, f.Value)
		}
		// Derived figures: memory per session where ftpbench could not report it (--procs
		// runs), and growth over the scenario.
		if rep.ServerMem >= 0 && res.ServerMem >= 0 {
			grow := float64(res.ServerMem - rep.ServerMem)
			r.add(server, scenario, key, "server_mem_growth", "MiB", grow/(1<<20))
			if s := res.Figure("sessions"); s != nil && s.Value > 0 && res.Figure("kib_per_idle_session") == nil {
				r.add(server, scenario, key, "kib_per_idle_session", "KiB", grow/s.Value/1024)
			}
		}
	}
	return nil
}

func (r *Results) loadPeak(path, server, scenario string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: read %s: %w", path, err)
	}
	var p struct {
		Start    int64 `json:"start_bytes"`
		Peak     int64 `json:"peak_bytes"`
		Growth   int64 `json:"growth_peak_bytes"`
		StartPSS int64 `json:"start_pss_bytes"`
		PeakPSS  int64 `json:"peak_pss_bytes"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("report: decode %s: %w", path, err)
	}
	r.add(server, scenario, "peak", "peak_growth", "MiB", float64(p.Growth)/(1<<20))
	if p.PeakPSS > 0 {
		grow := float64(p.PeakPSS - p.StartPSS)
		r.add(server, scenario, "peak", "pss_growth", "MiB", grow/(1<<20))
		// Per session: the idle report beside this file says how many were opened.
		side := strings.TrimSuffix(path, ".peak.json") + ".json"
		if rep, err := bench.ReadReport(side); err == nil {
			for _, res := range rep.Results {
				if s := res.Figure("sessions"); s != nil && s.Value > 0 {
					r.add(server, scenario, "idle", "pss_kib_per_idle_session", "KiB", grow/s.Value/1024)
				}
			}
		}
	}
	return nil
}

// backgroundOf splits a background load's report name (run.sh's mixed_load:
// "idle-2000-mixed.bg-retr") into its scenario and kind ("retr", "login").
func backgroundOf(base string) (scen, kind string, ok bool) {
	scen, kind, ok = strings.Cut(base, ".bg-")
	return scen, kind, ok && (kind == "retr" || kind == "login")
}

// loadBackground reads the report of a background load that ran beside scenario: its
// throughput (retr) or rate (login) becomes the "background" result's retr_throughput or
// login_rate. An interrupted run's report is the window it ran, which is what is wanted.
func (r *Results) loadBackground(path, server, scenario, kind string) error {
	rep, err := bench.ReadReport(path)
	if err != nil {
		return err
	}
	fig := map[string]string{"retr": "throughput", "login": "rate"}[kind]
	for _, res := range rep.Results {
		if f := res.Figure(fig); f != nil {
			r.add(server, scenario, "background", kind+"_"+fig, f.Unit, f.Value)
		}
	}
	return nil
}

// loadSched reads perf/schedlat's summary of the server's scheduler delay over one run.
// A window with no sample (nothing was runnable) adds nothing.
func (r *Results) loadSched(path, server, scenario string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: read %s: %w", path, err)
	}
	var s struct {
		Samples uint64  `json:"samples"`
		P50     float64 `json:"p50_ms"`
		P99     float64 `json:"p99_ms"`
		Max     float64 `json:"max_ms"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("report: decode %s: %w", path, err)
	}
	if s.Samples == 0 {
		return nil
	}
	r.add(server, scenario, "sched", "p50", "ms", s.P50)
	r.add(server, scenario, "sched", "p99", "ms", s.P99)
	r.add(server, scenario, "sched", "max", "ms", s.Max)
	return nil
}

// benchLine matches "BenchmarkX/sub-2   	 123	  45.6 ns/op	 0 B/op	 0 allocs/op".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func (r *Results) loadMicro(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("report: open %s: %w", path, err)
	}
	defer f.Close()
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = filepath.Base(p)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := pkg + " " + m[1]
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			r.addMicro(name, fields[i+1], v)
		}
	}
	return sc.Err()
}

func (r *Results) addMicro(name, unit string, v float64) {
	for _, m := range r.Micro {
		if m.Name == name && m.Unit == unit {
			m.Samples = append(m.Samples, v)
			return
		}
	}
	r.Micro = append(r.Micro, &Micro{Name: name, Unit: unit, Samples: []float64{v}})
}

// MicroGet returns the named metric or nil.
func (r *Results) MicroGet(name, unit string) *Micro {
	for _, m := range r.Micro {
		if m.Name == name && m.Unit == unit {
			return m
		}
	}
	return nil
}

func (r *Results) hasClassic(key string) bool {
	for _, c := range r.Classic {
		if c.Key == key {
			return true
		}
	}
	return false
}

// summaryFigures are the figures the committed summary keeps (the raw JSON has them all).
var summaryFigures = map[string]bool{
	"rate": true, "throughput": true, "latency_p50": true, "latency_p99": true, "seconds": true,
	"errors": true, "server_cpu_per_op": true, "server_cpu_per_gib": true, "client_cpu_per_gib": true,
	"server_mem": true, "server_mem_growth": true, "sessions": true, "kib_per_idle_session": true,
	"pss_kib_per_idle_session": true, "peak_growth": true, "pss_growth": true, "entries_rate": true,
}

// summary returns a copy of r holding only summaryFigures, to keep the committed file small.
func (r *Results) summary() *Results {
	out := *r
	out.Cells = nil
	for _, c := range r.Cells {
		if summaryFigures[c.Figure] {
			k := *c
			k.Samples = make([]float64, len(c.Samples))
			for i, v := range c.Samples {
				k.Samples[i] = round5(v)
			}
			k.Median, k.Min, k.Max = round5(c.Median), round5(c.Min), round5(c.Max)
			out.Cells = append(out.Cells, &k)
		}
	}
	return &out
}

// encode writes r as JSON with one cell or micro figure per line: small, and a rerun
// diffs line by line.
func (r *Results) encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	field := func(key string, v any) error {
		j, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%q: %s,\n", key, j)
		return nil
	}
	for _, f := range []struct {
		k string
		v any
	}{{"meta", r.Meta}, {"versions", r.Versions}, {"auth", r.Auth}, {"commands", r.Commands},
		{"crashes", r.Crashes}, {"classic", r.Classic}} {
		if err := field(f.k, f.v); err != nil {
			return nil, err
		}
	}
	list := func(key string, n int, item func(int) any, last bool) error {
		fmt.Fprintf(&b, "%q: [\n", key)
		for i := 0; i < n; i++ {
			j, err := json.Marshal(item(i))
			if err != nil {
				return err
			}
			b.Write(j)
			if i < n-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]")
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		return nil
	}
	if err := list("cells", len(r.Cells), func(i int) any { return r.Cells[i] }, false); err != nil {
		return nil, err
	}
	if err := list("micro", len(r.Micro), func(i int) any { return r.Micro[i] }, true); err != nil {
		return nil, err
	}
	b.WriteString("}\n")
	if !json.Valid(b.Bytes()) {
		return nil, errBadJSON
	}
	return b.Bytes(), nil
}

// round5 keeps five significant digits: more than any figure here is accurate to.
func round5(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, 4-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}
