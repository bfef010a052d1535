//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// liveServer is a fastftpd started by the test, and its successors: every generation
// writes to one pipe that the test reads (exec.Cmd's own pipe would close when the first
// generation is waited for, and its successors would die of SIGPIPE on their next line).
type liveServer struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	addr string
	done chan error // the first generation's exit
}

// startedRe finds the successors a server started, for the cleanup.
var startedRe = regexp.MustCompile(`successor_pid=(\d+)`)

// startLive starts name with args (env and extra descriptors added) and waits for its
// listening address.
func startLive(t *testing.T, name string, args, env []string, extra ...*os.File) *liveServer {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = w
	cmd.ExtraFiles = extra
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s := &liveServer{cmd: cmd, log: &syncBuffer{}, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		// Every successor started, also those the test did not get to (it failed first).
		for _, m := range startedRe.FindAllStringSubmatch(s.log.String(), -1) {
			pid, err := strconv.Atoi(m[1])
			cmdline, _ := os.ReadFile("/proc/" + m[1] + "/cmdline")
			if err == nil && bytes.Contains(cmdline, []byte("fastftpd")) { // not a reused PID
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		r.Close()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			s.log.WriteString(sc.Text() + "\n")
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.addr = <-found:
	case err := <-s.done:
		t.Fatalf("fastftpd exited before listening (%v):\n%s", err, s.log.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("fastftpd did not report its address:\n%s", s.log.String())
	}
	return s
}

// waitFor polls cond for at most d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// readPid reads the pid file (0 if absent or not a number).
func readPid(path string) int {
	b, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// exited reports whether process pid is gone or a zombie (a successor outlives its parent,
// and whoever inherits it may not reap it at once).
func exited(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := bytes.Cut(b, []byte(") "))
	return len(rest) > 0 && (rest[0] == 'Z' || rest[0] == 'X')
}

var successorRe = regexp.MustCompile(`msg="upgrade: the successor serves; stopping accepting and draining" successor_pid=(\d+)`)

// upgrade sends SIGUSR2 to the process the pid file names and returns the successor's
// PID once the predecessor says the successor serves and starts draining.
func (s *liveServer) upgrade(t *testing.T, pidFile string) (old, next int) {
	t.Helper()
	old = readPid(pidFile)
	before := len(successorRe.FindAllStringSubmatch(s.log.String(), -1))
	if err := syscall.Kill(old, syscall.SIGUSR2); err != nil {
		t.Fatalf("SIGUSR2 to %d: %v", old, err)
	}
	if !waitFor(15*time.Second, func() bool { return len(successorRe.FindAllStringSubmatch(s.log.String(), -1)) > before }) {
		t.Fatalf("no successor serves 15 s after SIGUSR2 to %d:\n%s", old, s.log.String())
	}
	m := successorRe.FindAllStringSubmatch(s.log.String(), -1)
	next, _ = strconv.Atoi(m[len(m)-1][1])
	if got := readPid(pidFile); got != next {
		t.Errorf("pid file names %d after the upgrade, want the successor %d", got, next)
	}
	return old, next
}

// tally counts what the clients saw.
type tally struct {
	conns, xfers, long, refused, bye, failed atomic.Int64
	mu                                       sync.Mutex
	errs                                     []string
	spans                                    [][2]time.Time // long downloads: start, end
}

func (tl *tally) fail(format string, a ...any) {
	tl.failed.Add(1)
	tl.mu.Lock()
	if len(tl.errs) < 10 {
		tl.errs = append(tl.errs, fmt.Sprintf(format, a...))
	}
	tl.mu.Unlock()
}

// endedByDrain reports whether err, before a transfer started, is a draining server
// ending the session: its 421 (which jlaffaye/ftp returns as a textproto.Error, or as the
// bare text after USER), or the connection closed after it (after a 421 to EPSV, the
// library falls back to PASV on the closed connection).
func endedByDrain(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code == 421 || err.Error() == "Server shutting down." ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// fetch connects, logs in and downloads name up to n times on that one connection (until
// stop), comparing each copy with want. Counted: a refused connection; a transfer that
// started (150) and did not end in 226 with the right bytes; any other error. Counted
// apart, as the documented end of a session on a draining server (the client reconnects):
// a 421 before a transfer started, or the connection closed after it (endedByDrain).
func fetch(addr, name string, want []byte, tl *tally, long bool, n int, stop *atomic.Bool) {
	dial := func(network, address string) (net.Conn, error) {
		c, err := net.DialTimeout(network, address, 5*time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(30 * time.Second)) // no client outlives the test
		}
		return c, err
	}
	tl.conns.Add(1)
	c, err := ftp.Dial(addr, ftp.DialWithDialFunc(dial))
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			tl.refused.Add(1)
		case endedByDrain(err):
			tl.bye.Add(1)
		default:
			tl.fail("connect: %v", err)
		}
		return
	}
	defer c.Quit()
	if err := c.Login("anonymous", "storm@example.com"); err != nil {
		if endedByDrain(err) {
			tl.bye.Add(1)
		} else {
			tl.fail("login: %v", err)
		}
		return
	}
	for i := 0; i < n && (i == 0 || !stop.Load()); i++ {
		start := time.Now()
		r, err := c.Retr(name)
		if err != nil {
			if endedByDrain(err) {
				tl.bye.Add(1)
			} else {
				tl.fail("RETR %s before 150: %v", name, err)
			}
			return
		}
		got, err := io.ReadAll(r)
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
			tl.fail("RETR %s after %d bytes: %v", name, len(got), err)
			return
		case !bytes.Equal(got, want):
			tl.fail("RETR %s: %d bytes differ from the %d on disk", name, len(got), len(want))
			return
		}
		tl.xfers.Add(1)
		if long {
			tl.long.Add(1)
			tl.mu.Lock()
			tl.spans = append(tl.spans, [2]time.Time{start, time.Now()})
			tl.mu.Unlock()
		}
	}
}

// publicBinary builds fastftpd where any account can run it: started as root, the server
// becomes nobody, and it is nobody who starts the successor.
func publicBinary(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = publicDir(t)
	bin = filepath.Join(dir, "bin", "fastftpd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.Chmod(filepath.Dir(bin), 0o755)
	return bin, dir
}

// randomFile writes n random bytes to dir/name and returns them.
func randomFile(t *testing.T, dir, name string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// passiveFlag is a -r value of 1000 passive ports from passiveRange (workers_test.go).
func passiveFlag() string {
	lo, hi := passiveRange(1000)
	return fmt.Sprintf("%d-%d", lo, hi)
}

// TestUpgradeUnderStorm: a connection storm (connect, log in, download, compare) and
// long downloads looping on one session each run through two SIGUSR2 upgrades. No connection is refused, no
// transfer fails, every byte is right; each predecessor finishes its transfers and exits
// 0; the pid file names the newest process, which serves.
func TestUpgradeUnderStorm(t *testing.T) {
	bin, dir := publicBinary(t)
	pub := filepath.Join(dir, "pub")
	os.Mkdir(pub, 0o755)
	small := randomFile(t, pub, "small.bin", 64<<10)
	large := randomFile(t, pub, "large.bin", 12<<20)
	pidFile := filepath.Join(dir, "fastftpd.pid")
	// 6 MB/s per session: a long download takes 2 s, so some run across each upgrade.
	s := startLive(t, bin, []string{"-i", "127.0.0.1", "-p", "0", "-d", pub, "--pid-file", pidFile,
		"--shutdown-grace", "20s", "-r", passiveFlag(), "--write-limit", "6M"}, nil)
	first := readPid(pidFile)
	if first != s.cmd.Process.Pid {
		t.Fatalf("pid file names %d, want the server %d", first, s.cmd.Process.Pid)
	}

	var tl tally
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100000 && !stop.Load(); n++ {
				if i < 2 {
					fetch(s.addr, "large.bin", large, &tl, true, 1000, &stop) // a mirror: one session, many files
				} else {
					fetch(s.addr, "small.bin", small, &tl, false, 1, &stop)
				}
			}
		}()
	}
	time.Sleep(time.Second)

	var upgradedAt []time.Time
	var olds []int
	for range 2 {
		before := tl.xfers.Load()
		old, next := s.upgrade(t, pidFile)
		upgradedAt = append(upgradedAt, time.Now())
		olds = append(olds, old)
		if !waitFor(25*time.Second, func() bool { return exited(old) }) {
			t.Fatalf("predecessor %d still runs 25 s after its successor %d took over:\n%s", old, next, s.log.String())
		}
		// The storm goes on against the successor before the next upgrade.
		if !waitFor(10*time.Second, func() bool { return tl.xfers.Load() > before+20 }) {
			t.Fatalf("the storm stalled after the upgrade to %d:\n%s", next, s.log.String())
		}
		time.Sleep(time.Second) // long downloads restarted on the successor get going
	}
	time.Sleep(500 * time.Millisecond)
	stop.Store(true)
	clients := make(chan struct{})
	go func() { wg.Wait(); close(clients) }()
	select {
	case <-clients:
	case <-time.After(40 * time.Second):
		t.Fatal("clients still running 40 s after the storm stopped")
	}

	t.Logf("storm through 2 upgrades: %d connections, %d transfers complete (%d long), %d refused, %d sessions ended by a draining server between transfers (421), %d failed",
		tl.conns.Load(), tl.xfers.Load(), tl.long.Load(), tl.refused.Load(), tl.bye.Load(), tl.failed.Load())
	if n := tl.refused.Load(); n != 0 {
		t.Errorf("%d connections refused during the upgrades", n)
	}
	if n := tl.failed.Load(); n != 0 {
		t.Errorf("%d failures: %s", n, strings.Join(tl.errs, "; "))
	}
	// A long download running at each upgrade finished on the predecessor.
	for i, at := range upgradedAt {
		across := false
		tl.mu.Lock()
		for _, sp := range tl.spans {
			across = across || sp[0].Before(at.Add(-100*time.Millisecond)) && sp[1].After(at)
		}
		tl.mu.Unlock()
		if !across {
			t.Errorf("no long download ran across upgrade %d: the test proved nothing about draining", i+1)
		}
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("first process %d: %v (want exit 0 after draining)", olds[0], err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("first process %d has not exited", olds[0])
	}
	live := readPid(pidFile)
	if live == olds[0] || live == olds[1] || exited(live) {
		t.Fatalf("pid file names %d (predecessors %v); want the live newest process", live, olds)
	}
	if c, err := dialLogin(s.addr, "anonymous", "x"); err != nil {
		t.Fatalf("newest process: %v", err)
	} else {
		c.Quit()
	}
	if n := strings.Count(s.log.String(), `msg="upgrade: serving; the predecessor drains"`); n != 2 {
		t.Errorf("%d successors said they serve, want 2:\n%s", n, s.log.String())
	}
}

// TestUpgradeToBrokenBinary: SIGUSR2 when the executable was replaced by one that exits 1
// at once: the upgrade fails, the running process serves on and keeps the pid file. With
// the real binary back, the next SIGUSR2 upgrades: the successor serves the metrics port
// it inherited, and systemd (a notify socket made by the test) hears READY=1 from the
// first process, then MAINPID= and READY=1 from the successor and MAINPID= from the
// predecessor.
func TestUpgradeToBrokenBinary(t *testing.T) {
	bin, dir := publicBinary(t)
	pub := filepath.Join(dir, "pub")
	os.Mkdir(pub, 0o755)
	data := randomFile(t, pub, "f.bin", 200<<10)
	pidFile := filepath.Join(dir, "fastftpd.pid")
	notifyPath := filepath.Join(dir, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notifyPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	os.Chmod(notifyPath, 0o777) // the server sends as the account it became
	notes := make(chan string, 16)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := notify.Read(buf)
			if err != nil {
				return
			}
			notes <- string(buf[:n])
		}
	}()
	// nextNotes checks the next messages, in any order (two processes send them).
	nextNotes := func(want ...string) {
		t.Helper()
		var got []string
		for range want {
			select {
			case n := <-notes:
				got = append(got, n)
			case <-time.After(10 * time.Second):
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("systemd was told %q, want %q", got, want)
		}
	}
	s := startLive(t, bin, []string{"-i", "127.0.0.1", "-p", "0", "-d", pub, "--pid-file", pidFile,
		"--metrics", "127.0.0.1:0"}, []string{"NOTIFY_SOCKET=" + notifyPath})
	pid := s.cmd.Process.Pid
	nextNotes("READY=1")

	// Installed as operators do: the old binary moved aside, a new file at the path.
	good := bin + ".good"
	if err := os.Rename(bin, good); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'broken build' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGUSR2)
	if !waitFor(15*time.Second, func() bool { return strings.Contains(s.log.String(), "upgrade failed; this process serves on") }) {
		t.Fatalf("no failed upgrade logged:\n%s", s.log.String())
	}
	if !strings.Contains(s.log.String(), "it exited before serving (exit status 1); killed") || !strings.Contains(s.log.String(), "broken build") {
		t.Errorf("the failure does not say why:\n%s", s.log.String())
	}
	if exited(pid) || readPid(pidFile) != pid {
		t.Fatalf("after a failed upgrade: process %d exited=%v, pid file names %d", pid, exited(pid), readPid(pidFile))
	}
	var tl tally
	fetch(s.addr, "f.bin", data, &tl, false, 1, nil)
	if tl.xfers.Load() != 1 {
		t.Fatalf("download after the failed upgrade: %s", strings.Join(tl.errs, "; "))
	}

	if err := os.Rename(good, bin); err != nil {
		t.Fatal(err)
	}
	_, next := s.upgrade(t, pidFile)
	nextNotes(fmt.Sprintf("MAINPID=%d\nREADY=1", next), fmt.Sprintf("MAINPID=%d", next))
	if !waitFor(15*time.Second, func() bool { return exited(pid) }) {
		t.Fatalf("predecessor %d did not exit after the upgrade to %d", pid, next)
	}
	fetch(s.addr, "f.bin", data, &tl, false, 1, nil)
	if tl.xfers.Load() != 2 {
		t.Fatalf("download from the successor: %s", strings.Join(tl.errs, "; "))
	}
	urls := regexp.MustCompile(`metrics=(http://\S+)`).FindAllStringSubmatch(s.log.String(), -1)
	if len(urls) != 2 || urls[0][1] != urls[1][1] {
		t.Fatalf("metrics URLs of the two processes: %v; want the same inherited port", urls)
	}
	resp, err := http.Get(urls[1][1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("# TYPE")) {
		t.Fatalf("metrics from the successor: %s %.200q", resp.Status, body)
	}
}

// TestSocketActivation: fastftpd started as systemd starts it, with a control socket and
// an implicit FTPS socket (FileDescriptorName=ftps) as descriptors 3 and 4: without -p it
// serves exactly those, and curl lists and downloads through both, also after an upgrade
// (which hands both on). With -p naming another port, it refuses to start and says why.
func TestSocketActivation(t *testing.T) {
	bin, dir := publicBinary(t)
	pub := filepath.Join(dir, "pub")
	os.Mkdir(pub, 0o755)
	data := randomFile(t, pub, "f.bin", 300<<10)
	_, _, both := keyPair(t, dir)
	// Started as root, the server becomes nobody, and the successor it starts reads the
	// key as nobody (docs/operations.md): a test key may be readable by all.
	os.Chmod(both, 0o644)
	socket := func() (*os.File, string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close() // the duplicate in the *os.File keeps the socket
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f, ln.Addr().String()
	}
	ctrl, ctrlAddr := socket()
	ftps, ftpsAddr := socket()
	// LISTEN_PID must be the server's PID: sh sets it to its own, then becomes the server.
	wrap := []string{"-c", `LISTEN_PID=$$ exec "$0" "$@"`, bin}
	env := []string{"LISTEN_FDS=2", "LISTEN_FDNAMES=fastftpd.socket:ftps"}
	pidFile := filepath.Join(dir, "fastftpd.pid")
	s := startLive(t, "sh", append(wrap, "-d", pub, "--certfile", both, "--pid-file", pidFile), env, ctrl, ftps)
	if s.addr != ctrlAddr {
		t.Fatalf("serves %s, want systemd's socket %s", s.addr, ctrlAddr)
	}
	for _, want := range []string{"listen=" + ctrlAddr + " ", "implicit_ftps=" + ftpsAddr + " ",
		"ftps " + ftpsAddr + " from systemd; ftp " + ctrlAddr + " from systemd"} {
		if !waitFor(5*time.Second, func() bool { return strings.Contains(s.log.String(), want) }) {
			t.Errorf("log lacks %q:\n%s", want, s.log.String())
		}
	}
	curl := func(args ...string) []byte {
		out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "20"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return out
	}
	if l := curl("ftp://" + ctrlAddr + "/"); !bytes.Contains(l, []byte("f.bin")) {
		t.Errorf("listing through systemd's control socket: %q", l)
	}
	if got := curl("ftp://" + ctrlAddr + "/f.bin"); !bytes.Equal(got, data) {
		t.Errorf("download through systemd's control socket: %d bytes, want %d identical", len(got), len(data))
	}
	if got := curl("-k", "ftps://"+ftpsAddr+"/f.bin"); !bytes.Equal(got, data) {
		t.Errorf("download through systemd's implicit FTPS socket: %d bytes, want %d identical", len(got), len(data))
	}
	// An upgrade hands both sockets on, each as what it was.
	s.upgrade(t, pidFile)
	want := "ftps " + ftpsAddr + " from inherited; ftp " + ctrlAddr + " from inherited"
	if !waitFor(5*time.Second, func() bool { return strings.Contains(s.log.String(), want) }) {
		t.Errorf("successor's log lacks %q:\n%s", want, s.log.String())
	}
	if got := curl("ftp://" + ctrlAddr + "/f.bin"); !bytes.Equal(got, data) {
		t.Errorf("download through the control socket after an upgrade: %d bytes, want %d identical", len(got), len(data))
	}
	if got := curl("-k", "ftps://"+ftpsAddr+"/f.bin"); !bytes.Equal(got, data) {
		t.Errorf("download through the implicit FTPS socket after an upgrade: %d bytes, want %d identical", len(got), len(data))
	}

	// A configured address that is not the socket systemd passed: a clear refusal.
	other, _ := socket()
	cmd := exec.Command("sh", append(wrap, "-d", pub, "-i", "127.0.0.1", "-p", "0")...)
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{other}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "systemd passed socket 127.0.0.1:") ||
		!strings.Contains(string(out), "no configured address is bound there (-p: 127.0.0.1:0)") {
		t.Errorf("systemd socket that -p does not name: %v, %q; want exit 1 and the reason", err, out)
	}
}

// TestTakeInherited: FASTFTPD_INHERIT hands a listening socket to the configured address
// it served; the variables are gone afterwards (a later successor gets its own); a
// malformed entry or a descriptor that is no socket is a clear error.
func TestTakeInherited(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Descriptors handed over belong to the taker, which closes them: give it its own.
	handOver := func(c syscall.Conn) int {
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		fd := -1
		rc.Control(func(x uintptr) { fd, err = syscall.Dup(int(x)) })
		if err != nil {
			t.Fatal(err)
		}
		return fd
	}
	t.Setenv(inheritEnv, fmt.Sprintf("ftp/127.0.0.1:0=%d", handOver(ln.(*net.TCPListener))))
	st := &settings{listen: []string{"127.0.0.1:0"}, listenFrom: "-p"}
	ctrl, implicit, err := openListeners(st)
	if err != nil {
		t.Fatal(err)
	}
	defer st.sockets.close()
	if len(ctrl) != 1 || len(implicit) != 0 || ctrl[0].Addr().String() != ln.Addr().String() {
		t.Fatalf("listeners %v %v, want the inherited %s", ctrl, implicit, ln.Addr())
	}
	if _, ok := os.LookupEnv(inheritEnv); ok {
		t.Errorf("%s still set after the sockets were taken", inheritEnv)
	}

	notSocket, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer notSocket.Close()
	devNull := handOver(notSocket)
	for _, c := range []struct{ env, want string }{
		{"ftp/:21", `"ftp/:21" is not KIND/ADDRESS=FD`},
		{"ssh/:22=3", `"ssh/:22=3" is not KIND/ADDRESS=FD`},
		{"ftp/:21=1", `"ftp/:21=1" is not KIND/ADDRESS=FD`},
		{fmt.Sprintf("ftp/:21=%d", devNull), fmt.Sprintf("descriptor %d for ftp/:21:", devNull)},
	} {
		t.Setenv(inheritEnv, c.env)
		st := &settings{listen: []string{"127.0.0.1:0"}, listenFrom: "-p"}
		if _, _, err := openListeners(st); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want an error with %q", inheritEnv, c.env, err, c.want)
		}
	}
}

