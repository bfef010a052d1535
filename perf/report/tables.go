// The BENCHMARKS.md sections: one function per table, each returning Markdown. Cells show
// "median (min–max)" over the repetitions; ratios compare medians.
package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// peers in table order; raw is the loopback reference, not a peer.
var peers = []string{"pyftpdlib", "vsftpd", "proftpd", "pureftpd", "ftpserver"}

var label = map[string]string{
	"fastftpd": "**fastftpd**", "pyftpdlib": "pyftpdlib", "vsftpd": "vsftpd", "proftpd": "proftpd",
	"pureftpd": "pure-ftpd", "ftpserver": "fclairamb/ftpserver", "raw": "raw sendfile (ceiling)",
}

func row(cols ...string) string { return "| " + strings.Join(cols, " | ") + " |\n" }

func header(cols ...string) string {
	sep := make([]string, len(cols))
	for i := range sep {
		sep[i] = "---"
	}
	return row(cols...) + row(sep...)
}

func med(c *Cell) float64 {
	if c == nil {
		return math.NaN()
	}
	return c.Median
}

// forking servers run each session in its own processes. Their CPU as sampled from the
// process tree is a lower bound: the CPU of session processes that exit during a window
// is lost (their parent does not collect it), and 100-stream RETR windows show ~0 s.
var forking = map[string]bool{"vsftpd": true, "proftpd": true, "pureftpd": true}

// singleProcess are the peers whose CPU figures are exact.
var singleProcess = []string{"pyftpdlib", "ftpserver"}

// bestPeer returns the best peer median of a figure and its server: the highest when
// higher is better, else the lowest.
func (r *Results) bestPeer(scen, result, fig string, higher bool) (float64, string) {
	return r.bestPeerOf(peers, scen, result, fig, higher)
}

// bestPeerOf is bestPeer among the given servers.
func (r *Results) bestPeerOf(among []string, scen, result, fig string, higher bool) (float64, string) {
	best, who := math.NaN(), ""
	for _, p := range among {
		v := med(r.Get(p, scen, result, fig))
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(best) || (higher && v > best) || (!higher && v < best) {
			best, who = v, p
		}
	}
	return best, who
}

func (r *Results) sectionMeta() string {
	var b strings.Builder
	m := r.Meta
	fmt.Fprintf(&b, "- Machine: %s; kernel %s; %s\n", m["cpu"], m["kernel"], m["go"])
	fmt.Fprintf(&b, "- Run: %s → %s; repetitions %s\n", m["started"], m["finished"], m["reps"])
	if c := m["command"]; c != "" {
		fmt.Fprintf(&b, "- Command: `%s`\n", c)
	}
	if c := m["commit"]; c != "" {
		fmt.Fprintf(&b, "- fastftp commit: %s\n", c)
	}
	fmt.Fprintf(&b, "- Servers: %s; scenarios: %s\n", m["servers"], m["scenarios"])
	b.WriteString("- Versions:")
	for _, s := range append([]string{"fastftpd"}, peers...) {
		if v := r.Versions[s]; v != "" {
			fmt.Fprintf(&b, " %s %s;", label[s], v)
		}
	}
	b.WriteString("\n")
	if len(r.Crashes) > 0 {
		// "fastftpd rep 3 retr-100x1G" -> counted by server and scenario.
		var keys []string
		count := map[string]int{}
		for _, c := range r.Crashes {
			f := strings.Fields(c)
			k := c
			if len(f) == 4 {
				k = f[0] + " " + f[3]
			}
			if count[k] == 0 {
				keys = append(keys, k)
			}
			count[k]++
		}
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, count[k]))
		}
		fmt.Fprintf(&b, "- Server crashes at the end of a measured window (results kept): %s\n", strings.Join(parts, ", "))
	}
	// One line per distinct command, with the servers it ran against.
	var cmds []string
	who := map[string][]string{}
	for _, c := range r.Commands {
		srv, rest, _ := strings.Cut(c, " ")
		if who[rest] == nil {
			cmds = append(cmds, rest)
		}
		who[rest] = append(who[rest], srv)
	}
	b.WriteString("\n<details><summary>exact ftpbench command per scenario</summary>\n\n```\n")
	for _, c := range cmds {
		b.WriteString(c + "    # " + strings.Join(who[c], " ") + "\n")
	}
	b.WriteString("```\n</details>\n")
	return b.String()
}

