//go:build unix

// workers_unix.go: the --workers supervisor (bind once, start, watch, restart, forward
// signals) and a worker's side (inherited sockets, shared limits, its passive ports).

package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/internal/shm"
)

// Restart backoff of a crashed worker: doubles from min to max, back to min after a worker
// ran for stableRun.
const (
	restartMin = 100 * time.Millisecond
	restartMax = 30 * time.Second
	stableRun  = 10 * time.Second
	// killAfter: once the grace period has passed, workers still running get this long
	// to finish their shutdown before SIGKILL.
	killAfter = 10 * time.Second
)

// workerSockets holds a worker's inherited listeners by fileKey, taken by listenFor, and the
// shared table their accepts are balanced with (see workerListener).
var workerSockets struct {
	sync.Mutex
	files   map[string]*os.File
	table   *shm.Table
	metrics string // the key of the worker's own metrics socket (not balanced)
}

// listenFor opens the listener for addr (from names its flag or key): in a worker, the
// socket the supervisor bound; otherwise a fresh one (bind).
func listenFor(addr, from string) (net.Listener, error) {
	if !isWorker() {
		return bind(addr, from)
	}
	workerSockets.Lock()
	f := workerSockets.files[fileKey(from, addr)]
	delete(workerSockets.files, fileKey(from, addr))
	workerSockets.Unlock()
	if f == nil {
		return nil, fmt.Errorf("worker: the supervisor passed no listener for %s (%s)", addr, from)
	}
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("worker: inherited listener for %s (%s): %w", addr, from, err)
	}
	wl := workerListener{Listener: ln}
	if fileKey(from, addr) != workerSockets.metrics {
		wl.table = workerSockets.table
	}
	return wl, nil
}

// workerListener accepts from a socket shared by every worker. It turns TCP keepalive off
// on accepted connections, as bind's ListenConfig does (a listener made from a file loses
// that setting), and balances: the kernel hands a connection to whichever worker wakes
// first, which measured 24-54 % for one of 3 workers (ARCHITECTURE.md), so the worker
// holding clearly more connections than every other waits 1 ms before each accept,
// leaving the queue to the others meanwhile. Nothing queued is lost by waiting.
type workerListener struct {
	net.Listener
	table *shm.Table // nil: no balancing
}

// balanceWait is how long the busiest worker leaves the accept queue to the others.
const balanceWait = time.Millisecond

func (l workerListener) Accept() (net.Conn, error) {
	if l.table != nil && l.table.Busiest() {
		time.Sleep(balanceWait)
	}
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetKeepAlive(false)
	}
	return c, err
}

// joinWorkers prepares this worker's settings: the inherited listeners, the shared
// limits, its slice of the passive ports. It returns the logger with the worker's index.
func joinWorkers(st *settings, log *slog.Logger) (*slog.Logger, error) {
	i, keys, err := workerFiles()
	if err != nil {
		return log, err
	}
	if i >= st.workers {
		return log, fmt.Errorf("worker %d of %d", i, st.workers)
	}
	log = log.With("worker", i)
	st.cfg.Logger = log
	workerSockets.files = map[string]*os.File{}
	var table *shm.Table
	for j, k := range keys {
		f := os.NewFile(uintptr(3+j), k)
		if k != "shm" {
			workerSockets.files[k] = f
			continue
		}
		table, err = shm.Open(f, i)
		f.Close()
		if err != nil {
			return log, err
		}
	}
	if table == nil {
		return log, errors.New("worker: the supervisor passed no limits table")
	}
	workerSockets.table, workerSockets.metrics = table, fileKey(st.metricsFrom, st.metrics)
	c := &st.cfg
	r, w := table.GlobalBuckets(c.GlobalReadLimit, c.GlobalWriteLimit)
	c.Shared = fastftp.SharedLimits{
		Conns: table.Conns(c.MaxConns, c.MaxConnsPerIP),
		Bans: table.Bans(c.BanAfter, c.BanWindow, c.BanTime, func() {
			log.Warn("failed login not counted: the shared ban table is full", "capacity", shm.BanCap)
		}),
		Users:      table.Users(),
		GlobalRead: r, GlobalWrite: w,
	}
	if c.PassivePortMin != 0 {
		c.PassivePortMin, c.PassivePortMax = portSlice(c.PassivePortMin, c.PassivePortMax, st.workers, i)
	}
	return log, nil
}

