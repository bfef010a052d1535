// Linux socket options for data sockets.

package datapath

import (
	"errors"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// reuseAddr sets SO_REUSEADDR on a passive listener, so that its port can be bound again
// while connections accepted on it linger in TIME_WAIT. (Go sets it too; this states the
// requirement where it matters.)
func reuseAddr(network, address string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	}); err != nil {
		return err
	}
	return serr
}

// bindNoPort sets IP_BIND_ADDRESS_NO_PORT on an active data socket bound to the control
// connection's IP: the source port is then picked at connect time per 4-tuple, instead of
// at bind time from ports unused by any connection, which would exhaust the ephemeral range
// far sooner under many active transfers. Failure is harmless (older kernels).
func bindNoPort(network, address string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	})
}

// SetNotSentLowat sets TCP_NOTSENT_LOWAT on a data socket that sends (RETR, listings):
// the socket reports writable only while fewer than n bytes wait unsent, so the kernel
// queues about n bytes per download instead of a send buffer autotuned to ~4 MiB. Under
// hundreds of downloads the shorter queues cut wall time and CPU per GiB, at the price of
// more frequent wake-ups of the sender (BENCHMARKS.md, "TCP_NOTSENT_LOWAT on download data
// sockets"). n <= 0 changes nothing. c must expose its
// socket through syscall.Conn (a *net.TCPConn does; set it before wrapping in TLS). Safe
// from any goroutine.
func SetNotSentLowat(c net.Conn, n int) error {
	if n <= 0 {
		return nil
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return errors.New("datapath: TCP_NOTSENT_LOWAT: not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, n)
	}); err != nil {
		return err
	}
	return os.NewSyscallError("setsockopt TCP_NOTSENT_LOWAT", serr)
}
