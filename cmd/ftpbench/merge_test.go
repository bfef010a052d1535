// `ftpbench merge` on the --json files of real ftpbench runs against a fastftpd started
// by the test: counts add up, and the merged p99 is the p99 of every agent's operations
// together, not an average of the agents' p99s.
package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/bench"
	"github.com/fastftp/fastftp/internal/testcert"
	"github.com/fastftp/fastftp/internal/testkit"
)

// agentRun runs ftpbench as one agent would, writing its --json report to dir/name.
func agentRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	js := filepath.Join(dir, name)
	var out, errb bytes.Buffer
	if code := run(append(args, "-q", "--json", js), &out, &errb); code != 0 {
		t.Fatalf("agent %s: exit %d: %s", name, code, errb.String())
	}
	return js
}

// unionP99 is the p99 of the operations of every file, from their histograms' buckets
// added up here, without Histogram.Merge (the code under test).
func unionP99(t *testing.T, scenario string, files ...string) (p99 float64, n uint64) {
	t.Helper()
	var u bench.HistSnapshot
	counts := map[uint64]uint64{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Results []struct {
				Scenario string             `json:"scenario"`
				Latency  bench.HistSnapshot `json:"latency"`
			} `json:"results"`
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Scenario != scenario {
				continue
			}
			h := r.Latency
			if u.Count == 0 || h.Min < u.Min {
				u.Min = h.Min
			}
			u.Unit, u.SubBits, u.Count, u.Sum, u.Max = h.Unit, h.SubBits, u.Count+h.Count, u.Sum+h.Sum, max(u.Max, h.Max)
			for _, bk := range h.Buckets {
				counts[bk[0]] += bk[1]
			}
		}
	}
	for k, c := range counts {
		u.Buckets = append(u.Buckets, [2]uint64{k, c})
	}
	h, err := u.Histogram()
	if err != nil {
		t.Fatal(err)
	}
	return float64(h.Quantile(.99)) / 1e6, h.Count()
}

