//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// passiveRange picks a passive range of n ports below the ephemeral range (ARCHITECTURE.md,
// loopback pitfalls), at a random place so parallel runs rarely collide.
func passiveRange(n int) (lo, hi int) {
	r, _ := rand.Int(rand.Reader, big.NewInt(10000))
	lo = 20000 + int(r.Int64())
	return lo, lo + n - 1
}

// workerLines waits until the log matches re at least n times (bounded), returning the
// submatches.
func waitLog(t *testing.T, log *syncBuffer, re *regexp.Regexp, n int) [][]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := re.FindAllStringSubmatch(log.String(), -1)
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("log never matched %s %d times:\n%s", re, n, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawLogin logs in anonymously and returns the connection's reader, writer and local port.
func rawLogin(t *testing.T, addr string) (*bufio.Reader, net.Conn) {
	t.Helper()
	c, r, line := dialGreet(t, addr)
	if !strings.HasPrefix(line, "220") {
		t.Fatalf("greeting %q", line)
	}
	for _, s := range []struct{ send, want string }{{"USER anonymous\r\n", "331"}, {"PASS x@\r\n", "230"}} {
		c.Write([]byte(s.send))
		if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, s.want) {
			t.Fatalf("%q: %q", s.send, line)
		}
	}
	return r, c
}

// loginRetry logs in anonymously, retrying for up to 10 s while the server answers 421
// (slots of connections just closed are released asynchronously).
func loginRetry(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		line, _ := r.ReadString('\n')
		if strings.HasPrefix(line, "421") && time.Now().Before(deadline) {
			c.Close()
			continue
		}
		t.Cleanup(func() { c.Close() })
		c.Write([]byte("USER anonymous\r\nPASS x@\r\n"))
		r.ReadString('\n')
		if l2, _ := r.ReadString('\n'); !strings.HasPrefix(line, "220") || !strings.HasPrefix(l2, "230") {
			t.Fatalf("login: %q %q", line, l2)
		}
		return
	}
}

var pasvRe = regexp.MustCompile(`227 .*\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)`)

