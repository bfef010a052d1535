// CLI tests: pyftpdlib-compatible flags and table, --json, --procs children merged, and
// compare's exit status on a planted regression and on noise.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/bench"
	"github.com/fastftp/fastftp/internal/testkit"
)

// TestMain lets this test binary act as ftpbench for --procs children.
func TestMain(m *testing.M) {
	if os.Getenv("FTPBENCH_TEST_CHILD") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	testkit.Main(m) // removes the fastftpd binary merge_test.go builds
}

func startServer(t *testing.T) (port, pid int) {
	t.Helper()
	return startServerIn(t, t.TempDir())
}

// startServerIn starts pyftpdlib serving dir, writable, as user/pass.
func startServerIn(t *testing.T, dir string) (port, pid int) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import pyftpdlib").Run(); err != nil {
		t.Skipf("pyftpdlib not installed for /usr/bin/python3 (CI installs it): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("/usr/bin/python3", "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", strconv.Itoa(port),
		"-w", "-u", "user", "-P", "pass", "-d", dir, "-r", "29000-29199")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return port, cmd.Process.Pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("pyftpdlib did not start")
	return 0, 0
}

func TestClassicFlagsAndJSON(t *testing.T) {
	port, pid := startServer(t)
	js := filepath.Join(t.TempDir(), "r.json")
	var out, errb bytes.Buffer
	code := run([]string{"-u", "user", "-p", "pass", "-H", "127.0.0.1", "-P", strconv.Itoa(port), "-k", strconv.Itoa(pid),
		"-b", "transfer", "-s", "256K", "-t", "10", "--duration", "0.5", "--warmup", "0.1", "--json", js}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "(starting with ") || !strings.HasPrefix(lines[1], "STOR (client -> server)") ||
		!strings.Contains(lines[1], "MB/s") {
		t.Fatalf("table:\n%s", out.String())
	}
	rep, err := bench.ReadReport(js)
	if err != nil || len(rep.Results) != 2 || rep.Version == "" || rep.Machine.CPUs == 0 || rep.Target == "" {
		t.Fatalf("json: %v %+v", err, rep)
	}
	if f := rep.Results[1].Figure("throughput"); f == nil || f.Unit != "MB/s" || f.Value <= 0 {
		t.Fatalf("retr throughput: %+v", f)
	}
}