func TestMergeAgents(t *testing.T) {
	_, _, cert, err := testcert.Write(t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	s := testkit.StartFastftpd(t, testkit.FastftpdOptions{Cert: cert})
	dir := t.TempDir()
	common := []string{"login,retr", "-u", "user", "-p", "pass", "-H", s.Host, "-P", strconv.Itoa(s.Port),
		"-s", "64K", "-t", "10"}
	// Agent a: 200 plain logins and downloads. Agent b: 20 over FTPS, each paying a TLS
	// handshake (or two), so its latencies sit far above a's: the p99 of both together
	// lies among b's slow operations, far from the mean of the two p99s.
	a := agentRun(t, dir, "a.json", append(common, "-n", "2", "--count", "200", "--tag", "a-")...)
	b := agentRun(t, dir, "b.json", append(common, "-n", "2", "--count", "20", "--tag", "b-", "-S")...)

	var out, errb bytes.Buffer
	all := filepath.Join(dir, "all.json")
	if code := run([]string{"merge", a, b, "--json", all}, &out, &errb); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errb.String())
	}
	table := out.String()
	for _, want := range []string{"agent " + a + ": ", "agent " + b + ": ", "login: 4 clients", "retr: 4 streams", "latency p50"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	ra, _ := bench.ReadReport(a)
	rb, _ := bench.ReadReport(b)
	m, err := bench.ReadReport(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Agents) != 2 || m.Agents[0].File != a || m.Agents[1].File != b || !m.Started.Equal(ra.Started) {
		t.Fatalf("agents %+v, started %v (a started %v)", m.Agents, m.Started, ra.Started)
	}
	for i, sc := range []string{"login", "retr"} {
		r := m.Results[i]
		x, y := ra.Results[i], rb.Results[i]
		if r.Scenario != sc || r.Ops != 220 || r.ErrorCount() != 0 || r.Clients != 4 || r.Latency.Count() != 220 || r.Incomplete {
			t.Fatalf("%s merged: scenario %s ops=%d errors=%v clients=%d hist=%d incomplete=%v %s",
				sc, r.Scenario, r.Ops, r.Errors, r.Clients, r.Latency.Count(), r.Incomplete, r.IncompleteReason)
		}
		if sc == "retr" && (r.Bytes != 220*64<<10 || r.BytesExpected != r.Bytes || r.FileSize != 64<<10) {
			t.Fatalf("retr merged: bytes %d of %d, file size %d", r.Bytes, r.BytesExpected, r.FileSize)
		}
		if want := max(x.Seconds, y.Seconds); r.Seconds != want {
			t.Errorf("%s: window %.3fs, want the longest agent's, %.3fs", sc, r.Seconds, want)
		}
		if got, want := r.Figure("rate").Value, x.Figure("rate").Value+y.Figure("rate").Value; !near(got, want) {
			t.Errorf("%s: rate %.1f, want the sum of the agents' rates %.1f", sc, got, want)
		}
		p99, n := unionP99(t, sc, a, b)
		got := r.Figure("latency_p99").Value
		avg := (x.Figure("latency_p99").Value + y.Figure("latency_p99").Value) / 2
		t.Logf("%s: p99 a %.3fms, b %.3fms; their mean %.3fms; union %.3fms; merged %.3fms",
			sc, x.Figure("latency_p99").Value, y.Figure("latency_p99").Value, avg, p99, got)
		if n != 220 || got != p99 {
			t.Errorf("%s: merged p99 %.4fms, want the union's %.4fms (%d samples)", sc, got, p99, n)
		}
		if sc == "login" && near(got, avg) {
			t.Errorf("%s: the case does not separate the union's p99 (%.3f) from the mean of p99s (%.3f)", sc, got, avg)
		}
		// The agents ran one after the other: the series, aligned on their clocks, spans
		// both and still sums to the row's operations.
		var ops uint64
		for _, ser := range r.Series {
			for _, p := range ser.Points {
				ops += p.Ops
			}
		}
		if len(r.Series) != 1 || ops != 220 || !r.Series[0].Start.Equal(x.Series[0].Start) ||
			len(r.Series[0].Points) < len(x.Series[0].Points) {
			t.Errorf("%s: merged series: %d series, %d ops", sc, len(r.Series), ops)
		}
	}

	// --format benchstat: benchmark lines on stdout, the table on stderr.
	out.Reset()
	errb.Reset()
	if code := run([]string{"merge", "--format", "benchstat", a, b}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "BenchmarkFTP/scenario=login/n=4-") || !strings.Contains(errb.String(), "login: ") {
		t.Fatalf("merge --format benchstat: exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
}

// near reports whether a and b agree to 1e-9 of their size (sums taken in another order).
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(math.Abs(a), math.Abs(b)) }

// TestMergeRefusesMismatches: other file sizes, other scenarios, a single file and an
// unknown format are errors (exit 2) that name the files.
func TestMergeRefusesMismatches(t *testing.T) {
	s := testkit.StartFastftpd(t, testkit.FastftpdOptions{})
	dir := t.TempDir()
	common := []string{"-u", "user", "-p", "pass", "-H", s.Host, "-P", strconv.Itoa(s.Port), "-t", "10", "--count", "2", "-n", "1"}
	r64 := agentRun(t, dir, "r64.json", append([]string{"retr", "-s", "64K"}, common...)...)
	r128 := agentRun(t, dir, "r128.json", append([]string{"retr", "-s", "128K"}, common...)...)
	login := agentRun(t, dir, "login.json", append([]string{"login"}, common...)...)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{r64, r128}, []string{r64, r128, "64.0K", "128.0K"}},
		{[]string{r64, login}, []string{r64, login, `"login"`}},
		{[]string{r64}, []string{"two reports or more"}},
		{[]string{r64, r64, "--format", "html"}, []string{`--format "html"`}},
		{[]string{r64, filepath.Join(dir, "missing.json")}, []string{"missing.json"}},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"merge"}, c.args...), &out, &errb)
		if code != 2 || out.Len() != 0 {
			t.Errorf("merge %v: exit %d, stdout %q", c.args, code, out.String())
		}
		for _, w := range c.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("merge %v: stderr %q lacks %q", c.args, errb.String(), w)
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"merge", "-h"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage: ftpbench merge") {
		t.Fatalf("merge -h: exit %d\n%s", code, out.String())
	}
	// The main help and the short usage list the subcommand.
	out.Reset()
	errb.Reset()
	run([]string{"-h"}, &out, &errb)
	run([]string{"--no-such-flag"}, &out, &errb)
	if !strings.Contains(out.String(), "ftpbench merge A.json B.json") || !strings.Contains(errb.String(), "ftpbench merge A.json B.json") {
		t.Fatalf("-h or usage lacks merge:\n%s\n%s", out.String(), errb.String())
	}
}