// TestWorkersServeWithSlicedPorts: 3 workers serve lftp and curl downloads byte-exact,
// and every PASV port a session gets lies in the slice of the worker holding it.
func TestWorkersServeWithSlicedPorts(t *testing.T) {
	if _, err := exec.LookPath("lftp"); err != nil {
		t.Skip("lftp not installed")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	want := map[string][]byte{}
	for i := range 12 {
		b := make([]byte, 100_000+i*37_000)
		rand.Read(b)
		name := fmt.Sprintf("f%02d.bin", i)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
		want[name] = b
	}
	lo, hi := passiveRange(9)
	_, port, log := startBinary(t, bin, dir, "-i", "127.0.0.1", "-p", "0", "--workers", "3", "-r", fmt.Sprintf("%d-%d", lo, hi), "--metrics", "127.0.0.1:0")
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 3)
	addr := net.JoinHostPort("127.0.0.1", port)

	out := t.TempDir()
	cmd := exec.Command("lftp", "-c", "set net:max-retries 1; set net:timeout 10; open ftp://anonymous:x@"+addr+"; mirror --parallel=4 / "+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lftp mirror: %v\n%s", err, b)
	}
	for i := range 6 {
		name := fmt.Sprintf("f%02d.bin", i*2)
		got, err := exec.Command("curl", "-sS", "--max-time", "20", "ftp://"+addr+"/"+name).Output()
		if err != nil || !bytes.Equal(got, want[name]) {
			t.Fatalf("curl %s: %v (%d bytes)", name, err, len(got))
		}
	}
	for name, b := range want {
		if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("lftp %s: not byte-exact (%v)", name, err)
		}
	}

	// PASV from many sessions: each port is in its worker's slice (from the login line
	// the worker logs for our local port).
	seen := map[int]bool{}
	for range 15 {
		r, c := rawLogin(t, addr)
		c.Write([]byte("PASV\r\n"))
		line, _ := r.ReadString('\n')
		m := pasvRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("PASV: %q", line)
		}
		p1, _ := strconv.Atoi(m[5])
		p2, _ := strconv.Atoi(m[6])
		pasv := p1*256 + p2
		local := strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
		wm := waitLog(t, log, regexp.MustCompile(`msg=login worker=(\d) remote=127\.0\.0\.1:`+local+` `), 1)
		w, _ := strconv.Atoi(wm[0][1])
		a, b := portSlice(uint16(lo), uint16(hi), 3, w)
		if pasv < int(a) || pasv > int(b) {
			t.Errorf("worker %d gave PASV port %d, outside its slice %d-%d", w, pasv, a, b)
		}
		seen[w] = true
		c.Close()
	}
	if len(seen) < 2 {
		t.Errorf("15 sessions all landed on one worker (%v)", seen)
	}

	// One scrape of the supervisor shows every worker; its logins add up to the logs'.
	url := waitLog(t, log, regexp.MustCompile(`metrics of all workers" url=(\S+)`), 1)[0][1]
	body, err := exec.Command("curl", "-sS", "--max-time", "10", url).Output()
	if err != nil {
		t.Fatal(err)
	}
	sum, workers := 0, map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^fastftp_logins_total\{worker="(\d)",result="success"\} (\d+)$`).FindAllStringSubmatch(string(body), -1) {
		n, _ := strconv.Atoi(m[2])
		sum += n
		workers[m[1]] = true
	}
	logins := len(regexp.MustCompile(`msg=login worker=`).FindAllString(log.String(), -1))
	if len(workers) != 3 || sum != logins || bytes.Count(body, []byte("# TYPE fastftp_logins_total ")) != 1 ||
		!bytes.Contains(body, []byte(`fastftp_worker_up{worker="2"} 1`)) || !bytes.Contains(body, []byte(`fastftp_worker_restarts_total{worker="0"} 0`)) {
		t.Errorf("merged metrics: workers %v, logins %d (logged %d), want 3 workers and equal counts:\n%s", workers, sum, logins, body)
	}
}

func TestMergeMetrics(t *testing.T) {
	a := []byte("# HELP x_total X.\n# TYPE x_total counter\nx_total{k=\"v\"} 1\n# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 3\nh_count 2\n")
	b := []byte("# HELP x_total X.\n# TYPE x_total counter\nx_total{k=\"v\"} 5\n# HELP only Only here.\n# TYPE only gauge\nonly 7\n")
	var out bytes.Buffer
	mergeMetrics(&out, [][]byte{a, nil, b}, nil)
	want := `# HELP x_total X.
# TYPE x_total counter
x_total{worker="0",k="v"} 1
x_total{worker="2",k="v"} 5
# HELP h H.
# TYPE h histogram
h_bucket{worker="0",le="1"} 2
h_sum{worker="0"} 3
h_count{worker="0"} 2
# HELP only Only here.
# TYPE only gauge
only{worker="2"} 7
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestPortSlices(t *testing.T) {
	for _, c := range []struct{ lo, hi, n int }{{30000, 30008, 3}, {30000, 30009, 3}, {1, 65535, 64}, {100, 100, 1}, {100, 102, 3}} {
		next := c.lo
		for i := range c.n {
			a, b := portSlice(uint16(c.lo), uint16(c.hi), c.n, i)
			if int(a) != next || b < a {
				t.Fatalf("%v worker %d: %d-%d, want it to start at %d and be non-empty", c, i, a, b, next)
			}
			next = int(b) + 1
		}
		if next != c.hi+1 {
			t.Fatalf("%v: slices end at %d, want %d", c, next-1, c.hi)
		}
	}
}

