// The login storm on raw sockets: a few event loops (one less than the CPUs), each owning
// its share of the clients and its own epoll set. A login costs socket, connect, epoll_ctl
// ADD, one read per reply, one write per command and close: no netpoller (epoll_ctl DEL,
// EAGAIN reads, goroutine park/unpark), no Go net.Conn, and one thread wake-up serves every
// connection that became ready meanwhile.
//
//go:build linux

package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/fastftp/fastftp/ftpclient"
)

// rawLoginAvailable reports whether this platform has the raw login engine.
const rawLoginAvailable = true

// rawReplyBuf is a connection's read buffer. Login replies are a few dozen bytes; longer
// lines are skipped past their reply code.
const rawReplyBuf = 1024

// rawScanEvery is how often a loop looks for connections past their deadline.
const rawScanEvery = 50 * time.Millisecond

// Login steps: what the reply being awaited answers.
const (
	stepGreeting = iota
	stepUser
	stepPass
	stepQuit
	stepBatch // pipelined USER, PASS, QUIT: three replies
)

// rawLogin is what the loops of one run share; read-only once built.
type rawLogin struct {
	addr     string // host:port, for error messages
	family   int
	server   syscall.Sockaddr
	sources  []syscall.Sockaddr
	next     atomic.Uint32
	timeout  time.Duration
	linger   bool // reset the connection after the 221 (SO_LINGER 0)
	pipeline bool
	user     []byte // "USER name\r\n"
	pass     []byte // "PASS secret\r\n"
	quit     []byte
	batch    []byte // "USER name\r\nPASS secret\r\nQUIT\r\n"
}