// supervise is fastftpd with --workers N > 1: it binds the listeners, starts N workers on
// them and keeps them running until SIGINT/SIGTERM, which it passes on (with SIGHUP); it
// returns when every worker has exited.
func supervise(st *settings, log *slog.Logger, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "fastftpd: "+format+"\n", a...)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		return fail("workers: cannot find this program to start its workers: %v", err)
	}
	table, tableFile, err := shm.Create(st.workers)
	if err != nil {
		return fail("workers: %v", err)
	}
	defer table.Close()
	files, keys := []*os.File{tableFile}, []string{"shm"}
	var addrs []string
	if len(st.listen) == 0 {
		st.listen = []string{":2121"} // as serve
	}
	for _, l := range []struct {
		list []string
		from string
	}{{st.implicit, st.implicitFrom}, {st.listen, st.listenFrom}} {
		for _, a := range l.list {
			f, addr, err := bindFile(a, l.from)
			if err != nil {
				return fail("%v", err)
			}
			files, keys = append(files, f), append(keys, fileKey(l.from, a))
			addrs = append(addrs, addr)
		}
	}
	// Metrics: each worker serves its own on a loopback socket bound here; the public
	// address serves them merged.
	var metricFiles []*os.File
	var metricAddrs []string
	restarts := make([]atomic.Int64, st.workers) // for /metrics
	if st.metrics != "" {
		mln, err := bind(st.metrics, st.metricsFrom)
		if err != nil {
			return fail("metrics: %v", err)
		}
		for range st.workers {
			f, addr, err := bindFile("127.0.0.1:0", "worker metrics")
			if err != nil {
				return fail("metrics: %v", err)
			}
			metricFiles, metricAddrs = append(metricFiles, f), append(metricAddrs, addr)
		}
		hs := &http.Server{Handler: mergedMetrics(metricAddrs, restarts), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(mln)
		defer hs.Close()
		log.Info("metrics of all workers", "url", "http://"+mln.Addr().String()+"/metrics")
	}

	type exit struct {
		i     int
		pid   int
		state *os.ProcessState
		err   error
	}
	exits := make(chan exit, st.workers)
	restart := make(chan int, st.workers)
	procs := make([]*os.Process, st.workers)
	started := make([]time.Time, st.workers)
	backoff := make([]time.Duration, st.workers)
	start := func(i int) error {
		wf, wk := files, keys
		if metricFiles != nil {
			wf = append(append([]*os.File(nil), files...), metricFiles[i])
			wk = append(append([]string(nil), keys...), fileKey(st.metricsFrom, st.metrics))
		}
		cmd := exec.Command(exe, os.Args[1:]...)
		cmd.Env = workerEnv(i, wk)
		cmd.ExtraFiles = wf
		cmd.Stdout, cmd.Stderr = os.Stdout, stderr
		// Own process group: a terminal's Ctrl-C reaches the supervisor only, which passes
		// it on once (a second signal would cut the grace period short).
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		parentDeath(cmd.SysProcAttr)
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start worker %d: %w", i, err)
		}
		procs[i], started[i] = cmd.Process, time.Now()
		log.Info("worker started", "worker", i, "pid", cmd.Process.Pid)
		go func() {
			err := cmd.Wait()
			exits <- exit{i, cmd.Process.Pid, cmd.ProcessState, err}
		}()
		return nil
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	// SIGUSR2 (a binary upgrade, upgrade.go) is not implemented for a supervisor yet; caught
	// so that it cannot kill the supervisor (its default action) and with it the workers.
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	defer signal.Stop(hup)
	defer signal.Stop(usr2)
	signalAll := func(sig os.Signal) {
		for _, p := range procs {
			if p != nil {
				p.Signal(sig)
			}
		}
	}
	running := 0
	for i := range st.workers {
		if err := start(i); err != nil {
			signalAll(syscall.SIGKILL)
			return fail("workers: %v", err)
		}
		running++
	}
	// The sockets listen already: connections queue until a worker accepts them.
	for _, a := range addrs {
		log.Info("starting FTP server", "address", a, "pid", os.Getpid(), "version", version, "workers", st.workers)
	}
	var kill <-chan time.Time
	stopping, code := false, 0
	for running > 0 {
		select {
		case e := <-exits:
			procs[e.i] = nil
			table.ResetWorker(e.i) // whatever it counted goes with it
			if stopping {
				running--
				log.Info("worker stopped", "worker", e.i, "pid", e.pid, "status", e.state.String())
				continue
			}
			if backoff[e.i] == 0 && e.state.Exited() && time.Since(started[e.i]) < stableRun {
				// A worker that exits by itself right after its first start met an error it
				// has logged (a file it cannot read, an account it cannot switch to):
				// restarting would repeat it forever.
				log.Error("worker failed at start; stopping", "worker", e.i, "pid", e.pid, "status", e.state.String())
				stopping = true
				running--
				kill = time.After(max(st.grace, 0) + killAfter)
				signalAll(syscall.SIGTERM)
				code = 1
				continue
			}
			if time.Since(started[e.i]) >= stableRun || backoff[e.i] == 0 {
				backoff[e.i] = restartMin
			} else {
				backoff[e.i] = min(2*backoff[e.i], restartMax)
			}
			restarts[e.i].Add(1)
			log.Error("worker exited; restarting it", "worker", e.i, "pid", e.pid, "status", e.state.String(), "restart_in", backoff[e.i])
			time.AfterFunc(backoff[e.i], func() { restart <- e.i })
		case <-usr2:
			log.Warn("SIGUSR2: binary upgrade is not supported with --workers yet; nothing changed (restart the service to run a new binary)")
		case i := <-restart:
			if stopping {
				running--
				continue
			}
			if err := start(i); err != nil {
				log.Error("worker not restarted", "worker", i, "err", err)
				backoff[i] = min(2*backoff[i], restartMax)
				time.AfterFunc(backoff[i], func() { restart <- i })
			}
		case <-hup:
			log.Info("SIGHUP: passed on to the workers")
			signalAll(syscall.SIGHUP)
		case sig := <-sigs:
			if stopping {
				log.Info("second signal: workers stop at once", "signal", sig.String())
			} else {
				stopping = true
				kill = time.After(max(st.grace, 0) + killAfter)
				log.Info("stopping: passing the signal on to the workers", "signal", sig.String(), "grace", st.grace)
			}
			signalAll(sig)
		case <-kill:
			log.Warn("workers still running after the grace period: killing them")
			signalAll(syscall.SIGKILL)
		}
	}
	log.Info("stopped")
	return code
}