// TestWorkersRefusals: more workers than passive ports, and a bad count, are refused at
// start with a sentence naming the flag.
func TestWorkersRefusals(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "4", "-r", "30000-30002"}, "--workers 4 needs a passive port for each worker"},
		{[]string{"--workers", "0"}, `--workers "0": want "auto"`},
		{[]string{"--workers", "many"}, `--workers "many"`},
	} {
		var out bytes.Buffer
		if code := run(append(c.args, "-p", "0"), &out); code != 2 || !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, out.String(), c.want)
		}
	}
}

// storm opens n connections at once (from src, if valid) and counts the greetings: 220
// admitted, 421 refused. Connections stay open until all have been answered.
func storm(t *testing.T, addr string, src string, n int) (admitted, refused int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var conns []net.Conn
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: 5 * time.Second}
			if src != "" {
				d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
			}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			defer mu.Unlock()
			conns = append(conns, c)
			switch {
			case strings.HasPrefix(line, "220"):
				admitted++
			case strings.HasPrefix(line, "421"):
				refused++
			default:
				t.Errorf("greeting %q", line)
			}
		}()
	}
	wg.Wait()
	for _, c := range conns {
		c.Close()
	}
	return admitted, refused
}

// TestWorkersGlobalLimits: --max-cons 10 across 3 workers admits exactly 10 of 50
// simultaneous connections; --max-cons-per-ip 4 admits exactly 4 from each of two
// addresses; a closed connection's slot comes back.
func TestWorkersGlobalLimits(t *testing.T) {
	bin := buildBinary(t)
	_, port, log := startBinary(t, bin, t.TempDir(), "-i", "127.0.0.1", "-p", "0", "--workers", "3", "--max-cons", "10")
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 3)
	addr := net.JoinHostPort("127.0.0.1", port)
	for round := range 2 { // the second round proves every slot was released
		if a, r := storm(t, addr, "", 50); a != 10 || r != 40 {
			t.Fatalf("round %d: %d admitted, %d refused of 50 with --max-cons 10; want 10 and 40", round, a, r)
		}
		waitLog(t, log, regexp.MustCompile(`session closed`), 10*(round+1))
	}

	_, port, log = startBinary(t, bin, t.TempDir(), "-i", "127.0.0.1", "-p", "0", "--workers", "3", "--max-cons-per-ip", "4")
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 3)
	addr = net.JoinHostPort("127.0.0.1", port)
	var wg sync.WaitGroup
	for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, r := storm(t, addr, src, 20); a != 4 || r != 16 {
				t.Errorf("from %s: %d admitted, %d refused of 20 with --max-cons-per-ip 4; want 4 and 16", src, a, r)
			}
		}()
	}
	wg.Wait()
}

