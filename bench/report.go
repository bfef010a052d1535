// Results and reports: every figure with its unit, the pyftpdlib-style table, details
// (percentiles, errors, costs) and the JSON file regression CI compares.

package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Version is ftpbench's version, recorded in every report.
const Version = "0.1.0"

// Figure is one measured number. Better is "higher", "lower" or "" (informational: not
// compared). Samples holds one value per repetition; Value is their median.
type Figure struct {
	Name    string    `json:"name"`
	Value   float64   `json:"value"`
	Unit    string    `json:"unit"`
	Better  string    `json:"better,omitempty"`
	Samples []float64 `json:"samples,omitempty"`
}

// Result is one scenario's outcome: raw counts, the latency histogram and derived figures.
// Results are plain data: safe to read from any goroutine once Run has returned.
type Result struct {
	Scenario string  `json:"scenario"` // stable key compare matches on
	Title    string  `json:"title"`    // the table's label
	Headline string  `json:"headline"` // the figure shown in the table
	Clients  int     `json:"clients"`
	Loop     string  `json:"loop"` // "closed", "open" or "once"
	Rate     float64 `json:"target_rate,omitempty"`
	// FileSize is the bytes per file of the scenarios that move -s files, ListEntries the
	// list scenario's directory size: what merge checks, besides the key, before adding
	// up several agents' rows.
	FileSize    int64   `json:"file_size,omitempty"`
	ListEntries int     `json:"list_entries,omitempty"`
	Seconds     float64 `json:"seconds"`
	Ops         uint64  `json:"ops"`
	Bytes       uint64  `json:"bytes"`
	// BytesExpected is what the phase should have moved when that is known in advance (a
	// --count run, or one file per client in the classic concurrent phases); 0 otherwise.
	BytesExpected uint64 `json:"bytes_expected,omitempty"`
	// SessionsMissing counts clients that never logged in: their operations did not run.
	SessionsMissing int `json:"sessions_missing,omitempty"`
	// SessionsWanted is the sessions the row needed when that is not Clients (the classic
	// "1 file with N idle clients" rows: one client, N idle sessions); 0: Clients.
	SessionsWanted int `json:"sessions_wanted,omitempty"`
	// Incomplete marks a row that did not move every expected byte or had a client that
	// never logged in: its rate and throughput describe less work than the title says.
	Incomplete       bool              `json:"incomplete"`
	IncompleteReason string            `json:"incomplete_reason,omitempty"`
	Errors           map[string]uint64 `json:"errors"`
	ErrorText        map[string]string `json:"error_samples,omitempty"`
	Latency          *Histogram        `json:"latency,omitempty"`
	ClientCPU        float64           `json:"client_cpu_seconds"`
	// ClientSched is how long ftpbench's goroutines waited for a processor over the window
	// (the runtime's /sched/latencies:seconds); nil: not sampled. Merged bucket by bucket.
	ClientSched *SchedHist `json:"client_sched,omitempty"`
	ServerCPU   float64    `json:"server_cpu_seconds"` // -1: not sampled
	// ServerCPUSource says where ServerCPU came from: "schedstat" (nanoseconds of every
	// thread) or "ticks (...)" (10 ms counters, with why schedstat was not used).
	ServerCPUSource string `json:"server_cpu_source,omitempty"`
	// ServerCPUNA and MachineCPUNA, when set, say why the per-op and per-GiB figures of
	// that source are left out: too few ticks in the window to resolve them.
	ServerCPUNA  string `json:"server_cpu_na,omitempty"`
	MachineCPUNA string `json:"machine_cpu_na,omitempty"`
	// NotAvailable maps a figure left out to the reason, shown as "n/a (reason)".
	NotAvailable map[string]string `json:"not_available,omitempty"`
	ServerMem    int64             `json:"server_mem_bytes"` // RSS-shared at the end; -1: unknown
	// MachineCPU is the whole machine's busy CPU over the window (every process and the
	// kernel's softirq work, which per-process figures miss); MachineSoftirq is its
	// softirq part. -1: not sampled (no /proc/stat).
	MachineCPU     float64  `json:"machine_cpu_seconds"`
	MachineSoftirq float64  `json:"machine_softirq_seconds"`
	Figures        []Figure `json:"figures"`
	// Runs has one entry per --repeat run (when there were several), in order; the fields
	// above pool them.
	Runs []RunSummary `json:"runs,omitempty"`
	// Series has each measured window's time series (one per --repeat run; --procs
	// children's are added point by point): see Series.
	Series []*Series `json:"series,omitempty"`
	Procs  int       `json:"procs,omitempty"`
	OpUnit string    `json:"op_unit"` // what one operation is: "sessions", "transfers", ...
}

