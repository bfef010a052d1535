// CLI tests: pyftpdlib-compatible flags and table, --json, --procs children merged, and
// compare's exit status on a planted regression and on noise.
package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/bench"
)

// TestMain lets this test binary act as ftpbench for --procs children.
func TestMain(m *testing.M) {
	if os.Getenv("FTPBENCH_TEST_CHILD") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func startServer(t *testing.T) (port, pid int) {
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
		"-w", "-u", "user", "-P", "pass", "-d", t.TempDir(), "-r", "29000-29199")
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