// TestWorkersRestartAndStop: a worker killed with SIGKILL is restarted (logged with its
// exit status), new sessions work, and SIGTERM to the supervisor stops every process.
func TestWorkersRestartAndStop(t *testing.T) {
	cmd, port, log, m := startWorkers(t, 3, "--max-cons", "5")
	addr := net.JoinHostPort("127.0.0.1", port)
	// Fill 4 of 5 slots, some on the worker about to die: its slots must come back.
	for range 4 {
		rawLogin(t, addr)
	}
	victim, _ := strconv.Atoi(m[1][2])
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, regexp.MustCompile(`worker exited; restarting it" worker=1 pid=`+m[1][2]+` status="signal: killed"`), 1)
	waitLog(t, log, workerStarted, 4)
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=1`), 2)
	// The dead worker's sessions are gone: their slots are free again. Count what the
	// limit admits now: 5 minus the live sessions on the two survivors.
	live := 0
	for _, l := range regexp.MustCompile(`msg=login worker=(\d)`).FindAllStringSubmatch(log.String(), -1) {
		if l[1] != "1" {
			live++
		}
	}
	closedRe := regexp.MustCompile(`session closed`)
	closed := len(closedRe.FindAllString(log.String(), -1))
	if a, _ := storm(t, addr, "", 10); a != 5-live {
		t.Fatalf("after the restart %d admitted; want %d (5 minus %d live on the other workers)", a, 5-live, live)
	}
	waitLog(t, log, closedRe, closed+5-live)
	// The storm's slots come back (released as its connections close): exactly 5-live
	// logins fit again, and not one more.
	for range 5 - live {
		loginRetry(t, addr)
	}
	if a, _ := storm(t, addr, "", 3); a != 0 {
		t.Fatalf("%d admitted past --max-cons 5", a)
	}
	pids := []int{cmd.Process.Pid}
	for _, p := range workerStarted.FindAllStringSubmatch(log.String(), -1) {
		n, _ := strconv.Atoi(p[2])
		pids = append(pids, n)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("supervisor exit: %v\n%s", err, log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("supervisor did not stop on SIGTERM:\n%s", log.String())
	}
	for _, p := range pids {
		if syscall.Kill(p, 0) == nil {
			t.Errorf("process %d still running after SIGTERM", p)
		}
	}
}

// TestWorkersReloadOnSIGHUP: SIGHUP to the supervisor reaches every worker: each reloads
// the file, and the lowered max_cons holds across them.
func TestWorkersReloadOnSIGHUP(t *testing.T) {
	bin := buildBinary(t)
	home := publicDir(t) // workers started as root reload as nobody: it must read the file
	path := filepath.Join(home, "ftp.toml")
	doc := "[server]\nlisten = [\"127.0.0.1:0\"]\nworkers = 2\nmax_cons = %d\n[anonymous]\nenabled = true\nhome = %q\n"
	if err := os.WriteFile(path, fmt.Appendf(nil, doc, 10, home), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, port, log := startBinary(t, bin, home, "--config", path)
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 2)
	addr := net.JoinHostPort("127.0.0.1", port)
	os.WriteFile(path, fmt.Appendf(nil, doc, 3, home), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	m := waitLog(t, log, regexp.MustCompile(`SIGHUP: users and limits reloaded" worker=(\d)`), 2)
	if m[0][1] == m[1][1] {
		t.Fatalf("one worker reloaded twice, the other not: %v", m)
	}
	if a, r := storm(t, addr, "", 12); a != 3 || r != 9 {
		t.Fatalf("after the reload: %d admitted, %d refused of 12; want 3 and 9", a, r)
	}
}

// TestWorkersUserBanAndBandwidthLimits: the limits a user thinks of as global hold across
// 3 workers: sessions per user, bans after failed logins, the global download rate.
func TestWorkersUserBanAndBandwidthLimits(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	file := make([]byte, 256<<10)
	rand.Read(file)
	os.WriteFile(filepath.Join(dir, "half.bin"), file, 0o644)
	_, port, log := startBinary(t, bin, dir, "-i", "127.0.0.1", "-p", "0", "--workers", "3", "--global-write-limit", "1M")
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 3)
	addr := net.JoinHostPort("127.0.0.1", port)

	// 12 downloads of 256 KiB at once, 3 MiB in all under a global 1 MiB/s: about 3 s
	// (less the 100 ms burst), whichever workers serve them; a per-worker limit would
	// take 1-2 s.
	start := time.Now()
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := exec.Command("curl", "-sS", "--max-time", "20", "ftp://"+addr+"/half.bin").Output()
			if err != nil || !bytes.Equal(got, file) {
				t.Errorf("download: %v, %d bytes, byte-exact %v", err, len(got), bytes.Equal(got, file))
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	served := map[string]bool{}
	for _, m := range regexp.MustCompile(`msg=transfer worker=(\d)`).FindAllStringSubmatch(log.String(), -1) {
		served[m[1]] = true
	}
	if took < 2500*time.Millisecond {
		t.Errorf("3 MiB under a global 1 MiB/s took %v on workers %v: the limit is not global", took, served)
	}
	if len(served) < 2 {
		t.Logf("all downloads on one worker %v: this run did not test sharing", served)
	}

	_, port, log = startBinary(t, bin, dir, "-i", "127.0.0.1", "-p", "0", "--workers", "3", "-u", "alice", "-P", "pw",
		"--max-sessions-per-user", "2", "--ban-after", "3")
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), 3)
	addr = net.JoinHostPort("127.0.0.1", port)

	// alice's sessions: 2 at most, across workers.
	ok := 0
	for range 5 {
		c, r, _ := dialGreet(t, addr)
		c.Write([]byte("USER alice\r\nPASS pw\r\n"))
		r.ReadString('\n')
		if l, _ := r.ReadString('\n'); strings.HasPrefix(l, "230") {
			ok++
		}
	}
	if ok != 2 {
		t.Errorf("%d sessions of alice logged in with --max-sessions-per-user 2 across 3 workers, want 2", ok)
	}

	// 3 failed logins on 3 connections (landing on any workers) ban the address for all.
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, r, _ := dialGreet(t, addr)
			if c == nil {
				return
			}
			c.Write([]byte("USER alice\r\nPASS wrong\r\n"))
			r.ReadString('\n')
			r.ReadString('\n')
		}()
	}
	wg.Wait()
	if _, _, line := dialGreet(t, addr); !strings.HasPrefix(line, "421 Too many failed logins") {
		t.Fatalf("after 3 failed logins: %q, want the ban's 421", line)
	}
}