// RunSummary is what one repetition of a scenario did.
type RunSummary struct {
	Seconds    float64 `json:"seconds"`
	Ops        uint64  `json:"ops"`
	Bytes      uint64  `json:"bytes"`
	Errors     uint64  `json:"errors"`
	Headline   float64 `json:"headline"` // the value of the Result's headline figure in this run
	Incomplete bool    `json:"incomplete"`
}

// summary describes r as one run.
func (r *Result) summary() RunSummary {
	s := RunSummary{Seconds: r.Seconds, Ops: r.Ops, Bytes: r.Bytes, Errors: r.ErrorCount(), Incomplete: r.Incomplete}
	if f := r.Figure(r.Headline); f != nil {
		s.Headline = f.Value
	}
	return s
}

// Figure returns the named figure, or nil.
func (r *Result) Figure(name string) *Figure {
	for i := range r.Figures {
		if r.Figures[i].Name == name {
			return &r.Figures[i]
		}
	}
	return nil
}

// ErrorCount returns the total of every error class.
func (r *Result) ErrorCount() uint64 {
	var n uint64
	for _, v := range r.Errors {
		n += v
	}
	return n
}

func (r *Result) add(name string, v float64, unit, better string) {
	r.Figures = append(r.Figures, Figure{Name: name, Value: v, Unit: unit, Better: better, Samples: []float64{v}})
}

// result turns a finished runner into a Result with the standard figures. opUnit names
// one operation in rates ("sessions", "transfers", "listings", "ops").
func (r *runner) result(scenario, title string, clients int, opUnit string) *Result {
	res := &Result{Scenario: scenario, Title: title, Clients: clients, Loop: "closed",
		Seconds: r.end.Sub(r.start).Seconds(), Ops: r.ops.Load(), Bytes: r.bytes.Load(),
		Errors: map[string]uint64{}, ErrorText: r.errSamples, Latency: &r.hist,
		ClientCPU: (r.cpu1 - r.cpu0).Seconds(), ServerCPU: -1, ServerMem: -1, OpUnit: opUnit,
		MachineCPU: -1, MachineSoftirq: -1,
		BytesExpected: r.expected, SessionsMissing: int(r.missing.Load()),
		ClientSched: diffSched(r.sched0, r.sched1)}
	if r.cfg.Rate > 0 {
		res.Loop, res.Rate = "open", r.cfg.Rate
	}
	switch scenario {
	case "login", "idle", "mirror": // no -s files (mirror has its own fixed mix)
	case "list":
		res.ListEntries = r.cfg.ListFiles
	default: // retr, stor and pyftpdlib's rows, which all move -s files
		res.FileSize = r.cfg.FileSize
	}
	if s := r.series.Load(); s != nil {
		ser := s.finish(r.end.Sub(r.start))
		ser.Points[0].Errors += r.early.Load()
		res.Series = []*Series{ser}
	}
	for i := range r.errs {
		if v := r.errs[i].Load(); v != 0 {
			res.Errors[ErrorClass(i).String()] = v
		}
	}
	if r.machOK {
		res.setMachineCPU(r.mach0, r.mach1)
	}
	if r.srvOK {
		res.ServerCPU, res.ServerCPUSource, res.ServerCPUNA = cpuDelta(r.srv0, r.srv1)
		res.ServerMem = r.srv1.Mem
	}
	res.computeFigures()
	return res
}

// setMachineCPU fills the machine-wide figures' raw fields from two /proc/stat samples.
// Every CPU's counter truncates to a tick at each edge: under minTicks per CPU the
// per-op and per-GiB figures are left out.
func (res *Result) setMachineCPU(m0, m1 MachineSample) {
	busy := m1.Busy - m0.Busy
	res.MachineCPU = busy.Seconds()
	res.MachineSoftirq = (m1.Softirq - m0.Softirq).Seconds()
	res.MachineCPUNA = ""
	if busy < time.Duration(minTicks*runtime.NumCPU())*clockTick {
		res.MachineCPUNA = fmt.Sprintf("%d ticks of 10ms on %d CPUs, too few to resolve", busy/clockTick, runtime.NumCPU())
	}
}