func (r *Results) sectionClassic() string {
	var b strings.Builder
	cols := []string{"ftpbench -b all -n 300 -s 10M", "unit", label["fastftpd"]}
	for _, p := range peers {
		cols = append(cols, label[p])
	}
	b.WriteString(header(append(cols, "fastftpd vs best peer")...))
	for _, c := range r.Classic {
		unit := ""
		if x := r.Get("fastftpd", "classic", c.Key, c.Headline); x != nil {
			unit = x.Unit
		}
		cells := []string{c.Title, unit, spread(r.Get("fastftpd", "classic", c.Key, c.Headline))}
		for _, p := range peers {
			cells = append(cells, spread(r.Get(p, "classic", c.Key, c.Headline)))
		}
		higher := c.Headline != "seconds"
		best, who := r.bestPeer("classic", c.Key, c.Headline, higher)
		f := med(r.Get("fastftpd", "classic", c.Key, c.Headline))
		rt := "–"
		if who != "" {
			if higher {
				rt = ratio(f, best) + " (" + label[who] + ")"
			} else {
				rt = ratio(f, best) + " the time (" + label[who] + ")"
			}
		}
		b.WriteString(row(append(cells, rt)...))
	}
	return b.String()
}

func (r *Results) sectionLogin() string {
	var b strings.Builder
	b.WriteString(header("server", "checks", "sessions/s", "p50 ms", "p99 ms", "server CPU µs/session", "vs best peer"))
	best, who := r.bestPeer("login", "login", "rate", true)
	for _, s := range append(append([]string{"fastftpd"}, peers...), "raw") {
		if r.Get(s, "login", "login", "rate") == nil {
			continue
		}
		g := func(f string) string { return spread(r.Get(s, "login", "login", f)) }
		rt := ratio(med(r.Get(s, "login", "login", "rate")), best)
		if s == who {
			rt = "best peer"
		}
		b.WriteString(row(label[s], r.Auth[s], g("rate"), g("latency_p50"), g("latency_p99"), g("server_cpu_per_op"), rt))
	}
	return b.String()
}

func (r *Results) sectionIdle() string {
	var b strings.Builder
	b.WriteString(header("server", "idle sessions", "server KiB/session", "KiB/session (PSS)", "NOOP p50 ms", "NOOP p99 ms",
		"NOOP p50 ms, 100 RETR running", "NOOP p99 ms, 100 RETR running"))
	for _, s := range append([]string{"fastftpd"}, peers...) {
		for _, n := range []string{"2000", "10000", "19000"} {
			scen := "idle-" + n
			if r.Get(s, scen, "idle", "latency_p50") == nil {
				continue
			}
			g := func(sc, f string) string { return spread(r.Get(s, sc, "idle", f)) }
			sessions := n
			want, _ := strconv.ParseFloat(n, 64)
			if c := r.Get(s, scen, "idle", "sessions"); c != nil && c.Min < want {
				sessions = n + " (fewest opened: " + num(c.Min) + ")"
			}
			b.WriteString(row(label[s], sessions, g(scen, "kib_per_idle_session"), g(scen, "pss_kib_per_idle_session"), g(scen, "latency_p50"), g(scen, "latency_p99"),
				g(scen+"-xfer", "latency_p50"), g(scen+"-xfer", "latency_p99")))
		}
	}
	return b.String()
}

var xferScenarios = []string{"retr-1x10M", "retr-100x10M", "retr-1x1G", "retr-100x1G", "stor-1x10M", "stor-100x10M", "stor-1x1G"}

