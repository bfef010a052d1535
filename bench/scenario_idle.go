// idle: hold N logged-in sessions; report the server's memory per idle session, our own,
// and NOOP latency while they sit. Sessions are parked (no buffer, no goroutine each): a
// few sweeper goroutines visit them in turn with NOOP.

package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

const (
	idleOpeners  = 64 // concurrent logins while the sessions are opened
	idleInterval = time.Second
)

func runIdle(ctx context.Context, e *env) (*Result, error) {
	n := e.cfg.Clients
	r := newRunner(e.cfg, e.d, "idle")
	conns := make([]ftpclient.Conn, n)
	live := make([]bool, n)
	var loginHist Histogram
	var srv0 ProcSample
	var srvOK bool
	if len(e.cfg.serverPIDs()) > 0 {
		srv0, _ = e.cfg.sampleServer()
		srvOK = true
	}
	runtime.GC()
	self0 := SelfMem()

	// Open the sessions with a bounded number of concurrent logins.
	var next atomic.Int64
	var opened atomic.Int64
	var wg sync.WaitGroup
	openStart := time.Now()
	for g := 0; g < min(n, idleOpeners); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				c := &conns[i]
				err := e.d.Connect(ctx, c)
				if err == nil {
					if err = e.login(c); err == nil {
						err = c.Park()
					}
					if err != nil {
						c.Close()
					}
				}
				if err != nil {
					r.fail(err)
					continue
				}
				loginHist.Record(time.Since(t))
				live[i] = true
				opened.Add(1)
			}
		}()
	}
	wg.Wait()
	openSecs := time.Since(openStart).Seconds()
	time.Sleep(100 * time.Millisecond) // let the server finish its per-session work
	var srv1 ProcSample
	if srvOK {
		var err error
		srv1, err = e.cfg.sampleServer()
		srvOK = err == nil
	}
	runtime.GC()
	self1 := SelfMem()
	if e.cfg.Ready != nil {
		e.cfg.Ready()
	}

	// NOOP sweeps: warm-up, then the measured window.
	interval := min(idleInterval, e.cfg.Duration/4)
	sweepers := min(max(int(opened.Load()), 1), 4*runtime.GOMAXPROCS(0))
	sweepCtx, cancel := context.WithCancel(ctx)
	stopProgress := r.progress()
	for s := 0; s < sweepers; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for !r.stopped() && sweepCtx.Err() == nil {
				round := time.Now()
				for i := s; i < n && !r.stopped(); i += sweepers {
					if !live[i] {
						continue
					}
					c := &conns[i]
					c.Unpark()
					t := time.Now()
					err := c.Expect("NOOP", "", 2)
					if err == nil {
						err = c.Park()
					}
					if err != nil {
						c.Close()
						live[i] = false
					}
					r.done(t, err)
				}
				sleepCtx(sweepCtx, interval-time.Since(round))
			}
		}(s)
	}
	if sleepCtx(ctx, e.cfg.Warmup) {
		r.beginWindow()
		sleepCtx(ctx, e.cfg.Duration)
	}
	r.endWindow()
	cancel()
	wg.Wait()
	stopProgress()

	// Close every session, concurrently through the sweepers' shards.
	quitStart := time.Now()
	for s := 0; s < sweepers; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := s; i < n; i += sweepers {
				if live[i] {
					conns[i].Unpark()
					conns[i].Quit()
				}
				conns[i].Close()
			}
		}(s)
	}
	wg.Wait()
	quitSecs := time.Since(quitStart).Seconds()

	res := r.result("idle", fmt.Sprintf("idle: %d sessions (NOOP latency)", n), n, "noops")
	res.Headline = "latency_p99"
	res.SessionsMissing = n - int(opened.Load())
	res.judge()
	k := float64(opened.Load())
	res.add("sessions", k, "count", "higher")
	if openSecs > 0 {
		res.add("login_rate", k/openSecs, "sessions/s", "higher")
	}
	if loginHist.Count() > 0 {
		res.add("login_latency_p99", float64(loginHist.Quantile(.99))/1e6, "ms", "lower")
	}
	res.add("quit_seconds", quitSecs, "s", "lower")
	if k > 0 {
		res.add("client_kib_per_idle_session", float64(self1-self0)/k/1024, "KiB", "lower")
		if srvOK {
			res.addKiBPerSession(srv1.Mem-srv0.Mem, k)
			res.Title = fmt.Sprintf("idle: %d sessions (server KiB per session)", n)
			res.Headline = "kib_per_idle_session"
		}
	}
	return res, nil
}

// minMemGrowth is the least growth of the server's memory kib_per_idle_session is
// computed from: 16 pages. RSS moves a page at a time, and only once the server's
// allocator has used up pages it already holds, so a few small sessions often show 0 (or
// less, when a collection shrinks RSS meanwhile), which would read as free sessions.
const minMemGrowth = 64 << 10

// addKiBPerSession adds kib_per_idle_session from the server's memory growth over
// sessions idle sessions, or says why it is not available.
func (res *Result) addKiBPerSession(growth int64, sessions float64) {
	if growth < minMemGrowth {
		res.notAvailable("kib_per_idle_session", fmt.Sprintf("server memory grew %d KiB for %.0f sessions, under the %d KiB "+
			"(16 pages) RSS resolves; hold more sessions (-n)", growth>>10, sessions, minMemGrowth>>10))
		return
	}
	res.add("kib_per_idle_session", float64(growth)/sessions/1024, "KiB", "lower")
}