// notAvailable records that a figure is left out, and why.
func (res *Result) notAvailable(name, reason string) {
	if res.NotAvailable == nil {
		res.NotAvailable = map[string]string{}
	}
	res.NotAvailable[name] = reason
}

// computeFigures derives the standard figures from the raw fields; it is rerun after
// merging results from several processes or repetitions.
func (res *Result) computeFigures() {
	opUnit := res.OpUnit
	keep := res.Figures[:0:0]
	for _, f := range res.Figures {
		if !standardFigure(f.Name) {
			keep = append(keep, f)
		}
	}
	res.Figures = nil
	for k := range res.NotAvailable {
		if standardFigure(k) {
			delete(res.NotAvailable, k)
		}
	}
	secs := res.Seconds
	if secs > 0 {
		res.add("rate", float64(res.Ops)/secs, opUnit+"/s", "higher")
		if res.Bytes > 0 {
			res.add("throughput", float64(res.Bytes)/secs/(1<<20), "MB/s", "higher")
		}
	}
	if h := res.Latency; h != nil && h.Count() > 0 {
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", .5}, {"p90", .9}, {"p99", .99}, {"p99.9", .999}, {"max", 1}} {
			res.add("latency_"+q.name, float64(h.Quantile(q.q))/1e6, "ms", "lower")
		}
		res.add("latency_mean", float64(h.Mean())/1e6, "ms", "lower")
	}
	var attempts = float64(res.Ops + res.ErrorCount())
	if attempts > 0 {
		res.add("errors", float64(res.ErrorCount()), "count", "lower")
		res.add("error_ratio", float64(res.ErrorCount())/attempts*100, "%", "lower")
	}
	gib := float64(res.Bytes) / (1 << 30)
	if res.Ops > 0 {
		res.add("client_cpu_per_op", res.ClientCPU/float64(res.Ops)*1e6, "us/"+strings.TrimSuffix(opUnit, "s"), "lower")
	}
	if gib > 0.01 {
		res.add("client_cpu_per_gib", res.ClientCPU/gib, "cpu-s/GiB", "lower")
	}
	res.addSchedFigures()
	if res.ServerCPU >= 0 {
		res.add("server_cpu", res.ServerCPU, "cpu-s", "")
		switch {
		case res.ServerCPUNA != "":
			if res.Ops > 0 {
				res.notAvailable("server_cpu_per_op", res.ServerCPUNA)
			}
			if gib > 0.01 {
				res.notAvailable("server_cpu_per_gib", res.ServerCPUNA)
			}
		default:
			if res.Ops > 0 {
				res.add("server_cpu_per_op", res.ServerCPU/float64(res.Ops)*1e6, "us/"+strings.TrimSuffix(opUnit, "s"), "lower")
			}
			if gib > 0.01 {
				res.add("server_cpu_per_gib", res.ServerCPU/gib, "cpu-s/GiB", "lower")
			}
		}
	}
	if res.MachineCPU >= 0 {
		// Informational (not compared): it includes every other process on the machine.
		res.add("machine_cpu", res.MachineCPU, "cpu-s", "")
		res.add("machine_softirq", res.MachineSoftirq, "cpu-s", "")
		if res.Ops > 0 {
			if res.MachineCPUNA != "" {
				res.notAvailable("machine_cpu_per_op", res.MachineCPUNA)
			} else {
				res.add("machine_cpu_per_op", res.MachineCPU/float64(res.Ops)*1e6, "us/"+strings.TrimSuffix(opUnit, "s"), "")
			}
		}
		if gib > 0.01 {
			if res.MachineCPUNA != "" {
				res.notAvailable("machine_cpu_per_gib", res.MachineCPUNA)
				res.notAvailable("machine_softirq_per_gib", res.MachineCPUNA)
			} else {
				res.add("machine_cpu_per_gib", res.MachineCPU/gib, "cpu-s/GiB", "")
				res.add("machine_softirq_per_gib", res.MachineSoftirq/gib, "cpu-s/GiB", "")
			}
		}
	}
	if res.ServerMem >= 0 {
		res.add("server_mem", float64(res.ServerMem)/(1<<20), "MiB", "lower")
	}
	res.Figures = append(res.Figures, keep...)
	res.judge()
}

// sessionsWanted is SessionsWanted, or Clients when that is not set.
func (res *Result) sessionsWanted() int {
	if res.SessionsWanted > 0 {
		return res.SessionsWanted
	}
	return res.Clients
}