// newRawLogin prepares the raw engine for cfg. It fails when the host is not an IP literal
// (or localhost) or a source address is of another family; the caller then uses package net.
func newRawLogin(cfg *Config) (*rawLogin, error) {
	ip, err := netip.ParseAddr(cfg.Host)
	if err != nil {
		if cfg.Host != "localhost" {
			return nil, fmt.Errorf("bench: raw login to %s: host is not an IP address: %w", cfg.Host, ErrBadConfig)
		}
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	ip = ip.Unmap()
	l := &rawLogin{addr: cfg.Addr(), timeout: cfg.Timeout, linger: cfg.ResetClose, pipeline: cfg.Pipeline}
	l.family, l.server = sockaddr(ip, cfg.Port)
	for _, s := range cfg.Sources {
		f, sa := sockaddr(s.Unmap(), 0)
		if f != l.family {
			return nil, fmt.Errorf("bench: raw login: source %s and server %s differ in family: %w", s, ip, ErrBadConfig)
		}
		l.sources = append(l.sources, sa)
	}
	l.user = append(append([]byte("USER "), cfg.User...), "\r\n"...)
	l.pass = append(append([]byte("PASS "), cfg.Pass...), "\r\n"...)
	l.quit = []byte("QUIT\r\n")
	l.batch = append(append(append([]byte(nil), l.user...), l.pass...), l.quit...)
	return l, nil
}

func sockaddr(ip netip.Addr, port int) (int, syscall.Sockaddr) {
	if ip.Is4() {
		return syscall.AF_INET, &syscall.SockaddrInet4{Port: port, Addr: ip.As4()}
	}
	return syscall.AF_INET6, &syscall.SockaddrInet6{Port: port, Addr: ip.As16()}
}

// rawLoginLoops is how many event loops serve clients clients. One P is left without a
// loop: while a loop's thread sleeps in epoll_wait its P sits in a syscall, and when no P
// is idle the runtime's monitor retakes such Ps and wakes a thread to spin for work. With
// 2 CPUs, two loops cost 75-83 µs per login where one cost 62-71 (8 clients, fastftpd).
func rawLoginLoops(clients int) int {
	return max(1, min(clients, runtime.GOMAXPROCS(0)-1))
}

// rawConn is one client slot of a loop: a login in flight, or idle between logins.
type rawConn struct {
	fd         int // -1 when idle
	step       int
	replies    int // replies read in stepBatch
	firstErr   error
	start      time.Time
	deadline   time.Time
	retry      time.Time // after a failure, no new login before this
	slot       int32
	buf        [rawReplyBuf]byte
	begin, end int
	multi      int  // code of the multi-line reply being read; 0 between replies
	skip       bool // discarding the tail of a line longer than buf
	pending    int  // code of a reply whose overlong last line is being skipped
}

// loginLoop runs the slots of one event loop. Owned by one goroutine.
type loginLoop struct {
	l       *rawLogin
	r       *runner
	epfd    int
	conns   []rawConn
	idle    []int32 // slots to start a login on
	backoff []int32 // slots waiting out an error back-off
	active  int
	events  [64]syscall.EpollEvent
}

// runRawLogin runs clients logins at a time over rawLoginLoops loops until the runner's
// window or count ends.
func runRawLogin(ctx context.Context, r *runner, l *rawLogin, clients int) {
	loops := rawLoginLoops(clients)
	r.run(ctx, loops, func(ctx context.Context, i int) {
		n := clients / loops
		if i < clients%loops {
			n++
		}
		lp := &loginLoop{l: l, r: r, conns: make([]rawConn, n)}
		if err := lp.run(ctx); err != nil && r.measuring() {
			r.fail(err)
		}
	})
}

func (lp *loginLoop) run(ctx context.Context) error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("bench: raw login: %w", os.NewSyscallError("epoll_create1", err))
	}
	lp.epfd = epfd
	defer syscall.Close(epfd)
	defer lp.abandon()
	for i := range lp.conns {
		lp.conns[i].fd, lp.conns[i].slot = -1, int32(i)
		lp.idle = append(lp.idle, int32(i))
	}
	lastScan := time.Now()
	for {
		now := time.Now()
		wait := lp.startIdle(ctx, now)
		if lp.active == 0 && wait < 0 {
			return nil
		}
		if now.Sub(lastScan) >= rawScanEvery {
			lp.expire(now)
			lastScan = now
		}
		ms := int(rawScanEvery / time.Millisecond)
		if wait >= 0 && wait < rawScanEvery {
			ms = int((wait + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := syscall.EpollWait(epfd, lp.events[:], ms)
		if err != nil && err != syscall.EINTR {
			return fmt.Errorf("bench: raw login: %w", os.NewSyscallError("epoll_wait", err))
		}
		for _, ev := range lp.events[:max(n, 0)] {
			lp.ready(&lp.conns[ev.Fd])
		}
		if !lp.r.countMode && (lp.r.stopped() || ctx.Err() != nil) {
			return nil // logins in flight no longer count: abandon them
		}
	}
}

// startIdle starts a login on every idle slot that may start one (a slot refused by the
// runner is dropped) and returns how long until a slot in back-off may start (negative:
// none is waiting).
func (lp *loginLoop) startIdle(ctx context.Context, now time.Time) time.Duration {
	wait := time.Duration(-1)
	keep := lp.backoff[:0]
	for _, i := range lp.backoff {
		if d := lp.conns[i].retry.Sub(now); d > 0 {
			keep = append(keep, i)
			if wait < 0 || d < wait {
				wait = d
			}
			continue
		}
		lp.idle = append(lp.idle, i)
	}
	lp.backoff = keep
	for len(lp.idle) > 0 {
		i := lp.idle[len(lp.idle)-1]
		lp.idle = lp.idle[:len(lp.idle)-1]
		if !lp.r.admit(ctx) {
			continue
		}
		if !lp.start(&lp.conns[i], now) && (wait < 0 || errorBackoff < wait) {
			wait = errorBackoff
		}
	}
	return wait
}

// start opens a connection for a new login on c; false when that failed at once.
func (lp *loginLoop) start(c *rawConn, now time.Time) bool {
	c.start, c.deadline = now, now.Add(lp.l.timeout)
	c.step, c.replies, c.firstErr = stepGreeting, 0, nil
	c.begin, c.end, c.multi, c.skip, c.pending = 0, 0, 0, false, 0
	fd, err := lp.l.dial()
	if err == nil {
		// Edge-triggered, registered once: close removes it, so no epoll_ctl DEL.
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: c.slot}
		if err = syscall.EpollCtl(lp.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			syscall.Close(fd)
			err = fmt.Errorf("bench: dial %s: %w", lp.l.addr, os.NewSyscallError("epoll_ctl", err))
		}
	}
	if err != nil {
		lp.finish(c, err)
		return false
	}
	c.fd = fd
	lp.active++
	return true
}

// finish records a login's outcome and frees its slot. In a pipelined login the first
// negative reply is the outcome, even when the server then hung up.
func (lp *loginLoop) finish(c *rawConn, err error) {
	if err != nil && c.firstErr != nil {
		err = c.firstErr
	}
	if c.fd >= 0 {
		if err == nil && lp.l.linger {
			// The 221 is read and nothing is owed: a reset spares both sides the FIN
			// exchange and the client a TIME_WAIT socket.
			syscall.SetsockoptLinger(c.fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &lingerRST)
		}
		syscall.Close(c.fd)
		c.fd = -1
		lp.active--
	}
	lp.r.done(c.start, err)
	if err != nil {
		c.retry = time.Now().Add(errorBackoff)
		lp.backoff = append(lp.backoff, c.slot)
		return
	}
	lp.idle = append(lp.idle, c.slot)
}

var lingerRST = syscall.Linger{Onoff: 1, Linger: 0}

// abandon closes every login still in flight when the loop ends early.
func (lp *loginLoop) abandon() {
	for i := range lp.conns {
		if c := &lp.conns[i]; c.fd >= 0 {
			syscall.Close(c.fd)
			c.fd = -1
		}
	}
	lp.active = 0
}

// expire fails the logins past their deadline.
func (lp *loginLoop) expire(now time.Time) {
	for i := range lp.conns {
		c := &lp.conns[i]
		if c.fd >= 0 && now.After(c.deadline) {
			lp.finish(c, fmt.Errorf("bench: login to %s: no reply within %v: %w", lp.l.addr, lp.l.timeout, os.ErrDeadlineExceeded))
		}
	}
}

// ready reads what arrived and advances the login. A read shorter than the free space
// drained the socket, so the next edge will report new bytes: no read ends in EAGAIN.
func (lp *loginLoop) ready(c *rawConn) {
	for c.fd >= 0 {
		if c.begin > 0 {
			c.end = copy(c.buf[:], c.buf[c.begin:c.end])
			c.begin = 0
		}
		if c.end == len(c.buf) && !c.overflow() {
			lp.finish(c, fmt.Errorf("bench: reply from %s: %q...: %w", lp.l.addr, c.buf[:16], ftpclient.ErrMalformedReply))
			return
		}
		space := len(c.buf) - c.end
		n, err := nbRead(c.fd, c.buf[c.end:])
		switch {
		case err == syscall.EAGAIN:
			return
		case err == syscall.EINTR:
			continue
		case err != nil:
			lp.finish(c, fmt.Errorf("bench: read reply from %s: %w", lp.l.addr, rawErr("read", err)))
			return
		case n == 0:
			lp.finish(c, fmt.Errorf("bench: read reply from %s: %w", lp.l.addr, io.EOF))
			return
		}
		c.end += n
		if !lp.advance(c) || n < space {
			return
		}
	}
}

// advance handles every complete reply in the buffer; false when the login ended.
func (lp *loginLoop) advance(c *rawConn) bool {
	for {
		code, text, err, ok := c.scan()
		if err != nil {
			lp.finish(c, fmt.Errorf("bench: reply from %s: %w", lp.l.addr, err))
			return false
		}
		if !ok {
			return true
		}
		if done, err := lp.step(c, code, text); done || err != nil {
			lp.finish(c, err)
			return false
		}
	}
}

// step acts on one reply: it sends the next command, or reports the login done or failed.
func (lp *loginLoop) step(c *rawConn, code int, text []byte) (done bool, err error) {
	l := lp.l
	switch c.step {
	case stepGreeting:
		if code != 220 {
			return true, ftpclient.NewReplyError("greeting", code, text)
		}
		if l.pipeline {
			c.step = stepBatch
			return false, lp.send(c, "USER/PASS/QUIT", l.batch)
		}
		c.step = stepUser
		return false, lp.send(c, "USER", l.user)
	case stepUser:
		switch code {
		case 230:
			c.step = stepQuit
			return false, lp.send(c, "QUIT", l.quit)
		case 331, 332:
			c.step = stepPass
			return false, lp.send(c, "PASS", l.pass)
		}
		return true, ftpclient.NewReplyError("USER", code, text)
	case stepPass:
		if code != 230 && code != 202 {
			return true, ftpclient.NewReplyError("PASS", code, text)
		}
		c.step = stepQuit
		return false, lp.send(c, "QUIT", l.quit)
	case stepQuit:
		if code/100 != 2 {
			return true, ftpclient.NewReplyError("QUIT", code, text)
		}
		return true, nil
	}
	// stepBatch: USER may answer 3xx, everything else 2xx; the first failure is the one
	// reported, after all three replies.
	i := c.replies
	c.replies++
	if ok := code/100 == 2 || (i == 0 && code/100 == 3); !ok && c.firstErr == nil {
		c.firstErr = ftpclient.NewReplyError([3]string{"USER", "PASS", "QUIT"}[i], code, text)
	}
	if c.replies == 3 {
		return true, c.firstErr
	}
	return false, nil
}

// send writes one command; the socket buffer of a fresh connection always has room.
func (lp *loginLoop) send(c *rawConn, verb string, p []byte) error {
	for len(p) > 0 {
		n, err := nbWrite(c.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("bench: send %s to %s: %w", verb, lp.l.addr, rawErr("write", err))
		}
		p = p[n:]
	}
	return nil
}

// overflow handles a buffer filled by one line (it starts at c.buf[0]): the line's code
// is noted and the rest of it skipped. A reply whose last line overflows is returned
// without text. false: the line is not a reply line.
func (c *rawConn) overflow() bool {
	if !c.skip {
		code, sep := ftpclient.ReplyCode(c.buf[:4])
		switch {
		case c.multi == 0 && code == 0:
			return false
		case c.multi == 0 && sep == '-':
			c.multi = code
		case (c.multi == 0 || code == c.multi) && sep == ' ':
			c.pending = code
		}
	}
	c.end, c.skip = 0, true
	return true
}

// scan consumes buffered lines until a reply is complete (ok) or no complete line is left.
// text aliases c.buf and lives until the next read into it.
func (c *rawConn) scan() (code int, text []byte, err error, ok bool) {
	for c.begin < c.end {
		p := c.buf[c.begin:c.end]
		i := indexNL(p)
		if i < 0 {
			return 0, nil, nil, false
		}
		line := p[:i+1]
		c.begin += i + 1
		if c.skip {
			c.skip = false
			if code := c.pending; code != 0 {
				c.pending, c.multi = 0, 0
				return code, nil, nil, true
			}
			continue
		}
		code, sep := ftpclient.ReplyCode(line)
		if c.multi == 0 {
			if code == 0 {
				return 0, nil, fmt.Errorf("%q: %w", bytes.TrimRight(line, "\r\n"), ftpclient.ErrMalformedReply), false
			}
			if sep == ' ' {
				return code, ftpclient.ReplyText(line), nil, true
			}
			c.multi = code
			continue
		}
		if code == c.multi && sep == ' ' {
			c.multi = 0
			return code, ftpclient.ReplyText(line), nil, true
		}
	}
	return 0, nil, nil, false
}

func indexNL(p []byte) int {
	for i, b := range p {
		if b == '\n' {
			return i
		}
	}
	return -1
}

// dial opens a non-blocking socket and starts connecting; on loopback the handshake is
// usually done before connect returns.
func (l *rawLogin) dial() (int, error) {
	fd, err := syscall.Socket(l.family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("bench: dial %s: %w", l.addr, rawErr("socket", err))
	}
	if len(l.sources) > 0 {
		// Bind without a port: connect picks one per destination, so each source address
		// reaches the full ephemeral range.
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
		src := l.sources[int(l.next.Add(1))%len(l.sources)]
		if err := syscall.Bind(fd, src); err != nil {
			syscall.Close(fd)
			return -1, fmt.Errorf("bench: dial %s: %w", l.addr, rawErr("bind", err))
		}
	}
	err = syscall.Connect(fd, l.server)
	if err != nil && err != syscall.EINPROGRESS && err != syscall.EINTR {
		syscall.Close(fd)
		return -1, fmt.Errorf("bench: dial %s: %w", l.addr, rawErr("connect", err))
	}
	// A refused or failed handshake shows up as an error on the first read.
	return fd, nil
}

// ipBindAddressNoPort is IP_BIND_ADDRESS_NO_PORT (Linux 4.2), absent from package syscall.
const ipBindAddressNoPort = 24

// rawErr wraps a failed syscall; EAGAIN becomes os.ErrDeadlineExceeded so it is counted as
// a timeout like package net's.
func rawErr(call string, err error) error {
	if errors.Is(err, syscall.EAGAIN) {
		return fmt.Errorf("%s: %w", call, os.ErrDeadlineExceeded)
	}
	return os.NewSyscallError(call, err)
}

// epollET is EPOLLET as the uint32 EpollEvent.Events holds (package syscall declares it
// as a negative int).
const epollET = 1 << 31

// nbRead and nbWrite are read(2) and write(2) on non-blocking sockets, issued without the
// runtime's syscall bookkeeping (entersyscall/exitsyscall): they never block, so the
// thread keeps its P and the runtime's monitor has nothing to watch.
func nbRead(fd int, p []byte) (int, error) {
	r, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func nbWrite(fd int, p []byte) (int, error) {
	r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