func TestProcsMerge(t *testing.T) {
	port, _ := startServer(t)
	t.Setenv("FTPBENCH_TEST_CHILD", "1")
	var out, errb bytes.Buffer
	js := filepath.Join(t.TempDir(), "p.json")
	code := run([]string{"login", "-u", "user", "-p", "pass", "-H", "127.0.0.1", "-P", strconv.Itoa(port),
		"-n", "4", "--count", "90", "--procs", "3", "--json", js}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rep, err := bench.ReadReport(js)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Ops != 90 || r.ErrorCount() != 0 || r.Procs != 3 || r.Latency.Count() != 90 || r.Clients != 4 {
		t.Fatalf("merged: ops=%d errors=%v procs=%d hist=%d clients=%d", r.Ops, r.Errors, r.Procs, r.Latency.Count(), r.Clients)
	}
	// The children's series, merged point by point, still sum to the total; the file
	// keeps each second's percentiles, not its histogram.
	var ops uint64
	for _, s := range r.Series {
		for _, p := range s.Points {
			ops += p.Ops
			if p.Latency != nil {
				t.Fatalf("per-second histogram written to the file: %+v", p)
			}
			if p.Ops > 0 && p.P99 <= 0 {
				t.Fatalf("point without percentiles: %+v", p)
			}
		}
	}
	if len(r.Series) != 1 || ops != 90 {
		t.Fatalf("merged series: %d windows, %d ops", len(r.Series), ops)
	}
}

// TestReportCommand: ftpbench report writes one HTML page from several --json files
// (-o anywhere, - for stdout), and exits 2 without a file or with one it cannot read.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, rate := range []float64{100, 120} {
		rep := &bench.Report{Tool: "ftpbench", Target: "127.0.0.1:2121", Results: []*bench.Result{{Scenario: "retr",
			Title: "retr: 4 streams", Headline: "throughput", Ops: 10, Bytes: 10 << 20, Seconds: 1,
			Errors:  map[string]uint64{},
			Figures: []bench.Figure{{Name: "throughput", Unit: "MB/s", Better: "higher", Value: rate, Samples: []float64{rate}}},
			Series:  []*bench.Series{{Interval: 1, Points: []bench.SeriesPoint{{T: 0, Secs: 1, Ops: 10, Bytes: 10 << 20, P99: 2}}}}}}}
		p := filepath.Join(dir, fmt.Sprintf("run%d.json", i))
		if err := rep.WriteJSON(p); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	html := filepath.Join(dir, "report.html")
	var out, errb bytes.Buffer
	if code := run([]string{"report", files[0], "-o", html, files[1]}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "run0.json") ||
		!strings.Contains(string(b), "run1.json") {
		t.Fatalf("page: %v\n%.500s", err, b)
	}
	out.Reset()
	if code := run([]string{"report", "-o", "-", files[0]}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "<!DOCTYPE html>") {
		t.Fatalf("-o -: exit %d, %.100q", code, out.String())
	}
	for _, args := range [][]string{{"report"}, {"report", filepath.Join(dir, "missing.json")}, {"report", "--bogus", files[0]}} {
		errb.Reset()
		if code := run(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
	out.Reset()
	if code := run([]string{"report", "-h"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage: ftpbench report") {
		t.Errorf("report -h: exit %d\n%s", code, out.String())
	}
}

func TestCompareExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rate ...float64) string {
		rep := &bench.Report{Tool: "ftpbench", Results: []*bench.Result{{Scenario: "retr",
			Figures: []bench.Figure{{Name: "throughput", Unit: "MB/s", Better: "higher", Value: rate[len(rate)/2], Samples: rate}}}}}
		p := filepath.Join(dir, name)
		b, _ := json.Marshal(rep)
		os.WriteFile(p, b, 0o644)
		return p
	}
	old := write("old.json", 1000, 1010, 990)
	noise := write("noise.json", 995, 1012, 985)
	slow := write("slow.json", 800, 805, 795)
	var out bytes.Buffer
	if code := run([]string{"compare", old, noise, "--threshold", "5%"}, &out, &out); code != 0 {
		t.Fatalf("noise: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"compare", "--threshold=5%", old, slow}, &out, &out); code != 1 || !strings.Contains(out.String(), "REGRESSION") {
		t.Fatalf("regression: exit %d\n%s", code, out.String())
	}
	if code := run([]string{"compare", old}, &out, &out); code != 2 {
		t.Fatalf("one file: exit %d", code)
	}
}

// TestCompareNothingInCommon: reports with no scenario, or no compared figure, in common
// fail with exit 2 and say why, and print no table: a CI gate must not pass on nothing.
func TestCompareNothingInCommon(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, results ...*bench.Result) string {
		p := filepath.Join(dir, name)
		if err := (&bench.Report{Tool: "ftpbench", Results: results}).WriteJSON(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fig := func(name, better string) bench.Figure {
		return bench.Figure{Name: name, Unit: "x", Better: better, Value: 1, Samples: []float64{1}}
	}
	retr := write("retr.json", &bench.Result{Scenario: "retr", Figures: []bench.Figure{fig("throughput", "higher")}})
	login := write("login.json", &bench.Result{Scenario: "login", Figures: []bench.Figure{fig("rate", "higher")}})
	info := write("info.json", &bench.Result{Scenario: "retr", Figures: []bench.Figure{fig("server_cpu", "")}})
	empty := write("empty.json")
	for _, c := range [][2]string{{retr, login}, {retr, info}, {empty, retr}} {
		var out, errb bytes.Buffer
		code := run([]string{"compare", c[0], c[1]}, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "nothing to compare") {
			t.Fatalf("%s vs %s: exit %d, stdout %q, stderr %q", filepath.Base(c[0]), filepath.Base(c[1]), code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	run([]string{"compare", retr, login}, &out, &errb)
	if !strings.Contains(errb.String(), "old: retr; new: login") {
		t.Fatalf("error does not name the scenarios: %s", errb.String())
	}
}

// TestCompareOneSample: one sample per side allows no noise test; the output says so, the
// threshold alone decides, and the legend explains the columns.
func TestCompareOneSample(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v float64) string {
		p := filepath.Join(dir, name)
		rep := &bench.Report{Tool: "ftpbench", Results: []*bench.Result{{Scenario: "retr",
			Figures: []bench.Figure{{Name: "throughput", Unit: "MB/s", Better: "higher", Value: v, Samples: []float64{v}}}}}}
		if err := rep.WriteJSON(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old, near, slow := write("old.json", 1000), write("near.json", 980), write("slow.json", 800)
	var out bytes.Buffer
	if code := run([]string{"compare", old, near}, &out, &out); code != 0 {
		t.Fatalf("-2%% at 5%%: exit %d\n%s", code, out.String())
	}
	for _, want := range []string{"-2.00%  (n=1)", "no noise test is possible", "~: it does not", "±: their spread"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
	out.Reset()
	code := run([]string{"compare", old, slow}, &out, &out)
	if code != 1 || !strings.Contains(out.String(), "no noise test, threshold alone") || strings.Contains(out.String(), "beyond noise\n") {
		t.Fatalf("-20%%: exit %d\n%s", code, out.String())
	}
}

// TestCompareMarkdown: --format markdown writes a pipe table with the same exit status.
func TestCompareMarkdown(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rate ...float64) string {
		p := filepath.Join(dir, name)
		rep := &bench.Report{Tool: "ftpbench", Results: []*bench.Result{{Scenario: "retr", Figures: []bench.Figure{
			{Name: "throughput", Unit: "MB/s", Better: "higher", Value: rate[len(rate)/2], Samples: rate},
			{Name: "latency_p99", Unit: "ms", Better: "lower", Value: 2, Samples: []float64{2, 2.1, 1.9}}}}}}
		if err := rep.WriteJSON(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old, slow := write("old.json", 990, 1000, 1010), write("slow.json", 795, 800, 805)
	var out bytes.Buffer
	if code := run([]string{"compare", "--format", "markdown", old, slow}, &out, &out); code != 1 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "| scenario | figure | unit | old | new | delta | |" || !strings.HasPrefix(lines[1], "|---|") {
		t.Fatalf("header:\n%s", out.String())
	}
	if !strings.HasPrefix(lines[2], "| retr | throughput | MB/s | 1000 ±1% | 800 ±1% | -20.00% | **REGRESSION** |") ||
		!strings.HasPrefix(lines[3], "| retr | latency_p99 | ms | 2 ±5% | 2 ±5% | \\~ |") {
		t.Fatalf("rows:\n%s", out.String())
	}
	for _, l := range lines[:4] {
		if strings.Count(l, "|") != 8 {
			t.Fatalf("row %q has %d pipes, want 8", l, strings.Count(l, "|"))
		}
	}
	if !strings.Contains(out.String(), "> ") {
		t.Fatalf("no legend:\n%s", out.String())
	}
	if code := run([]string{"compare", "--format", "html", old, slow}, &out, &out); code != 2 {
		t.Fatalf("--format html: exit %d", code)
	}
}

// TestProcsIdleServerMemory holds idle sessions from two child processes: the parent
// samples the server once both children have opened theirs and reports KiB per session.
func TestProcsIdleServerMemory(t *testing.T) {
	port, pid := startServer(t)
	t.Setenv("FTPBENCH_TEST_CHILD", "1")
	var out, errb bytes.Buffer
	js := filepath.Join(t.TempDir(), "i.json")
	code := run([]string{"idle", "-u", "user", "-p", "pass", "-H", "127.0.0.1", "-P", strconv.Itoa(port),
		"-k", strconv.Itoa(pid), "-n", "150", "--procs", "2", "--duration", "0.5", "--warmup", "0.1", "--json", js}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rep, err := bench.ReadReport(js)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	f := r.Figure("kib_per_idle_session")
	if r.Procs != 2 || r.Figure("sessions").Value != 150 || r.ErrorCount() != 0 || f == nil || f.Value <= 0 {
		t.Fatalf("procs=%d sessions=%v errors=%v kib/session=%+v", r.Procs, r.Figure("sessions").Value, r.Errors, f)
	}
	if r.Headline != "kib_per_idle_session" || !strings.Contains(out.String(), "server KiB per session") {
		t.Fatalf("table:\n%s", out.String())
	}
	// Each child's own scheduling delay came to the parent as a histogram, merged there.
	if p99 := r.Figure("client_sched_p99"); r.ClientSched == nil || r.ClientSched.Count() == 0 || p99 == nil ||
		p99.Value < 0 || !strings.Contains(out.String(), "client_sched p99 ") {
		t.Fatalf("client_sched: histogram %+v, p99 %+v, table:\n%s", r.ClientSched, p99, out.String())
	}
}

// TestNoProgressWhenNotTerminal runs past a progress tick with stderr a regular file:
// nothing but the table on stdout, no progress line on stderr.
func TestNoProgressWhenNotTerminal(t *testing.T) {
	port, _ := startServer(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("a regular file taken for a terminal")
	}
	var out bytes.Buffer
	code := run([]string{"login", "-u", "user", "-p", "pass", "-H", "127.0.0.1", "-P", strconv.Itoa(port),
		"-n", "2", "--duration", "0.7", "--warmup", "0.1"}, &out, f)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 0 || !strings.Contains(out.String(), "login: 2 clients") {
		t.Fatalf("stderr %q, stdout:\n%s", b, out.String())
	}
}

// TestJSONMasksPassword: every spelling of the password flag is recorded as *** in the
// --json report's args, and the password appears nowhere in the file.
func TestJSONMasksPassword(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // a closed port: every login is refused, and the report is still written
	for _, pass := range [][]string{{"-p", "s3cret"}, {"--pass", "s3cret"}, {"-pass=s3cret"}, {"--password", "s3cret"}, {"--password=s3cret"}} {
		js := filepath.Join(t.TempDir(), "r.json")
		args := append([]string{"login", "-u", "user"}, pass...)
		args = append(args, "-H", "127.0.0.1", "-P", port, "-n", "1", "--count", "2", "-t", "2", "--json", js)
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", pass, code, errb.String())
		}
		b, err := os.ReadFile(js)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := bench.ReadReport(js)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "s3cret") || !strings.Contains(strings.Join(rep.Args, " "), "***") ||
			rep.Args[0] != "ftpbench" || rep.Args[1] != "login" {
			t.Fatalf("%v: recorded args %q", pass, rep.Args)
		}
		if r := rep.Results[0]; r.Errors["refused"] != 2 {
			t.Fatalf("%v: errors %v, want 2 refused", pass, r.Errors)
		}
	}
}

func TestMaskPassword(t *testing.T) {
	in := []string{"-u", "p", "-p", "x", "--pass=y", "-password", "z", "-P", "21", "--", "-p", "kept"}
	want := "-u p -p *** --pass=*** -password *** -P 21 -- -p kept"
	if got := strings.Join(maskPassword(in), " "); got != want {
		t.Fatalf("maskPassword = %q, want %q", got, want)
	}
	if in[3] != "x" {
		t.Fatal("maskPassword modified its argument")
	}
}

// TestSeveralPIDs: -k takes the two lines `pgrep -f` prints under `go run`, or a comma
// list; the server trees are sampled (memory at the start, CPU over the window) instead
// of a usage error. A PID that does not exist fails the run and is named.
func TestSeveralPIDs(t *testing.T) {
	var procs []*exec.Cmd
	for i := 0; i < 2; i++ {
		c := exec.Command("sleep", "60")
		if err := c.Start(); err != nil {
			t.Skipf("no sleep command: %v", err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		procs = append(procs, c)
	}
	a, b := strconv.Itoa(procs[0].Process.Pid), strconv.Itoa(procs[1].Process.Pid)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	for _, k := range []string{a + "\n" + b + "\n", a + "," + b, a + " " + b} {
		js := filepath.Join(t.TempDir(), "r.json")
		var out, errb bytes.Buffer
		code := run([]string{"login", "-u", "u", "-p", "p", "-H", "127.0.0.1", "-P", port, "-k", k,
			"-n", "1", "--count", "2", "-t", "2", "--json", js}, &out, &errb)
		if code != 0 {
			t.Fatalf("-k %q: exit %d: %s", k, code, errb.String())
		}
		rep, err := bench.ReadReport(js)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ServerMem <= 0 || rep.Results[0].ServerCPU < 0 || !strings.HasPrefix(out.String(), "(starting with ") {
			t.Fatalf("-k %q: server not sampled: mem %d cpu %v\n%s", k, rep.ServerMem, rep.Results[0].ServerCPU, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"login", "-P", port, "-k", a + " 999999999", "--count", "1"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "999999999") {
		t.Fatalf("missing pid: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"login", "-P", port, "-k", "12x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `"12x" is not a PID`) {
		t.Fatalf("bad pid: exit %d: %s", code, errb.String())
	}
}

// TestHelpListsEveryFlag: -h prints the written help (exit 0) with its groups, every flag
// the parser knows appears in it once, the hidden --procs-child does not, and the help
// explains -p/-P.
func TestHelpListsEveryFlag(t *testing.T) {
	var names []string
	flagsDefined = func(fs *flag.FlagSet) { fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) }) }
	defer func() { flagsDefined = nil }()
	var out, errb bytes.Buffer
	if code := run([]string{"-h"}, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Fatalf("-h: exit %d, stderr %q", code, errb.String())
	}
	h := out.String()
	for _, g := range []string{"Connection:", "Scenario:", "Load shape:", "Measurement:", "Output:", "Examples:", "-p and -P:"} {
		if !strings.Contains(h, "\n"+g+"\n") {
			t.Errorf("no %q group", g)
		}
	}
	flagPart := h[:strings.Index(h, "Examples:")]
	for _, n := range names {
		dashes := "--"
		if len(n) == 1 {
			dashes = "-"
		}
		re := regexp.MustCompile(`(^|[\s,])` + regexp.QuoteMeta(dashes+n) + `([\s,]|$)`)
		got := len(re.FindAllString(flagPart, -1))
		switch {
		case "--"+n == bench.ChildFlag:
			if got != 0 || strings.Contains(h, n) {
				t.Errorf("hidden %s shown", n)
			}
		case got != 1:
			t.Errorf("%s%s listed %d times, want once", dashes, n, got)
		}
	}
	if !strings.Contains(h, "pyftpdlib's ftpbench, where -p is the password and -P the port") {
		t.Error("help does not explain -p/-P")
	}
	if strings.Contains(h, "µs") {
		t.Error("help mixes µs with us")
	}
	out.Reset()
	if code := run([]string{"compare", "-h"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Exit status: 0 no regression, 1 a regression, 2 nothing compared") {
		t.Fatalf("compare -h: exit %d\n%s", code, out.String())
	}
	// A bad flag: its error and the short usage on stderr, exit 2, nothing on stdout.
	out.Reset()
	errb.Reset()
	if code := run([]string{"--no-such-flag"}, &out, &errb); code != 2 || out.Len() != 0 ||
		!strings.Contains(errb.String(), "no-such-flag") || !strings.Contains(errb.String(), "ftpbench -h") {
		t.Fatalf("bad flag: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// TestFormatBenchstat: --format benchstat puts Go benchmark lines alone on stdout and the
// table on stderr; an unknown format is a usage error.
func TestFormatBenchstat(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // refused logins still make a result: errors, no rate
	var out, errb bytes.Buffer
	code := run([]string{"login", "-P", port, "-n", "1", "--count", "3", "--repeat", "2", "-t", "2", "--format", "benchstat"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var bench []string
	for _, l := range lines {
		if strings.HasPrefix(l, "Benchmark") {
			bench = append(bench, l)
		}
	}
	if !strings.HasPrefix(lines[0], "goos: ") || len(bench) != 2 ||
		!strings.HasPrefix(bench[0], "BenchmarkFTP/scenario=login/n=1-") || !strings.Contains(bench[0], "\t3 errors") {
		t.Fatalf("stdout:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), "login: 1 clients") || strings.Contains(out.String(), "login: 1 clients") {
		t.Fatalf("table not on stderr alone:\nstdout %s\nstderr %s", out.String(), errb.String())
	}
	if code := run([]string{"login", "-P", port, "--format", "csv"}, &out, &errb); code != 2 {
		t.Fatalf("--format csv: exit %d", code)
	}
}

// TestProcsCleanup: --procs children keep the list directory for each other; the parent
// removes it when they are done, and leaves it with --keep.
func TestProcsCleanup(t *testing.T) {
	dir := t.TempDir()
	port, _ := startServerIn(t, dir)
	t.Setenv("FTPBENCH_TEST_CHILD", "1")
	for _, keep := range []bool{false, true} {
		args := []string{"list", "-u", "user", "-p", "pass", "-H", "127.0.0.1", "-P", strconv.Itoa(port),
			"-n", "2", "--count", "4", "--procs", "2", "--list-files", "20"}
		if keep {
			args = append(args, "--keep")
		}
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("keep %v: exit %d: %s", keep, code, errb.String())
		}
		ents, err := os.ReadDir(filepath.Join(dir, "ftpbench-list-20"))
		if keep != (err == nil) || (keep && len(ents) != 20) {
			t.Fatalf("keep %v: list dir has %d entries (%v)", keep, len(ents), err)
		}
	}
}
