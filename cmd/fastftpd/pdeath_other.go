//go:build unix && !linux

package main

import "syscall"

// parentDeath: only Linux can signal a worker when its supervisor dies.
func parentDeath(*syscall.SysProcAttr) {}
