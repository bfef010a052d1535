package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// parentDeath makes the kernel send SIGTERM to a worker whose supervisor died (kill -9),
// so that no worker outlives it holding the port.
func parentDeath(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }

// rearmParentDeath asks for SIGTERM on the parent's death again, for this process: a
// change of effective user (dropPrivileges) clears what parentDeath set.
func rearmParentDeath() { _ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0) }
