// Command soak runs a mixed load against an FTP server for a while and checks that the
// server's resources stay flat and come back at the end: logins, idle sessions, RETR, STOR,
// LIST, ABOR, clients vanishing mid-transfer and, with -tls, FTPS transfers. It samples the
// server's descriptors, threads and memory (/proc/PID) and, with -metrics, its goroutines and
// sessions, every second.
//
//	soak -addr 127.0.0.1:2121 -u USER -p PASS -pid PID [-metrics 127.0.0.1:9121] -duration 2m
//	soak -gencert DIR        # writes DIR/cert.pem and DIR/key.pem for a -tls run
//
// Verdict (exit 1 when one fails): no unexpected error in any worker; after the warm-up,
// descriptors, threads and goroutines grow by at most 5% (plus a small absolute slack)
// from the first third of the run to the last; once the load stops, descriptors, goroutines
// and sessions are back within a small slack of what they were before it started. Memory is
// reported (Go keeps freed memory a while, so it is not judged on its return).
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

type config struct {
	addr, user, pass, metrics, out string
	pid                            int
	duration, warmup               time.Duration
	idle, retr, stor, list, login  int
	abor, vanish, tlsLoops         int
	tls                            bool
	fileSize                       int
}

func main() {
	var c config
	gencert := flag.String("gencert", "", "write a self-signed cert.pem and key.pem into this directory and exit")
	flag.StringVar(&c.addr, "addr", "127.0.0.1:2121", "server control address")
	flag.StringVar(&c.user, "u", "", "user")
	flag.StringVar(&c.pass, "p", "", "password")
	flag.IntVar(&c.pid, "pid", 0, "server process to sample (required)")
	flag.StringVar(&c.metrics, "metrics", "", "the server's Prometheus address, for goroutines and sessions")
	flag.DurationVar(&c.duration, "duration", 2*time.Minute, "how long the load runs")
	flag.DurationVar(&c.warmup, "warmup", 0, "samples before this are not judged (default: a sixth of -duration)")
	flag.IntVar(&c.idle, "idle", 300, "idle logged-in sessions (NOOP every 5 s)")
	flag.IntVar(&c.retr, "retr", 4, "RETR loops")
	flag.IntVar(&c.stor, "stor", 2, "STOR+DELE loops")
	flag.IntVar(&c.list, "list", 2, "LIST loops over a 1,000-entry directory")
	flag.IntVar(&c.login, "login", 4, "connect-login-quit loops")
	flag.IntVar(&c.abor, "abor", 1, "loops that start a RETR and ABOR it")
	flag.IntVar(&c.vanish, "vanish", 1, "loops whose client vanishes mid-RETR and mid-STOR")
	flag.IntVar(&c.tlsLoops, "tls-loops", 2, "with -tls: RETR loops over explicit FTPS (PROT P)")
	flag.BoolVar(&c.tls, "tls", false, "also run FTPS loops (the server must offer AUTH TLS)")
	flag.IntVar(&c.fileSize, "size", 4<<20, "bytes of the file RETR and STOR move")
	flag.StringVar(&c.out, "json", "", "write the samples and the verdict here")
	flag.Parse()
	if *gencert != "" {
		if err := writeCert(*gencert); err != nil {
			log.Fatal(err)
		}
		return
	}
	if c.pid <= 0 || c.user == "" {
		log.Fatal("soak: -pid and -u are required (see -h)")
	}
	if c.warmup == 0 {
		c.warmup = c.duration / 6
	}
	rep, err := run(&c)
	if err != nil {
		log.Fatal(err)
	}
	rep.print(os.Stdout)
	if c.out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(c.out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if !rep.Pass {
		os.Exit(1)
	}
}

// counters is one worker kind's tally.
type counters struct {
	ops, errs atomic.Int64
	lastErr   atomic.Value
}

func (k *counters) fail(err error) {
	k.errs.Add(1)
	k.lastErr.Store(err.Error())
}

func run(c *config) (*report, error) {
	d := &ftpclient.Dialer{Addr: c.addr, Timeout: 20 * time.Second}
	td := &ftpclient.Dialer{Addr: c.addr, Timeout: 20 * time.Second, TLS: ftpclient.TLSExplicit,
		TLSConfig: &tls.Config{InsecureSkipVerify: true}}
	if err := prepare(d, c); err != nil {
		return nil, fmt.Errorf("soak: prepare: %w", err)
	}
	before := sampleNow(c, 0)
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	kinds := map[string]*counters{}
	var wg sync.WaitGroup
	spawn := func(name string, n int, loop func(ctx context.Context, k *counters, i int)) {
		k := &counters{}
		kinds[name] = k
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				loop(ctx, k, i)
			}()
		}
	}
	spawn("idle", c.idle, func(ctx context.Context, k *counters, i int) { idleLoop(ctx, d, c, k, i) })
	spawn("retr", c.retr, func(ctx context.Context, k *counters, _ int) { retrLoop(ctx, d, c, k) })
	spawn("stor", c.stor, func(ctx context.Context, k *counters, i int) { storLoop(ctx, d, c, k, i) })
	spawn("list", c.list, func(ctx context.Context, k *counters, _ int) { listLoop(ctx, d, c, k) })
	spawn("login", c.login, func(ctx context.Context, k *counters, _ int) { loginLoop(ctx, d, c, k) })
	spawn("abor", c.abor, func(ctx context.Context, k *counters, _ int) { aborLoop(ctx, d, c, k) })
	spawn("vanish", c.vanish, func(ctx context.Context, k *counters, i int) { vanishLoop(ctx, d, c, k, i) })
	if c.tls {
		spawn("ftps", c.tlsLoops, func(ctx context.Context, k *counters, _ int) { retrLoop(ctx, td, c, k) })
	}
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(time.Second)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			samples = append(samples, sampleNow(c, time.Since(start)))
		}
	}
	tick.Stop()
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("soak: workers did not stop within 30 s of the end")
	}
	// The server gets up to 15 s to release what the last clients held.
	var after sample
	for i := 0; i < 15; i++ {
		after = sampleNow(c, time.Since(start))
		if backOK(before, after) {
			break
		}
		time.Sleep(time.Second)
	}
	cleanup(d, c)
	return judge(c, before, samples, after, kinds), nil
}

