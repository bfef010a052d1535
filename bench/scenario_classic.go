// pyftpdlib's ftpbench benchmarks (transfer, download, upload, concurrence, all) with the
// same labels, so results sit beside published ones, minus its two flaws: logins here are
// truly concurrent, and throughput is measured over Duration after Warmup, not 1 s.

package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

func runClassic(ctx context.Context, e *env, name string) ([]*Result, error) {
	var out []*Result
	add := func(r *Result, err error) error {
		if r != nil {
			out = append(out, r)
		}
		return err
	}
	var err error
	switch name {
	case "download":
		err = add(e.classicStream(ctx, false, "RETR (server -> client)", "classic.retr"))
	case "upload":
		err = add(e.classicStream(ctx, true, "STOR (client -> server)", "classic.stor"))
	case "transfer", "all":
		if err = add(e.classicStream(ctx, true, "STOR (client -> server)", "classic.stor")); err == nil {
			err = add(e.classicStream(ctx, false, "RETR (server -> client)", "classic.retr"))
		}
	}
	if err == nil && (name == "concurrence" || name == "all") {
		var rs []*Result
		rs, err = e.classicMulti(ctx)
		out = append(out, rs...)
	}
	return out, err
}

// classicStream is one session moving FileSize files back to back for the window.
func (e *env) classicStream(ctx context.Context, stor bool, title, key string) (*Result, error) {
	path := e.cfg.remotePath(contentName("ftpbench-classic", e.cfg.FileSize, e.cfg.Seed))
	if !stor {
		var err error
		if path, err = e.prepareRetrFile(ctx); err != nil {
			return nil, err
		}
	}
	defer e.remove(ctx, path)
	cfg := *e.cfg
	cfg.Rate = 0
	r := newRunner(&cfg, e.d, key)
	r.expected = e.countBytes()
	r.drive(ctx, 1, func(int) worker { return e.newXferWorker(r, stor, path) })
	res := r.result(key, title, 1, "transfers")
	res.Headline = "throughput"
	return res, nil
}

// classicMulti is pyftpdlib's bench_multi: N clients log in at once, then one more session
// stores and retrieves while they sit idle, then all N retrieve, store and quit at once.
func (e *env) classicMulti(ctx context.Context) ([]*Result, error) {
	n := e.cfg.Clients
	size := FormatSize(e.cfg.FileSize)
	conns := make([]*ftpclient.Conn, n)
	var out []*Result

	r := e.once(ctx, "connect", n, func(i int) (int64, error) {
		c, err := e.session(ctx)
		conns[i] = c
		return 0, err
	})
	// Every later phase runs on these sessions: those that never logged in are errors
	// (ErrNoSession) in each phase, and mark its row incomplete.
	missing := 0
	for _, c := range conns {
		if c == nil {
			missing++
		}
	}
	r.missing.Store(int64(missing))
	out = append(out, r.onceResult("classic.connect", fmt.Sprintf("%d concurrent clients (connect, login)", n), n))
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()

	st, err := e.classicStream(ctx, true, fmt.Sprintf("STOR (1 file with %d idle clients)", n), "classic.stor_idle")
	if st != nil {
		st.noteIdleMissing(missing, n)
		out = append(out, st)
	}
	if err != nil {
		return out, err
	}
	rt, err := e.classicStream(ctx, false, fmt.Sprintf("RETR (1 file with %d idle clients)", n), "classic.retr_idle")
	if rt != nil {
		rt.noteIdleMissing(missing, n)
		out = append(out, rt)
	}
	if err != nil {
		return out, err
	}

	path, err := e.prepareRetrFile(ctx)
	if err != nil {
		return out, err
	}
	want := uint64(n) * uint64(e.cfg.FileSize)
	r = e.once(ctx, "retr", n, func(i int) (int64, error) {
		if conns[i] == nil {
			return 0, fmt.Errorf("bench: RETR by client %d: %w", i, ErrNoSession)
		}
		buf := make([]byte, xferBufSize)
		return conns[i].Retr(ctx, path, e.cfg.FileSize, buf, discard)
	})
	r.expected = want
	r.missing.Store(int64(missing))
	out = append(out, r.onceResult("classic.retr_all", fmt.Sprintf("%d concurrent clients (RETR %s file)", n, size), n))

	paths := make([]string, n)
	src := uploadBlock(e.cfg.Seed)
	r = e.once(ctx, "stor", n, func(i int) (int64, error) {
		if conns[i] == nil {
			return 0, fmt.Errorf("bench: STOR by client %d: %w", i, ErrNoSession)
		}
		paths[i] = e.cfg.remotePath("ftpbench-c" + strconv.Itoa(i) + ".dat")
		s := &uploadSource{r: &runner{countMode: true}, block: src}
		s.reset(e.cfg.FileSize)
		buf := make([]byte, xferBufSize)
		return conns[i].Stor(ctx, paths[i], s, buf)
	})
	r.expected = want
	r.missing.Store(int64(missing))
	out = append(out, r.onceResult("classic.stor_all", fmt.Sprintf("%d concurrent clients (STOR %s file)", n, size), n))

	r = e.once(ctx, "quit", n, func(i int) (int64, error) {
		if conns[i] == nil {
			return 0, fmt.Errorf("bench: QUIT by client %d: %w", i, ErrNoSession)
		}
		err := conns[i].Quit()
		conns[i] = nil
		return 0, err
	})
	r.missing.Store(int64(missing))
	out = append(out, r.onceResult("classic.quit", fmt.Sprintf("%d concurrent clients (QUIT)", n), n))
	e.remove(ctx, append(paths, path)...)
	return out, nil
}

// once runs fn for i in [0,n) on n goroutines released together and measures the wall
// time until the last one finishes, the per-call latency, bytes and errors.
func (e *env) once(ctx context.Context, name string, n int, fn func(i int) (int64, error)) *runner {
	r := newRunner(e.cfg, e.d, name)
	r.countMode = true
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			t := time.Now()
			b, err := fn(i)
			if err == nil {
				r.addBytes(uint64(b))
			}
			r.done(t, err)
		}(i)
	}
	stop := r.progress()
	r.beginWindow()
	close(gate)
	wg.Wait()
	r.endWindow()
	stop()
	return r
}

func (r *runner) onceResult(key, title string, n int) *Result {
	res := r.result(key, title, n, "ops")
	res.Loop = "once"
	res.Headline = "seconds"
	res.add("seconds", res.Seconds, "secs", "lower")
	return res
}

// noteIdleMissing marks a "with N idle clients" row whose idle clients did not all log in:
// it ran beside fewer sessions than its title says. The row wanted its own working
// session(s) and the n idle ones.
func (res *Result) noteIdleMissing(missing, n int) {
	if missing == 0 {
		return
	}
	res.SessionsWanted = res.sessionsWanted() + n
	res.SessionsMissing += missing
	res.judge()
}
