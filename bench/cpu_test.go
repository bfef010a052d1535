// CPU per login: ftpbench against a plain Python asyncio client doing the same logins
// against the same pyftpdlib, and against the server's own CPU per login.
package bench

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkLoginCPU reports CPU microseconds per login for ftpbench (this process), the
// asyncio client (child rusage) and pyftpdlib (/proc), and fails when ftpbench spends more
// than a third of what the Python client does. Run it without -race:
//
//	go test -run x -bench LoginCPU -benchtime 1x ./bench/
func BenchmarkLoginCPU(b *testing.B) {
	s := startPyftpd(b, "")
	const logins, conc = 3000, 8
	ctx := testCtx(b)
	for b.Loop() {
		// ftpbench.
		cfg := s.config()
		cfg.Count, cfg.Clients = logins, conc
		rep, err := Run(ctx, cfg, "login")
		if err != nil || rep.Results[0].Ops != logins {
			b.Fatalf("ftpbench login: %v %+v", err, rep.Results[0].Errors)
		}
		r := rep.Results[0]
		goUS := r.ClientCPU / logins * 1e6
		srvUS := r.ServerCPU / logins * 1e6

		// The asyncio client.
		srv0, _ := SampleProcTree(s.pid)
		cmd := exec.Command(pythonForPyftpdlib, "testdata/pylogin.py", s.host, strconv.Itoa(s.port), "user", "pass",
			strconv.Itoa(logins), strconv.Itoa(conc))
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa(logins) {
			b.Fatalf("pylogin: %v %q", err, out)
		}
		srv1, _ := SampleProcTree(s.pid)
		py := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		// Subtract the interpreter's start-up, measured the same way.
		st := exec.Command(pythonForPyftpdlib, "-c", "import asyncio")
		st.Run()
		py -= st.ProcessState.UserTime() + st.ProcessState.SystemTime()
		pyUS := float64(py/time.Microsecond) / logins
		pySrvUS := float64((srv1.CPU-srv0.CPU)/time.Microsecond) / logins

		b.ReportMetric(goUS, "ftpbench-cpu-us/login")
		b.ReportMetric(pyUS, "asyncio-cpu-us/login")
		b.ReportMetric(srvUS, "server-cpu-us/login")
		b.ReportMetric(pySrvUS, "server-cpu-us/login(py)")
		b.ReportMetric(r.Figure("rate").Value, "logins/s")
		if goUS*3 > pyUS {
			b.Errorf("ftpbench %.1f µs/login is more than a third of asyncio's %.1f", goUS, pyUS)
		}
	}
}
