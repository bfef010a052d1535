//go:build !linux

// Other systems: the standard library's socket defaults.

package datapath

import "syscall"

func reuseAddr(network, address string, c syscall.RawConn) error  { return nil }
func bindNoPort(network, address string, c syscall.RawConn) error { return nil }
