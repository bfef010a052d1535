//go:build unix

// Zero-downtime binary upgrade, as nginx does it: on SIGUSR2 the running process starts
// its executable again with the same arguments and hands it every listening socket (the
// same kernel sockets: nothing is closed and rebound, so no connection is refused). The
// successor serves, says so on a pipe, and the predecessor then stops accepting and
// drains. Also systemd socket activation and readiness (sd_notify).

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
)

// readyEnv names the descriptor on which a successor says it serves.
const readyEnv = "FASTFTPD_READY_FD"

// upgradeTimeout bounds how long a predecessor waits for its successor to serve.
const upgradeTimeout = 30 * time.Second

// upgradeSignal is the signal that starts an upgrade.
var upgradeSignal os.Signal = syscall.SIGUSR2

// takeOffered reads the sockets a predecessor or systemd passed, and removes the variables
// that named them from the environment (a successor gets its own).
func takeOffered() (*sockets, error) {
	s := &sockets{readyFD: -1}
	// The path this process was started from, now: later, /proc/self/exe follows the file
	// if it is renamed away (mv fastftpd fastftpd.old), and the upgrade would start the
	// old binary again. A new binary installed at the same path is what SIGUSR2 starts.
	s.executable, _ = os.Executable()
	inherit, upgrade := os.LookupEnv(inheritEnv)
	ready := os.Getenv(readyEnv)
	os.Unsetenv(inheritEnv)
	os.Unsetenv(readyEnv)
	systemd := activation.Files(true) // unsets LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES too
	if ready != "" {
		fd, err := strconv.Atoi(ready)
		if err != nil || fd < 3 {
			return nil, fmt.Errorf("%s=%q: not a descriptor number", readyEnv, ready)
		}
		syscall.CloseOnExec(fd)
		s.readyFD = fd
	}
	if upgrade {
		for _, f := range systemd {
			f.Close() // only a wrapper could set both; the predecessor's list is the one served
		}
		entries, err := parseInherit(inherit)
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			syscall.CloseOnExec(e.fd)
			ln, err := fileListener(os.NewFile(uintptr(e.fd), e.kind+"/"+e.addr))
			if err != nil {
				s.close()
				for _, rest := range entries[i+1:] {
					syscall.Close(rest.fd)
				}
				return nil, fmt.Errorf("%s: descriptor %d for %s/%s: %v", inheritEnv, e.fd, e.kind, e.addr, err)
			}
			s.offered = append(s.offered, &offer{kind: e.kind, key: e.addr, source: "inherited", ln: ln})
		}
		return s, nil
	}
	for i, f := range systemd {
		name := f.Name()
		ln, err := fileListener(f)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("systemd socket %s (descriptor %d): %v; fastftpd takes TCP listening sockets (ListenStream=)", name, 3+i, err)
		}
		kind := kindControl
		if name == kindImplicit {
			kind = kindImplicit
		}
		s.offered = append(s.offered, &offer{kind: kind, source: "systemd", name: name, ln: ln})
	}
	return s, nil
}

// fileListener makes a TCP listener of a passed descriptor (net.FileListener duplicates
// it) and closes f.
func fileListener(f *os.File) (net.Listener, error) {
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, err
	}
	if _, ok := ln.(*net.TCPListener); !ok {
		ln.Close()
		return nil, errors.New("not a TCP socket")
	}
	return ln, nil
}