// mergeSessions adds o's session counts to res's (repetitions or --procs children): the
// sessions wanted add up like the missing ones, so the reason's "M of N" stays a ratio.
func (res *Result) mergeSessions(o *Result) {
	res.SessionsWanted = res.sessionsWanted() + o.sessionsWanted()
	res.SessionsMissing += o.SessionsMissing
	res.BytesExpected += o.BytesExpected
}

// judge sets Incomplete and its reason from the raw counts.
func (res *Result) judge() {
	var why []string
	if res.SessionsMissing > 0 {
		why = append(why, fmt.Sprintf("%d of %d sessions never logged in", res.SessionsMissing, res.sessionsWanted()))
	}
	if res.BytesExpected > 0 && res.Bytes < res.BytesExpected {
		why = append(why, fmt.Sprintf("moved %s of %s", FormatSize(int64(res.Bytes)), FormatSize(int64(res.BytesExpected))))
	}
	res.Incomplete = len(why) > 0
	res.IncompleteReason = strings.Join(why, "; ")
}

func standardFigure(name string) bool {
	switch name {
	case "rate", "throughput", "latency_p50", "latency_p90", "latency_p99", "latency_p99.9",
		"latency_max", "latency_mean", "errors", "error_ratio", "client_cpu_per_op",
		"client_cpu_per_gib", "server_cpu", "server_cpu_per_op", "server_cpu_per_gib", "server_mem",
		"machine_cpu", "machine_softirq", "machine_cpu_per_op", "machine_cpu_per_gib", "machine_softirq_per_gib",
		"client_sched_p50", "client_sched_p99", "client_sched_max":
		return true
	}
	return false
}

// Machine describes where a report was made.
type Machine struct {
	Hostname  string `json:"hostname"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model,omitempty"`
	Kernel    string `json:"kernel,omitempty"`
	GoVersion string `json:"go_version"`
}

// Report is everything one ftpbench invocation measured.
type Report struct {
	Tool      string    `json:"tool"`
	Version   string    `json:"version"`
	Target    string    `json:"target"`
	Started   time.Time `json:"started"`
	Args      []string  `json:"args,omitempty"`
	Machine   Machine   `json:"machine"`
	ServerMem int64     `json:"server_mem_start_bytes"` // -1: not sampled
	Results   []*Result `json:"results"`
	// Agents lists the reports `ftpbench merge` added up into this one.
	Agents []Agent `json:"agents,omitempty"`
}

// ThisMachine describes the running machine.
func ThisMachine() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	m.Hostname, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// WriteJSON writes the report, indented, to path. The per-second histograms of the time
// series are left out (an hour of them would run to tens of megabytes indented): the file
// keeps each second's percentiles; the histograms travel only from --procs children to
// their parent, which merges them.
func (rep *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(rep.withoutSeriesHistograms(), "", "  ")
	if err != nil {
		return fmt.Errorf("bench: encode report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: write report %s: %w", path, err)
	}
	return nil
}

// withoutSeriesHistograms returns a copy of rep whose series points have no histogram;
// rep is not modified.
func (rep *Report) withoutSeriesHistograms() *Report {
	out := *rep
	out.Results = make([]*Result, len(rep.Results))
	for i, r := range rep.Results {
		c := *r
		c.Series = make([]*Series, len(r.Series))
		for j, s := range r.Series {
			cs := *s
			cs.Points = append([]SeriesPoint(nil), s.Points...)
			for k := range cs.Points {
				cs.Points[k].Latency = nil
			}
			c.Series[j] = &cs
		}
		out.Results[i] = &c
	}
	return &out
}

// ReadReport reads a report written by WriteJSON.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: read report %s: %w", path, err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("bench: decode report %s: %w", path, err)
	}
	return &rep, nil
}

// PrintTable writes pyftpdlib's table: one line per result with its label, headline figure,
// unit and the server's memory. With details, the percentiles, errors and costs follow
// each line, indented.
func (rep *Report) PrintTable(w io.Writer, details bool) {
	if rep.ServerMem >= 0 {
		fmt.Fprintf(w, "(starting with %s of memory being used)\n", FormatSize(rep.ServerMem))
	}
	for _, r := range rep.Results {
		r.printLine(w)
		if details {
			r.printDetails(w)
		}
	}
}