// prepare uploads the file RETR reads and the 1,000-entry directory LIST reads.
func prepare(d *ftpclient.Dialer, c *config) error {
	ctx := context.Background()
	conn, err := d.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Login(c.user, c.pass); err != nil {
		return err
	}
	conn.Cmd("TYPE", "I")
	buf := make([]byte, 64<<10)
	if _, err := conn.Stor(ctx, "soak-retr.bin", io.LimitReader(pattern{}, int64(c.fileSize)), buf); err != nil {
		return err
	}
	conn.Cmd("MKD", "soak-list")
	if n, err := conn.List(ctx, "NLST", "soak-list", buf, io.Discard); err == nil && n > 0 {
		return nil // made by an earlier run
	}
	for i := range 1000 {
		if _, err := conn.Stor(ctx, fmt.Sprintf("soak-list/f%04d", i), bytes.NewReader(nil), buf); err != nil {
			return err
		}
	}
	return nil
}

func cleanup(d *ftpclient.Dialer, c *config) {
	conn, err := d.Dial(context.Background())
	if err != nil {
		return
	}
	defer conn.Close()
	if conn.Login(c.user, c.pass) == nil {
		for i := range c.stor {
			conn.Cmd("DELE", fmt.Sprintf("soak-stor-%d.bin", i))
		}
		conn.Cmd("DELE", "soak-vanish.bin")
		conn.Quit()
	}
}

// pattern is an endless deterministic byte stream.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i * 7)
	}
	return len(p), nil
}

// session dials and logs in, or counts the failure.
func session(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters) *ftpclient.Conn {
	conn, err := d.Dial(ctx)
	if err != nil {
		if ctx.Err() == nil {
			k.fail(err)
		}
		return nil
	}
	if err := conn.Login(c.user, c.pass); err != nil {
		conn.Close()
		if ctx.Err() == nil {
			k.fail(err)
		}
		return nil
	}
	conn.Cmd("TYPE", "I")
	return conn
}

// pause sleeps d or until ctx ends; it reports whether the loop should go on.
func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func idleLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters, i int) {
	pause(ctx, time.Duration(i%50)*20*time.Millisecond) // spread the logins over a second
	conn := session(ctx, d, c, k)
	if conn == nil {
		return
	}
	defer conn.Close()
	for pause(ctx, 5*time.Second) {
		if err := conn.Expect("NOOP", "", 200); err != nil {
			k.fail(err)
			return
		}
		k.ops.Add(1)
	}
	conn.Quit()
}

func retrLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters) {
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		conn := session(ctx, d, c, k)
		if conn == nil {
			pause(ctx, 100*time.Millisecond)
			continue
		}
		for j := 0; j < 10 && ctx.Err() == nil; j++ {
			if _, err := conn.Retr(ctx, "soak-retr.bin", int64(c.fileSize), buf, io.Discard); err != nil {
				if ctx.Err() == nil {
					k.fail(err)
				}
				break
			}
			k.ops.Add(1)
		}
		conn.Quit()
		conn.Close()
	}
}

func storLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters, i int) {
	buf := make([]byte, 64<<10)
	name := fmt.Sprintf("soak-stor-%d.bin", i)
	for ctx.Err() == nil {
		conn := session(ctx, d, c, k)
		if conn == nil {
			pause(ctx, 100*time.Millisecond)
			continue
		}
		if _, err := conn.Stor(ctx, name, io.LimitReader(pattern{}, int64(c.fileSize)), buf); err != nil {
			if ctx.Err() == nil {
				k.fail(err)
			}
		} else if err := conn.Expect("DELE", name, 250); err != nil {
			k.fail(err)
		} else {
			k.ops.Add(1)
		}
		conn.Quit()
		conn.Close()
	}
}

func listLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters) {
	buf := make([]byte, 64<<10)
	conn := session(ctx, d, c, k)
	if conn == nil {
		return
	}
	defer conn.Close()
	for ctx.Err() == nil {
		var out bytes.Buffer
		if _, err := conn.List(ctx, "LIST", "soak-list", buf, &out); err != nil {
			if ctx.Err() == nil {
				k.fail(err)
			}
			return
		}
		if n := bytes.Count(out.Bytes(), []byte("\n")); n != 1000 {
			k.fail(fmt.Errorf("LIST soak-list: %d lines, want 1000", n))
		}
		k.ops.Add(1)
	}
}

// loginLoop logs in and out 20 times a second: a soak, not a storm (a storm leaves tens of
// thousands of TIME_WAIT sockets and runs the client out of ports, which tests the kernel).
func loginLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters) {
	for pause(ctx, 50*time.Millisecond) {
		conn, err := d.Dial(ctx)
		if err != nil {
			if ctx.Err() == nil {
				k.fail(err)
			}
			continue
		}
		if err := conn.LoginQuit(c.user, c.pass); err != nil && ctx.Err() == nil {
			k.fail(err)
		} else {
			k.ops.Add(1)
		}
		conn.Close()
	}
}

// aborLoop starts a RETR, reads 64 KiB, sends ABOR and expects 426 then 226 (or 226 alone
// when the transfer had already ended).
func aborLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters) {
	conn := session(ctx, d, c, k)
	if conn == nil {
		return
	}
	defer conn.Close()
	for pause(ctx, 200*time.Millisecond) {
		dc, err := conn.OpenData(ctx, "RETR", "soak-retr.bin")
		if err != nil {
			k.fail(err)
			return
		}
		io.ReadFull(dc, make([]byte, 64<<10))
		code, text, err := conn.Cmd("ABOR", "")
		switch {
		case err != nil:
			dc.Close()
			k.fail(err)
			return
		case code == 426 || code == 226 || code == 225:
			// The transfer's final reply (426 if ABOR cut it, 226 if it had ended), then
			// ABOR's own, which CloseData reads.
			if err := conn.CloseData(dc, nil); err != nil {
				k.fail(fmt.Errorf("ABOR: after %d: %w", code, err))
				return
			}
		default:
			dc.Close()
			k.fail(fmt.Errorf("ABOR: %d %s", code, text))
			return
		}
		k.ops.Add(1)
	}
}

// vanishLoop opens a RETR or a STOR, moves some data and closes both connections without a
// word, as a crashed client would.
func vanishLoop(ctx context.Context, d *ftpclient.Dialer, c *config, k *counters, i int) {
	for j := 0; pause(ctx, 100*time.Millisecond); j++ {
		conn := session(ctx, d, c, k)
		if conn == nil {
			continue
		}
		verb, arg := "RETR", "soak-retr.bin"
		if j%2 == 1 {
			verb, arg = "STOR", "soak-vanish.bin"
		}
		dc, err := conn.OpenData(ctx, verb, arg)
		if err != nil {
			if ctx.Err() == nil {
				k.fail(err)
			}
			conn.Close()
			continue
		}
		if verb == "RETR" {
			io.ReadFull(dc, make([]byte, 128<<10))
		} else {
			io.Copy(dc, io.LimitReader(pattern{}, 128<<10))
		}
		dc.Close()
		conn.Close()
		k.ops.Add(1)
	}
}

// sample is the server's state at one moment.
type sample struct {
	At         float64 `json:"at_s"`
	FDs        int     `json:"fds"`
	Threads    int     `json:"threads"`
	RSSKiB     int     `json:"rss_kib"`
	Goroutines int     `json:"goroutines"` // -1 without -metrics
	Sessions   int     `json:"sessions"`   // -1 without -metrics
}

func sampleNow(c *config, at time.Duration) sample {
	s := sample{At: at.Seconds(), Goroutines: -1, Sessions: -1}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", c.pid)); err == nil {
		s.FDs = len(ents)
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && f[0] == "VmRSS:" {
				fmt.Sscan(f[1], &s.RSSKiB)
			}
			if len(f) >= 2 && f[0] == "Threads:" {
				fmt.Sscan(f[1], &s.Threads)
			}
		}
	}
	if c.metrics != "" {
		s.Goroutines, s.Sessions = scrape(c.metrics)
	}
	return s
}
