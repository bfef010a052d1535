// TCP_NOTSENT_LOWAT on a data socket, read back from the kernel.
package datapath

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

func notSentLowat(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		v, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT)
	}); err != nil || gerr != nil {
		t.Fatalf("getsockopt: %v %v", err, gerr)
	}
	return v
}

func TestSetNotSentLowat(t *testing.T) {
	p, err := Listen(lo, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dialFrom(t, lo, lo, p.Port())
	c, err := p.Accept(t.Context(), lo)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*net.TCPConn)
	before := notSentLowat(t, tc)
	if err := SetNotSentLowat(c, 0); err != nil || notSentLowat(t, tc) != before {
		t.Fatalf("SetNotSentLowat(0): %v; the value changed from %d", err, before)
	}
	if err := SetNotSentLowat(c, 128<<10); err != nil {
		t.Fatal(err)
	}
	if got := notSentLowat(t, tc); got != 128<<10 {
		t.Fatalf("TCP_NOTSENT_LOWAT = %d after setting 128 KiB", got)
	}
	var notSocket struct{ net.Conn }
	if err := SetNotSentLowat(notSocket, 1); err == nil {
		t.Error("SetNotSentLowat on a conn without a socket: no error")
	}
}
