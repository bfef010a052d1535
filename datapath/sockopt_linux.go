// Linux socket options for data sockets.

package datapath

import (
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
