// CPU per login: ftpbench's engines (package net before, raw sockets now) against a plain
// Python asyncio client doing the same logins against the same server, and against the
// server's own CPU per login, all interleaved in one run.
package bench

import (
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loginCPUVariant is one way of running the same login storm.
type loginCPUVariant struct {
	name                        string
	net, pipeline, rst, asyncio bool
}

var loginCPUVariants = []loginCPUVariant{
	{name: "net", net: true},               // the previous engine: package net, FIN close
	{name: "raw"},                          // default: raw sockets, event loops, FIN close
	{name: "raw-rst", rst: true},           // plus SO_LINGER 0 after the 221
	{name: "raw-pipeline", pipeline: true}, // USER, PASS, QUIT in one write
	{name: "net-pipeline", net: true, pipeline: true},
	{name: "asyncio", asyncio: true}, // testdata/pylogin.py
}

// BenchmarkLoginCPU reports the median CPU microseconds per login over 5 interleaved
// samples for each variant, on the client (this process's rusage; the Python child's
// rusage minus the interpreter's start-up) and on the server (/proc of its tree). Against
// fastftpd it fails when ftpbench's default spends more than a third of asyncio's CPU or
// more than 1.5x the server's. Run it without -race:
//
//	go test -run x -bench LoginCPU -benchtime 1x ./bench/
func BenchmarkLoginCPU(b *testing.B) {
	for _, srv := range []string{"fastftpd", "pyftpdlib"} {
		b.Run("server="+srv, func(b *testing.B) {
			var s *ftpServer
			if srv == "fastftpd" {
				s = startFastftpd(b, fastftpdOpts{})
			} else {
				s = startPyftpd(b, "")
			}
			for b.Loop() {
				loginCPU(b, s, srv == "fastftpd")
			}
		})
	}
}

// loginCPU measures every variant; with gate, it also checks the bounds.
func loginCPU(b *testing.B, s *ftpServer, gate bool) {
	havePyftpdlib(b) // for the interpreter the asyncio client runs on
	const logins, conc, samples = 4000, 8, 5
	ctx := testCtx(b)
	client := map[string][]float64{}
	server := map[string][]float64{}
	for i := 0; i < samples; i++ {
		for _, v := range loginCPUVariants {
			var cl, sv float64
			if v.asyncio {
				cl, sv = asyncioLoginCPU(b, s, logins, conc)
			} else {
				cfg := s.config()
				cfg.Count, cfg.Clients = logins, conc
				cfg.NetLogin, cfg.Pipeline, cfg.ResetClose = v.net, v.pipeline, v.rst
				rep, err := Run(ctx, cfg, "login")
				if err != nil || rep.Results[0].Ops != logins {
					b.Fatalf("%s: %v %+v", v.name, err, rep.Results[0].ErrorText)
				}
				r := rep.Results[0]
				cl, sv = r.ClientCPU/logins*1e6, r.ServerCPU/logins*1e6
			}
			client[v.name] = append(client[v.name], cl)
			server[v.name] = append(server[v.name], sv)
		}
	}
	for _, v := range loginCPUVariants {
		b.ReportMetric(medianOf(client[v.name]), v.name+"-cpu-us/login")
		b.ReportMetric(medianOf(server[v.name]), "server-cpu-us/login("+v.name+")")
	}
	def, py, srv := medianOf(client["raw"]), medianOf(client["asyncio"]), medianOf(server["raw"])
	if !gate {
		return
	}
	if def*3 > py {
		b.Errorf("ftpbench %.1f µs/login is more than a third of asyncio's %.1f", def, py)
	}
	if def > 1.5*srv {
		b.Errorf("ftpbench %.1f µs/login is more than 1.5x the server's %.1f", def, srv)
	}
}

// asyncioLoginCPU runs testdata/pylogin.py and returns its CPU and the server's, in
// microseconds per login.
func asyncioLoginCPU(b *testing.B, s *ftpServer, logins, conc int) (client, server float64) {
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
	return float64(py/time.Microsecond) / float64(logins), float64((srv1.CPU-srv0.CPU)/time.Microsecond) / float64(logins)
}

func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