func TestBoundTo(t *testing.T) {
	any6 := &net.TCPAddr{IP: net.IPv6unspecified, Port: 21}
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2121}
	for _, c := range []struct {
		a    net.Addr
		addr string
		want bool
	}{
		{any6, ":21", true}, {any6, "0.0.0.0:21", true}, {any6, "[::]:21", true}, {any6, ":2121", false},
		{any6, "127.0.0.1:21", false}, {lo, "127.0.0.1:2121", true}, {lo, "[::ffff:127.0.0.1]:2121", true},
		{lo, ":2121", false}, {lo, "127.0.0.2:2121", false}, {&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, "127.0.0.1:0", false},
	} {
		if got := boundTo(c.a, c.addr); got != c.want {
			t.Errorf("boundTo(%v, %q) = %v, want %v", c.a, c.addr, got, c.want)
		}
	}
}

// TestUpgradeUnderLftpMirror: `lftp mirror --parallel=4` (a real client: one session per
// worker, many files each) runs through two upgrades, the second sent while the first
// predecessor may still drain: lftp exits 0 and the copy is byte-exact.
func TestUpgradeUnderLftpMirror(t *testing.T) {
	if _, err := exec.LookPath("lftp"); err != nil {
		t.Skip("lftp not installed")
	}
	bin, dir := publicBinary(t)
	src := filepath.Join(dir, "src")
	os.Mkdir(src, 0o755)
	want := map[string][]byte{}
	for i := range 60 {
		name := fmt.Sprintf("f%02d.bin", i)
		want[name] = randomFile(t, src, name, 1<<20)
	}
	pidFile := filepath.Join(dir, "fastftpd.pid")
	// 4 MB/s per session: 60 MiB over 4 sessions takes about 4 s.
	s := startLive(t, bin, []string{"-i", "127.0.0.1", "-p", "0", "-d", src, "--pid-file", pidFile,
		"--shutdown-grace", "20s", "-r", passiveFlag(), "--write-limit", "4M"}, nil)
	_, port, _ := net.SplitHostPort(s.addr)
	dst := filepath.Join(t.TempDir(), "mirror")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lftp := exec.CommandContext(ctx, "lftp", "-p", port, "-e",
		"set net:max-retries 5; set net:reconnect-interval-base 1; set net:timeout 20; mirror --parallel=4 / "+dst+"; quit",
		"ftp://anonymous:x@127.0.0.1")
	var out bytes.Buffer
	lftp.Stdout, lftp.Stderr = &out, &out
	if err := lftp.Start(); err != nil {
		t.Fatal(err)
	}
	mirrored := make(chan error, 1)
	go func() { mirrored <- lftp.Wait() }()
	time.Sleep(700 * time.Millisecond)
	s.upgrade(t, pidFile)
	time.Sleep(700 * time.Millisecond)
	s.upgrade(t, pidFile)
	select {
	case <-mirrored:
		t.Fatal("the mirror ended before the second upgrade: the test proved nothing (machine too fast for 4 MB/s?)")
	default:
	}
	if err := <-mirrored; err != nil {
		t.Fatalf("lftp mirror: %v\n%s\nserver log:\n%s", err, out.String(), s.log.String())
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %d bytes (%v), want the %d on the server", name, len(got), err, len(b))
		}
	}
	if strings.Contains(s.log.String(), "transfers cut short") {
		t.Errorf("a predecessor cut transfers short:\n%s", s.log.String())
	}
}
