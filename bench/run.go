// Run: scenario dispatch, repetitions and the report around them.

package bench

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// Scenarios lists every scenario name Run accepts, pyftpdlib's first.
var Scenarios = []string{"transfer", "download", "upload", "concurrence", "all",
	"login", "idle", "retr", "stor", "list", "mirror"}

func isClassic(name string) bool {
	switch name {
	case "transfer", "download", "upload", "concurrence", "all":
		return true
	}
	return false
}

// env is what every scenario shares: the configuration (defaults applied) and the dialer.
type env struct {
	cfg *Config
	d   *ftpclient.Dialer
}

// session dials, logs in and switches to binary type.
func (e *env) session(ctx context.Context) (*ftpclient.Conn, error) {
	c, err := e.d.Dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.login(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (e *env) login(c *ftpclient.Conn) error {
	if err := c.Login(e.cfg.User, e.cfg.Pass); err != nil {
		return err
	}
	return c.Expect("TYPE", "I", 2)
}

// Run executes the named scenarios against the server in cfg and returns the report.
// On a setup failure (for example no write permission) it returns the results so far and
// the error. Safe to call from several goroutines with different configs.
func Run(ctx context.Context, cfg Config, names ...string) (*Report, error) {
	classic := false
	for _, n := range names {
		if !known(n) {
			return nil, fmt.Errorf("bench: scenario %q: %w", n, ErrUnknownScenario)
		}
		classic = classic || isClassic(n)
	}
	c := cfg.withDefaults(classic)
	if c.User == "" {
		c.User, c.Pass = "anonymous", "ftpbench@"
	}
	e := &env{cfg: &c, d: &ftpclient.Dialer{Addr: c.Addr(), Timeout: c.Timeout, Data: c.Data, TLS: c.TLS,
		TLSConfig: c.TLSConfig, Sources: c.Sources, Debug: c.Debug}}
	rep := &Report{Tool: "ftpbench", Version: Version, Target: c.Addr(), Started: time.Now(),
		Args: c.Args, Machine: ThisMachine(), ServerMem: -1}
	if c.File != "" {
		if err := e.useFile(ctx); err != nil {
			return nil, err
		}
	}
	if pids := c.serverPIDs(); len(pids) > 0 {
		s, err := c.sampleServer()
		if err != nil {
			return nil, fmt.Errorf("bench: server pid %v: %w", pids, err)
		}
		rep.ServerMem = s.Mem
	}
	for _, n := range names {
		var reps [][]*Result
		err := func() error {
			// The list and mirror trees serve every repetition, then go (unless --keep),
			// also when a repetition failed.
			defer e.cleanupScenario(context.WithoutCancel(ctx), n)
			for i := 0; i < c.Repeat; i++ {
				res, err := runScenario(ctx, e, n)
				if len(res) > 0 {
					// Rows measured before a failure are reported with the error: the
					// classic phases fail late, after rows that show why.
					reps = append(reps, res)
				}
				if err != nil {
					return err
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			return nil
		}()
		if len(reps) > 0 {
			rep.Results = append(rep.Results, mergeRepeats(reps)...)
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func known(name string) bool {
	for _, s := range Scenarios {
		if s == name {
			return true
		}
	}
	return false
}

func runScenario(ctx context.Context, e *env, name string) ([]*Result, error) {
	switch name {
	case "login":
		return one(runLogin(ctx, e))
	case "retr":
		return one(runRetr(ctx, e))
	case "stor":
		return one(runStor(ctx, e))
	case "list":
		return one(runList(ctx, e))
	case "mirror":
		return one(runMirror(ctx, e))
	case "idle":
		return one(runIdle(ctx, e))
	default:
		return runClassic(ctx, e, name)
	}
}

func one(r *Result, err error) ([]*Result, error) {
	if r == nil {
		return nil, err
	}
	return []*Result{r}, err
}

// mergeRepeats folds repetitions of the same scenario: counts and histograms are pooled,
// and every figure keeps one sample per repetition with the median as its value.
func mergeRepeats(reps [][]*Result) []*Result {
	if len(reps) == 1 {
		return reps[0]
	}
	out := reps[0]
	for j, base := range out {
		base.Runs = []RunSummary{base.summary()}
		for _, rs := range reps[1:] {
			if j >= len(rs) {
				continue
			}
			o := rs[j]
			base.Runs = append(base.Runs, o.summary())
			base.Series = append(base.Series, o.Series...)
			base.Ops += o.Ops
			base.Bytes += o.Bytes
			base.mergeSessions(o)
			base.Seconds += o.Seconds
			for k, v := range o.Errors {
				base.Errors[k] += v
			}
			if base.Latency != nil && o.Latency != nil {
				base.Latency.Merge(o.Latency)
			}
			base.ClientSched = mergeSched(base.ClientSched, o.ClientSched)
			base.ServerMem = o.ServerMem
			for _, f := range o.Figures {
				if bf := base.Figure(f.Name); bf != nil {
					bf.Samples = append(bf.Samples, f.Value)
				}
			}
		}
		for i := range base.Figures {
			base.Figures[i].Value = median(base.Figures[i].Samples)
		}
		base.judge()
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