// xferPresent lists the transfer scenarios measured: the standard grid first, in order,
// then any other (regress.sh's retr-10x10M).
func (r *Results) xferPresent() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range xferScenarios {
		seen[s] = true
		out = append(out, s)
	}
	var extra []string
	for _, c := range r.Cells {
		if (strings.HasPrefix(c.Scenario, "retr-") || strings.HasPrefix(c.Scenario, "stor-")) && !seen[c.Scenario] {
			seen[c.Scenario] = true
			extra = append(extra, c.Scenario)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func (r *Results) sectionXfer(fig string, higher bool) string {
	var b strings.Builder
	cols := []string{"scenario", label["fastftpd"]}
	for _, p := range peers {
		cols = append(cols, label[p])
	}
	cols = append(cols, label["raw"], "fastftpd / raw", "fastftpd vs best peer")
	b.WriteString(header(cols...))
	for _, scen := range r.xferPresent() {
		res := strings.SplitN(scen, "-", 2)[0]
		if r.Get("fastftpd", scen, res, fig) == nil && r.Get("pyftpdlib", scen, res, fig) == nil {
			continue
		}
		cells := []string{scen, spread(r.Get("fastftpd", scen, res, fig))}
		cpu := strings.HasPrefix(fig, "server_cpu")
		for _, p := range peers {
			c := spread(r.Get(p, scen, res, fig))
			if cpu && forking[p] && c != "–" {
				c += " †"
			}
			cells = append(cells, c)
		}
		f := med(r.Get("fastftpd", scen, res, fig))
		raw := med(r.Get("raw", scen, res, fig))
		best, who := r.bestPeer(scen, res, fig, higher)
		if cpu {
			best, who = r.bestPeerOf(singleProcess, scen, res, fig, higher)
		}
		vsPeer := "–"
		if who != "" {
			vsPeer = ratio(f, best) + " (" + label[who] + ")"
		}
		cells = append(cells, spread(r.Get("raw", scen, res, fig)), ratio(f, raw), vsPeer)
		b.WriteString(row(cells...))
	}
	return b.String()
}

func (r *Results) sectionList() string {
	var b strings.Builder
	b.WriteString(header("server", "LIST time p50 ms", "listings/s", "server CPU ms/listing", "server memory growth, peak MiB"))
	for _, s := range append([]string{"fastftpd"}, peers...) {
		if r.Get(s, "list-100000", "list", "rate") == nil {
			continue
		}
		g := func(res, f string) string { return spread(r.Get(s, "list-100000", res, f)) }
		cpu := "–"
		if c := r.Get(s, "list-100000", "list", "server_cpu_per_op"); c != nil {
			cpu = num(c.Median / 1000)
		}
		b.WriteString(row(label[s], g("list", "latency_p50"), g("list", "rate"), cpu, g("peak", "peak_growth")))
	}
	return b.String()
}

func (r *Results) sectionThrottle() string {
	var b strings.Builder
	b.WriteString(header("fastftpd run", "configured", "measured MiB/s", "error", "transfer time p50 / p99 ms", "p99/p50"))
	for _, t := range []struct {
		scen, desc string
		want       float64
	}{
		{"throttle-session", "--write-limit 10M, 4 streams of 10 MiB files (4 × 10 MiB/s)", 40},
		{"throttle-global", "--global-write-limit 40M, 8 streams share it", 40},
	} {
		c := r.Get("fastftpd", t.scen, "retr", "throughput")
		if c == nil {
			continue
		}
		p50, p99 := r.Get("fastftpd", t.scen, "retr", "latency_p50"), r.Get("fastftpd", t.scen, "retr", "latency_p99")
		errPct := fmt.Sprintf("%+.1f%%", (c.Median-t.want)/t.want*100)
		b.WriteString(row(t.scen, t.desc, spread(c), errPct, spread(p50)+" / "+spread(p99), ratio(med(p99), med(p50))))
	}
	return b.String()
}

func (r *Results) sectionMicro() string {
	var b strings.Builder
	b.WriteString(header("benchmark", "ns/op", "B/op", "allocs/op", "other"))
	var names []string
	for _, m := range r.Micro {
		if !containsStr(names, m.Name) {
			names = append(names, m.Name)
		}
	}
	for _, n := range names {
		g := func(u string) string {
			m := r.MicroGet(n, u)
			if m == nil {
				return "–"
			}
			return spread(&Cell{Samples: m.Samples, Median: m.Median, Min: m.Min, Max: m.Max})
		}
		var other []string
		for _, m := range r.Micro {
			if m.Name == n && m.Unit != "ns/op" && m.Unit != "B/op" && m.Unit != "allocs/op" && m.Unit != "MB/s" {
				other = append(other, g(m.Unit)+" "+m.Unit)
			}
		}
		ns := g("ns/op")
		if len(other) > 0 {
			ns = "(span)" // these run one fixed span; their figures are the other columns
		}
		b.WriteString(row("`"+n+"`", ns, g("B/op"), g("allocs/op"), strings.Join(other, ", ")))
	}
	return b.String()
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sectionTargets checks the targets against the medians.
func (r *Results) sectionTargets() string {
	var b strings.Builder
	b.WriteString(header("target", "fastftpd", "reference", "met?"))
	verdict := func(ok bool, have bool) string {
		switch {
		case !have:
			return "not measured"
		case ok:
			return "yes"
		}
		return "**no**"
	}
	kib := med(r.Get("fastftpd", "idle-19000", "idle", "kib_per_idle_session"))
	kib2 := med(r.Get("fastftpd", "idle-2000", "idle", "kib_per_idle_session"))
	b.WriteString(row("idle session ≤ 1 KiB", "2,000: "+num(kib2)+" KiB; 19,000: "+num(kib)+" KiB",
		"pyftpdlib "+num(med(r.Get("pyftpdlib", "idle-2000", "idle", "kib_per_idle_session")))+" KiB",
		verdict(kib <= 1, !math.IsNaN(kib))))
	lr := med(r.Get("fastftpd", "login", "login", "rate"))
	best, who := r.bestPeer("login", "login", "rate", true)
	b.WriteString(row("logins/s ≥ 3× best peer", num(lr)+"/s", label[who]+" "+num(best)+"/s ("+ratio(lr, best)+")",
		verdict(lr >= 3*best, !math.IsNaN(lr))))
	p99 := med(r.Get("fastftpd", "idle-19000-xfer", "idle", "latency_p99"))
	b.WriteString(row("NOOP p99 ≤ 1 ms, 19,000 idle + 100 transfers", num(p99)+" ms", "–", verdict(p99 <= 1, !math.IsNaN(p99))))
	f := med(r.Get("fastftpd", "retr-100x10M", "retr", "throughput"))
	raw := med(r.Get("raw", "retr-100x10M", "retr", "throughput"))
	b.WriteString(row("100-stream RETR ≥ 0.9× raw sendfile", num(f)+" MiB/s", "raw "+num(raw)+" MiB/s ("+ratio(f, raw)+")",
		verdict(f >= 0.9*raw, !math.IsNaN(f) && !math.IsNaN(raw))))
	for _, scen := range []string{"retr-100x10M", "retr-1x1G"} {
		c := med(r.Get("fastftpd", scen, "retr", "server_cpu_per_gib"))
		bestC, whoC := r.bestPeerOf(singleProcess, scen, "retr", "server_cpu_per_gib", false)
		b.WriteString(row("CPU/GiB ≤ every single-process peer ("+scen+")", num(c)+" cpu-s/GiB", label[whoC]+" "+num(bestC),
			verdict(c <= bestC, !math.IsNaN(c) && whoC != "")))
	}
	p99m := med(r.Get("fastftpd", "idle-18000-mixed", "idle", "latency_p99"))
	pyp99 := med(r.Get("pyftpdlib", "idle-18000-mixed", "idle", "latency_p99"))
	b.WriteString(row("NOOP p99 ≤ 1 ms and ≤ 1/3 pyftpdlib's, 18,000 idle + 8 RETR + 32 login loops", num(p99m)+" ms",
		"pyftpdlib "+num(pyp99)+" ms ("+ratio(p99m, pyp99)+")",
		verdict(p99m <= 1 && p99m <= pyp99/3, !math.IsNaN(p99m) && !math.IsNaN(pyp99))))
	f1k := med(r.Get("fastftpd", "retr-1000x10M", "retr", "throughput"))
	raw1k := med(r.Get("raw", "retr-1000x10M", "retr", "throughput"))
	c1k := med(r.Get("fastftpd", "retr-1000x10M", "retr", "server_cpu_per_gib"))
	rc1k := med(r.Get("raw", "retr-1000x10M", "retr", "server_cpu_per_gib"))
	b.WriteString(row("1,000 RETR streams: ≥ 0.95× raw throughput, CPU/GiB ≤ raw's", num(f1k)+" MiB/s, "+num(c1k)+" cpu-s/GiB",
		"raw "+num(raw1k)+" MiB/s ("+ratio(f1k, raw1k)+"), "+num(rc1k)+" cpu-s/GiB",
		verdict(f1k >= 0.95*raw1k && c1k <= rc1k, !math.IsNaN(f1k) && !math.IsNaN(raw1k) && !math.IsNaN(c1k) && !math.IsNaN(rc1k))))
	lc := med(r.Get("fastftpd", "login", "login", "server_cpu_per_op"))
	rlc := med(r.Get("raw", "login", "login", "server_cpu_per_op"))
	b.WriteString(row("control-plane CPU per session ≤ 1.15× raw's (checks nothing)", num(lc)+" µs", "raw "+num(rlc)+" µs ("+ratio(lc, rlc)+")",
		verdict(lc <= 1.15*rlc, !math.IsNaN(lc) && !math.IsNaN(rlc))))
	g := med(r.Get("fastftpd", "list-100000", "peak", "peak_growth"))
	b.WriteString(row("100,000-entry LIST < 1 MiB growth", num(g)+" MiB (peak)", "–", verdict(g < 1, !math.IsNaN(g))))
	allocs, have := 0.0, false
	for _, m := range r.Micro {
		if m.Unit == "allocs/op" && strings.HasPrefix(m.Name, "proto BenchmarkParse/") {
			allocs, have = math.Max(allocs, m.Max), true
		}
	}
	b.WriteString(row("0 allocs per parsed command", num(allocs)+" allocs/op (max over BenchmarkParse)", "–", verdict(allocs == 0, have)))
	return b.String()
}

// sectionSched: NOOP latency under issue 10's mixed load (idle sessions beside 8 download
// loops and 32 login loops), and fastftpd's scheduler delay in every scenario measured.
func (r *Results) sectionSched() string {
	var b strings.Builder
	// The background columns are the work each server did meanwhile: one that serves the
	// downloads faster leaves the machine busier for its NOOPs.
	b.WriteString(header("server", "idle sessions + 8 RETR 64M + 32 login loops", "NOOP p50 ms", "NOOP p99 ms",
		"background RETR MB/s", "background logins/s"))
	for _, s := range append([]string{"fastftpd"}, peers...) {
		for _, n := range []string{"2000", "18000"} {
			scen := "idle-" + n + "-mixed"
			if r.Get(s, scen, "idle", "latency_p99") == nil {
				continue
			}
			g := func(res, f string) string { return spread(r.Get(s, scen, res, f)) }
			b.WriteString(row(label[s], n, g("idle", "latency_p50"), g("idle", "latency_p99"),
				g("background", "retr_throughput"), g("background", "login_rate")))
		}
	}
	b.WriteString("\n")
	b.WriteString(header("scenario (fastftpd)", "scheduler delay p50 ms", "p99 ms", "max ms"))
	var scens []string
	for _, c := range r.Cells {
		if c.Server == "fastftpd" && c.Result == "sched" && c.Figure == "p99" {
			scens = append(scens, c.Scenario)
		}
	}
	sort.Strings(scens)
	for _, sc := range scens {
		g := func(f string) string { return spread(r.Get("fastftpd", sc, "sched", f)) }
		b.WriteString(row(sc, g("p50"), g("p99"), g("max")))
	}
	return b.String()
}

// sections maps each BENCHMARKS.md marker name to its renderer.
func (r *Results) sections() map[string]string {
	return map[string]string{
		"meta":     r.sectionMeta(),
		"targets":  r.sectionTargets(),
		"classic":  r.sectionClassic(),
		"login":    r.sectionLogin(),
		"idle":     r.sectionIdle(),
		"xfer":     r.sectionXfer("throughput", true),
		"xfercpu":  r.sectionXfer("server_cpu_per_gib", false),
		"xfercli":  r.sectionXfer("client_cpu_per_gib", false),
		"list":     r.sectionList(),
		"throttle": r.sectionThrottle(),
		"micro":    r.sectionMicro(),
		"sched":    r.sectionSched(),
	}
}
