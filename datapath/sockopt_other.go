//go:build !linux

// Other systems: the standard library's socket defaults.

package datapath

import (
	"net"
	"syscall"
)

func reuseAddr(network, address string, c syscall.RawConn) error  { return nil }
func bindNoPort(network, address string, c syscall.RawConn) error { return nil }

// SetNotSentLowat does nothing here: TCP_NOTSENT_LOWAT is set on Linux only (other systems
// either lack it or spell it differently; their kernel's default stays).
func SetNotSentLowat(c net.Conn, n int) error { return nil }