func (r *Result) printLine(w io.Writer) {
	f := r.Figure(r.Headline)
	val, unit := 0.0, ""
	if f != nil {
		val, unit = f.Value, f.Unit
	}
	mem := ""
	if r.ServerMem >= 0 {
		mem = FormatSize(r.ServerMem)
	}
	if why, ok := r.NotAvailable[r.Headline]; ok && f == nil {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-50s %8s (%s) %s", r.Title, "n/a", why, mem), " "))
	} else {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-50s %8.2f %-8s %s", r.Title, val, unit, mem), " "))
	}
	if f != nil && len(f.Samples) > 1 {
		io.WriteString(w, "    "+spreadLine(f)+"\n")
	}
	if r.Incomplete {
		// Under the row even without details: the figure above describes less work than
		// its title says.
		fmt.Fprintf(w, "    INCOMPLETE: %s\n", r.IncompleteReason)
	}
}

func (r *Result) printDetails(w io.Writer) {
	var b strings.Builder
	if r.Latency != nil && r.Latency.Count() > 0 {
		h := r.Latency
		fmt.Fprintf(&b, "    latency p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%d ops in %.2fs)\n",
			fmtDur(h.Quantile(.5)), fmtDur(h.Quantile(.9)), fmtDur(h.Quantile(.99)),
			fmtDur(h.Quantile(.999)), fmtDur(h.Max()), r.Ops, r.Seconds)
	}
	if r.BytesExpected > 0 {
		fmt.Fprintf(&b, "    bytes moved %s of %s expected\n", FormatSize(int64(r.Bytes)), FormatSize(int64(r.BytesExpected)))
	} else if r.Bytes > 0 {
		// A timed window: transfers cut at its edges make the total unknowable in advance.
		fmt.Fprintf(&b, "    bytes moved %s in the window\n", FormatSize(int64(r.Bytes)))
	}
	if n := r.ErrorCount(); n > 0 {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("    errors")
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s %d", k, r.Errors[k])
		}
		b.WriteByte('\n')
		for _, k := range keys {
			if t := r.ErrorText[k]; t != "" {
				fmt.Fprintf(&b, "      %s: %s\n", k, t)
			}
		}
	}
	// Per-process costs (ftpbench itself, the server's process tree), then the whole
	// machine's, which also holds softirq work charged to no process in particular.
	for gi, names := range [][]string{
		{"client_cpu_per_op", "server_cpu_per_op", "client_cpu_per_gib", "server_cpu_per_gib", "kib_per_idle_session", "noop_latency_p99"},
		{"machine_cpu_per_op", "machine_cpu_per_gib", "machine_softirq_per_gib"},
	} {
		var costs []string
		var naNames []string // figures left out for the same reason share one "n/a (reason)"
		naWhy := ""
		flushNA := func() {
			if len(naNames) > 0 {
				costs = append(costs, fmt.Sprintf("%s n/a (%s)", strings.Join(naNames, ", "), naWhy))
				naNames = nil
			}
		}
		for _, name := range names {
			if f := r.Figure(name); f != nil {
				flushNA()
				costs = append(costs, fmt.Sprintf("%s %.2f %s", name, f.Value, f.Unit))
			} else if why, ok := r.NotAvailable[name]; ok {
				if why != naWhy {
					flushNA()
				}
				naNames, naWhy = append(naNames, name), why
			}
		}
		flushNA()
		if gi == 0 {
			// Beside ftpbench's CPU: its own wait for a processor, part of every latency above.
			if s := r.schedText(); s != "" {
				costs = append(costs, s)
			}
		}
		if len(costs) > 0 {
			b.WriteString("    " + strings.Join(costs, "  ") + "\n")
		}
	}
	io.WriteString(w, b.String())
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fus", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// spreadLine shows every run of a repeated figure, in order, and their spread as
// benchstat does: the median the table shows, min and max, and ±, half the range over
// the median.
func spreadLine(f *Figure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d runs:", len(f.Samples))
	for _, v := range f.Samples {
		fmt.Fprintf(&b, " %.2f", v)
	}
	lo, hi := f.Samples[0], f.Samples[0]
	for _, v := range f.Samples {
		lo, hi = min(lo, v), max(hi, v)
	}
	med := median(f.Samples)
	fmt.Fprintf(&b, " %s; min %.2f  median %.2f  max %.2f", f.Unit, lo, med, hi)
	if med != 0 {
		fmt.Fprintf(&b, "  (±%.1f%%)", (hi-lo)/2/math.Abs(med)*100)
	}
	return b.String()
}
