//go:build unix && !linux

package main

import "syscall"

// parentDeath: only Linux can signal a worker when its supervisor dies.
func parentDeath(*syscall.SysProcAttr) {}

// rearmParentDeath: nothing to re-arm (followSupervisor's check is all there is).
func rearmParentDeath() {}