// startSuccessor starts the executable again with the same arguments, hands it every open
// socket and waits (at most timeout, or until ctx ends) for it to serve. On failure the
// successor is killed and reaped and this process serves on; the error says why.
func startSuccessor(ctx context.Context, s *sockets, log *slog.Logger, timeout time.Duration) (int, error) {
	exe := s.executable
	if exe == "" {
		return 0, errors.New("the path of the executable was not found at start")
	}
	var p [2]int
	syscall.ForkLock.RLock() // no other fork may inherit the pipe before it is close-on-exec
	err := syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return 0, fmt.Errorf("readiness pipe: %v", os.NewSyscallError("pipe", err))
	}
	syscall.SetNonblock(p[0], true) // so that the read below honours its deadline
	ready := os.NewFile(uintptr(p[0]), "readiness pipe")
	defer ready.Close()
	// Raw descriptors, not exec.Cmd's ExtraFiles: those go through os.File.Fd, which puts
	// the socket in blocking mode, and the mode belongs to the socket both processes
	// share: an Accept here would then block where Close cannot wake it.
	files := []uintptr{0, 1, 2}
	var inherit []string
	for _, o := range s.open {
		fd, err := rawFD(o.ln)
		if err != nil {
			syscall.Close(p[1])
			return 0, fmt.Errorf("socket %s: %v", o.ln.Addr(), err)
		}
		inherit = append(inherit, inherited{o.kind, o.key, len(files)}.String())
		files = append(files, fd)
	}
	env := []string{inheritEnv + "=" + strings.Join(inherit, ","), readyEnv + "=" + strconv.Itoa(len(files))}
	files = append(files, uintptr(p[1]))
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		switch name {
		case inheritEnv, readyEnv, "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES":
		default:
			env = append(env, e)
		}
	}
	pid, err := syscall.ForkExec(exe, os.Args, &syscall.ProcAttr{Env: env, Files: files})
	syscall.Close(p[1]) // the successor's copy is the only writer now: its exit reads as EOF
	if err != nil {
		return 0, fmt.Errorf("starting %s: %v", exe, err)
	}
	log.Info("upgrade: successor started; waiting for it to serve", "executable", exe, "successor_pid", pid, "sockets", len(s.open), "timeout", timeout)
	proc, err := os.FindProcess(pid)
	if err != nil {
		return 0, fmt.Errorf("successor %d: %v", pid, err)
	}
	ready.SetReadDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { ready.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 16)
	n, err := io.ReadAtLeast(ready, buf, len("ready\n"))
	if err == nil && string(buf[:n]) == "ready\n" {
		return pid, nil
	}
	proc.Kill()
	st, werr := proc.Wait()
	why := "it exited before serving"
	switch {
	case ctx.Err() != nil:
		why = "this process is stopping"
	case errors.Is(err, os.ErrDeadlineExceeded):
		why = fmt.Sprintf("it did not serve within %s", timeout)
	case err == nil:
		why = fmt.Sprintf("it wrote %q instead of ready", buf[:n])
	}
	if werr == nil {
		why += " (" + st.String() + ")"
	}
	return 0, fmt.Errorf("successor %d (%s): %s; killed", pid, exe, why)
}

// rawFD returns a listener's descriptor, valid while the listener is open.
func rawFD(ln net.Listener) (uintptr, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return 0, errors.New("not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd uintptr
	if err := rc.Control(func(x uintptr) { fd = x }); err != nil {
		return 0, err
	}
	return fd, nil
}

// announce says that this process serves (its pid file is written): it tells its predecessor
// (after an upgrade), and tells systemd (when NOTIFY_SOCKET is set: READY=1, and after an
// upgrade MAINPID, which needs NotifyAccess=all in the unit).
func announce(st *settings, log *slog.Logger) {
	s := st.sockets
	if s != nil && len(s.notes) > 0 {
		log.Info("listening sockets handed over", "sockets", strings.Join(s.notes, "; "))
	}
	if s == nil || s.readyFD < 0 {
		notifySystemd(daemon.SdNotifyReady, log)
		return
	}
	f := os.NewFile(uintptr(s.readyFD), "readiness pipe")
	_, err := f.Write([]byte("ready\n"))
	f.Close()
	s.readyFD = -1
	if err != nil { // the predecessor gave up on this process and kills it: systemd must not follow it
		log.Error("upgrade: could not tell the predecessor that this process serves; it will kill this one", "err", err)
		return
	}
	log.Info("upgrade: serving; the predecessor drains", "pid", os.Getpid())
	// The predecessor says MAINPID= too, which NotifyAccess=main accepts from it.
	notifySystemd("MAINPID="+strconv.Itoa(os.Getpid())+"\n"+daemon.SdNotifyReady, log)
}

// notifySystemd sends one state to systemd, if it listens (NOTIFY_SOCKET).
func notifySystemd(state string, log *slog.Logger) {
	if _, err := daemon.SdNotify(false, state); err != nil {
		log.Warn("sd_notify failed", "state", strings.ReplaceAll(state, "\n", " "), "err", err)
	}
}