// bindFile binds addr (bind's errors) and returns the socket as a file to pass on, with
// the address it got.
func bindFile(addr, from string) (*os.File, string, error) {
	ln, err := bind(addr, from)
	if err != nil {
		return nil, "", err
	}
	defer ln.Close() // the file is a duplicate: the socket stays open through it
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		return nil, "", fmt.Errorf("listener on %s (%s): %w", addr, from, err)
	}
	return f, ln.Addr().String(), nil
}

// mergedMetrics serves the workers' metrics (scraped from addrs, worker i at addrs[i]) as
// one exposition with a worker label. A worker that does not answer within 2 s is left
// out of that scrape. The supervisor adds its own two families: fastftp_worker_up (1 when
// the worker answered this scrape) and fastftp_worker_restarts_total.
func mergedMetrics(addrs []string, restarts []atomic.Int64) http.Handler {
	client := &http.Client{Timeout: 2 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		bodies := make([][]byte, len(addrs))
		var wg sync.WaitGroup
		for i, a := range addrs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(r.Context(), "GET", "http://"+a+"/metrics", nil)
				resp, err := client.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				if b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20)); err == nil && resp.StatusCode == 200 {
					bodies[i] = b
				}
			}()
		}
		wg.Wait()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		mergeMetrics(w, bodies, supervisorMetrics(bodies, restarts))
	})
	return mux
}

// startPPID is the parent at start: for a worker, its supervisor.
var startPPID = os.Getppid()

// followSupervisor makes a worker stop, as on SIGTERM (its running transfers get the
// shutdown grace), once its supervisor (startPPID) is gone. The kernel's parent-death
// signal (parentDeath) does that at once, but a change of effective user clears it
// (prctl(2)), and every worker started as root drops to its run-as account: the kill -9
// of such a supervisor left its workers serving, holding the ports, until something else
// killed them. So the signal is asked for again after the drop, and a worker also looks at
// its parent once a second, which covers a supervisor that died in between and systems
// without the signal.
func followSupervisor() {
	rearmParentDeath()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for range t.C {
			if os.Getppid() != startPPID {
				_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
				return
			}
		}
	}()
}