// dialGreet connects (closed at cleanup, 10 s deadline) and reads the greeting line.
func dialGreet(t *testing.T, addr string) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Error(err)
		return nil, nil, ""
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	line, _ := r.ReadString('\n')
	return c, r, line
}

// TestWorkersFailingAtStart: workers that exit by themselves at their first start (here:
// the transfer log, which only workers open, is in a directory that does not exist) stop
// the server with an error instead of being restarted forever.
func TestWorkersFailingAtStart(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-i", "127.0.0.1", "-p", "0", "--workers", "2",
		"--xferlog", filepath.Join(t.TempDir(), "missing", "xferlog"))
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("supervisor still running after 20 s:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "worker failed at start; stopping") || !strings.Contains(string(out), "transfer log") {
		t.Fatalf("exit %v, want 1 with the worker's reason:\n%s", err, out)
	}
}

// TestWorkersDieWithSupervisor: kill -9 of the supervisor stops every worker within a few
// seconds, also the ones that dropped to another account (started as root, anonymous
// access runs as ftp or nobody), which clears the kernel's parent-death signal: they once
// went on serving, holding the port, until something else killed them.
func TestWorkersDieWithSupervisor(t *testing.T) {
	cmd, _, _, m := startWorkers(t, 2, "--shutdown-grace", "1s")
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	for _, w := range m {
		pid, _ := strconv.Atoi(w[2])
		deadline := time.Now().Add(10 * time.Second)
		for !exited(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if !exited(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("worker %s (pid %d) still running 10 s after its supervisor was killed", w[1], pid)
		}
	}
}

// workerStarted matches the supervisor's line for each worker it starts: index, pid.
var workerStarted = regexp.MustCompile(`worker started" worker=(\d) pid=(\d+)`)

// startWorkers runs the binary with n workers on a free loopback port (plus args) and
// waits until each serves; it returns the supervisor, the port, the log and each worker's
// workerStarted match.
func startWorkers(t *testing.T, n int, args ...string) (*exec.Cmd, string, *syncBuffer, [][]string) {
	t.Helper()
	cmd, port, log := startBinary(t, buildBinary(t), t.TempDir(),
		append([]string{"-i", "127.0.0.1", "-p", "0", "--workers", strconv.Itoa(n)}, args...)...)
	m := waitLog(t, log, workerStarted, n)
	waitLog(t, log, regexp.MustCompile(`starting FTP server" worker=\d`), n)
	return cmd, port, log, m
}
