// --procs: spread clients over child processes (each process here may hold at most 20,000
// files) and merge what they measured. Children are this program re-executed with a hidden
// flag; they print their report as JSON on stdout.

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// ReadyFDEnv names the environment variable through which RunProcs gives each child the
// file descriptor of a pipe: a child writes one byte to it once its idle sessions are open
// (Config.Ready), and the parent samples the server's memory when every child has.
const ReadyFDEnv = "FTPBENCH_READY_FD"

// ChildFlag is the hidden flag that makes ftpbench a --procs child: no table, no progress,
// its report as JSON on stdout, and remote files left for the parent to clean.
const ChildFlag = "--procs-child"

// Prepare creates the remote files scenario name needs, so that --procs children find them
// ready instead of racing to upload them. It returns their paths for Cleanup.
func Prepare(ctx context.Context, cfg Config, name string) ([]string, error) {
	c := cfg.withDefaults(isClassic(name))
	if c.User == "" {
		c.User, c.Pass = "anonymous", "ftpbench@"
	}
	e := &env{cfg: &c, d: &ftpclient.Dialer{Addr: c.Addr(), Timeout: c.Timeout, Data: c.Data, TLS: c.TLS,
		TLSConfig: c.TLSConfig, Sources: c.Sources}}
	switch name {
	case "retr":
		p, err := e.prepareRetrFile(ctx)
		return []string{p}, err
	case "list":
		return nil, e.prepareListDir(ctx)
	case "mirror":
		return nil, e.prepareMirror(ctx)
	}
	return nil, nil
}

// ChildArgs returns the arguments for child i of n: the parent's flags with the clients
// split, the count split, and the child flag and tag appended.
func ChildArgs(base []string, i, n, clients int, count int64) []string {
	per := clients / n
	if i < clients%n {
		per++
	}
	args := append([]string(nil), base...)
	args = append(args, "-n", strconv.Itoa(max(per, 1)), "--tag", "p"+strconv.Itoa(i)+"-", ChildFlag)
	if count > 0 {
		c := count / int64(n)
		if int64(i) < count%int64(n) {
			c++
		}
		args = append(args, "--count", strconv.FormatInt(max(c, 1), 10))
	}
	return args
}

// RunProcs starts n children (exe with args(i)), samples the server (cfg.PID, cfg.PIDs) around
// their measured window and merges their reports. Results are matched by scenario key:
// counts, bytes, errors and histograms add up; rates are totals over the mean window. For
// idle it also samples the server's memory once every child holds its sessions (they say
// so through the pipe named by ReadyFDEnv) and reports kib_per_idle_session.
func RunProcs(ctx context.Context, cfg Config, n int, exe string, args func(i int) []string) (*Report, error) {
	c := cfg.withDefaults(false)
	rep := &Report{Tool: "ftpbench", Version: Version, Target: c.Addr(), Started: time.Now(),
		Args: c.Args, Machine: ThisMachine(), ServerMem: -1}
	var srv0, srv1 ProcSample
	srvOK := false
	var mach0, mach1 MachineSample
	machOK := false
	hasServer := len(c.serverPIDs()) > 0
	if hasServer {
		s, err := c.sampleServer()
		if err != nil {
			return nil, fmt.Errorf("bench: server pid %v: %w", c.serverPIDs(), err)
		}
		rep.ServerMem = s.Mem
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("bench: pipe for --procs children: %w", err)
	}
	defer readyR.Close()
	outs := make([]bytes.Buffer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		cmd := exec.CommandContext(ctx, exe, args(i)...)
		cmd.Stdout = &outs[i]
		cmd.Stderr = os.Stderr
		cmd.ExtraFiles = []*os.File{readyW} // fd 3 in the child
		cmd.Env = append(os.Environ(), ReadyFDEnv+"=3")
		if err := cmd.Start(); err != nil {
			readyW.Close()
			return nil, fmt.Errorf("bench: start child %d (%s): %w", i, exe, err)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = cmd.Wait()
		}(i)
	}
	readyW.Close() // the children hold it now: EOF once they have all exited
	idleMem := make(chan int64, 1)
	go waitReady(readyR, n, c.serverPIDs(), idleMem)
	if c.Count == 0 {
		// The children's windows open after their warm-up; sample the server and the
		// machine around them.
		if sleepCtx(ctx, c.Warmup) {
			var err error
			mach0, err = SampleMachine()
			if hasServer {
				srv0, _ = c.sampleServer()
			}
			if sleepCtx(ctx, c.Duration) {
				if err == nil {
					mach1, err = SampleMachine()
					machOK = err == nil
				}
				if hasServer {
					s, err := c.sampleServer()
					srv1, srvOK = s, err == nil
				}
			}
		}
	}
	wg.Wait()
	var reps []*Report
	for i := range outs {
		if errs[i] != nil {
			return nil, fmt.Errorf("bench: child %d: %w", i, errs[i])
		}
		var r Report
		if err := json.Unmarshal(outs[i].Bytes(), &r); err != nil {
			return nil, fmt.Errorf("bench: child %d report: %w", i, err)
		}
		reps = append(reps, &r)
	}
	rep.Results = MergeProcs(reps)
	mem := <-idleMem
	for _, r := range rep.Results {
		r.Procs = n
		if srvOK {
			r.ServerCPU, r.ServerCPUSource, r.ServerCPUNA = cpuDelta(srv0, srv1)
			r.ServerMem = srv1.Mem
		}
		if machOK {
			r.setMachineCPU(mach0, mach1)
		}
		r.computeFigures()
		if f := r.Figure("sessions"); r.Scenario == "idle" && mem >= 0 && rep.ServerMem >= 0 && f != nil && f.Value > 0 {
			r.addKiBPerSession(mem-rep.ServerMem, f.Value)
			r.Title = fmt.Sprintf("idle: %d sessions (server KiB per session)", r.Clients)
			r.Headline = "kib_per_idle_session"
		}
	}
	return rep, nil
}

// waitReady reads one byte per child from the ready pipe; when all n have come (every
// child's idle sessions are open at once) it sends the server's memory, else -1.
func waitReady(r *os.File, n int, pids []int, out chan<- int64) {
	got := 0
	var b [64]byte
	for got < n {
		k, err := r.Read(b[:])
		got += k
		if err != nil {
			break
		}
	}
	if got < n || len(pids) == 0 {
		out <- -1
		return
	}
	s, err := SampleProcTrees(pids)
	if err != nil {
		out <- -1
		return
	}
	out <- s.Mem
}

// MergeProcs merges reports of concurrent child processes result by result: counts,
// bytes, errors and histograms add up; the window is the children's mean (they open it
// together, after the same warm-up) and rates are totals over it.
func MergeProcs(reps []*Report) []*Result { return mergeResults(reps, lockStep) }
