// The soak verdict: errors, growth over the run, return to the starting state; plus the
// metrics scrape and the certificate helper.

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fastftp/fastftp/internal/testcert"
)

// Slack: growth or leftovers smaller than this are noise (a transfer in flight holds a
// data socket and a file; the runtime keeps a few goroutines and threads of its own).
const (
	fdSlack        = 16
	goroutineSlack = 32
	threadSlack    = 4
	growthPct      = 5
)

type check struct {
	Name string `json:"name"`
	Pass bool   `json:"pass"`
	What string `json:"what"`
}

type kindReport struct {
	Ops     int64  `json:"ops"`
	Errors  int64  `json:"errors"`
	LastErr string `json:"last_error,omitempty"`
}

type report struct {
	Duration float64               `json:"duration_s"`
	Warmup   float64               `json:"warmup_s"`
	Before   sample                `json:"before"`
	After    sample                `json:"after"`
	Samples  []sample              `json:"samples"`
	Kinds    map[string]kindReport `json:"workers"`
	Checks   []check               `json:"checks"`
	Pass     bool                  `json:"pass"`
}

// backOK: descriptors, goroutines and sessions are back near where they started.
func backOK(before, after sample) bool {
	ok := after.FDs <= before.FDs+fdSlack/4
	if before.Goroutines >= 0 && after.Goroutines >= 0 {
		ok = ok && after.Goroutines <= before.Goroutines+goroutineSlack/4
	}
	if before.Sessions >= 0 && after.Sessions >= 0 {
		ok = ok && after.Sessions <= before.Sessions
	}
	return ok
}

func judge(c *config, before sample, samples []sample, after sample, kinds map[string]*counters) *report {
	r := &report{Duration: c.duration.Seconds(), Warmup: c.warmup.Seconds(), Before: before, After: after,
		Samples: samples, Kinds: map[string]kindReport{}, Pass: true}
	add := func(name string, pass bool, what string) {
		r.Checks = append(r.Checks, check{name, pass, what})
		r.Pass = r.Pass && pass
	}
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k := kinds[n]
		kr := kindReport{Ops: k.ops.Load(), Errors: k.errs.Load()}
		if e, ok := k.lastErr.Load().(string); ok {
			kr.LastErr = e
		}
		r.Kinds[n] = kr
		// One error in 10,000 operations of a kind is tolerated (at least one): on loopback a
		// data connection can now and then meet a TIME_WAIT of the same four-tuple and time out
		// in the client's kernel (seen once in 357,000 operations over 30 minutes). Anything
		// systematic still fails: a second error in a 2-minute run, for instance.
		allowed := (kr.Ops + 9999) / 10000
		add("errors "+n, kr.Errors <= allowed && (kr.Ops > 0 || n == "idle"),
			fmt.Sprintf("%d ops, %d errors (%d tolerated) %s", kr.Ops, kr.Errors, allowed, kr.LastErr))
	}
	var judged []sample
	for _, s := range samples {
		if s.At >= c.warmup.Seconds() {
			judged = append(judged, s)
		}
	}
	if len(judged) < 6 {
		add("samples", false, fmt.Sprintf("%d samples after the warm-up, need 6", len(judged)))
		return r
	}
	third := len(judged) / 3
	first, last := judged[:third], judged[len(judged)-third:]
	growth := func(name string, get func(sample) int, slack int) {
		a, b := meanOf(first, get), meanOf(last, get)
		if a < 0 || b < 0 {
			return
		}
		limit := a*(1+growthPct/100.0) + float64(slack)
		add("flat "+name, b <= limit, fmt.Sprintf("first third %.0f, last third %.0f (limit %.0f)", a, b, limit))
	}
	growth("fds", func(s sample) int { return s.FDs }, fdSlack)
	growth("threads", func(s sample) int { return s.Threads }, threadSlack)
	growth("goroutines", func(s sample) int { return s.Goroutines }, goroutineSlack)
	growth("rss_kib", func(s sample) int { return s.RSSKiB }, 4<<10)
	add("back fds", after.FDs <= before.FDs+fdSlack/4, fmt.Sprintf("before %d, after %d", before.FDs, after.FDs))
	if before.Goroutines >= 0 {
		add("back goroutines", after.Goroutines <= before.Goroutines+goroutineSlack/4,
			fmt.Sprintf("before %d, after %d", before.Goroutines, after.Goroutines))
		add("back sessions", after.Sessions <= before.Sessions, fmt.Sprintf("before %d, after %d", before.Sessions, after.Sessions))
	}
	return r
}

func meanOf(v []sample, get func(sample) int) float64 {
	sum := 0
	for _, s := range v {
		x := get(s)
		if x < 0 {
			return -1
		}
		sum += x
	}
	return float64(sum) / float64(len(v))
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "soak: %.0f s of mixed load (%.0f s warm-up), %d samples\n", r.Duration, r.Warmup, len(r.Samples))
	fmt.Fprintf(w, "before: %d fds, %d threads, %d KiB RSS, %d goroutines, %d sessions\n",
		r.Before.FDs, r.Before.Threads, r.Before.RSSKiB, r.Before.Goroutines, r.Before.Sessions)
	fmt.Fprintf(w, "after:  %d fds, %d threads, %d KiB RSS, %d goroutines, %d sessions\n",
		r.After.FDs, r.After.Threads, r.After.RSSKiB, r.After.Goroutines, r.After.Sessions)
	for _, c := range r.Checks {
		v := "ok  "
		if !c.Pass {
			v = "FAIL"
		}
		fmt.Fprintf(w, "%s %-18s %s\n", v, c.Name, c.What)
	}
	if r.Pass {
		fmt.Fprintln(w, "soak: PASS")
	} else {
		fmt.Fprintln(w, "soak: FAIL")
	}
}

// scrape reads go_goroutines and fastftp_sessions from a Prometheus text page (-1 when
// absent).
func scrape(addr string) (goroutines, sessions int) {
	goroutines, sessions = -1, -1
	cl := http.Client{Timeout: 2 * time.Second}
	resp, err := cl.Get("http://" + addr + "/metrics")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_goroutines":
			goroutines = int(f)
		case "fastftp_sessions":
			sessions = int(f)
		}
	}
	return
}

// writeCert writes a self-signed certificate for 127.0.0.1/localhost into dir.
func writeCert(dir string) error {
	_, _, _, err := testcert.Write(dir, 1)
	return err
}
