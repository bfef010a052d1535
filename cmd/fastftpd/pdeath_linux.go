package main

import "syscall"

// parentDeath makes the kernel send SIGTERM to a worker whose supervisor died (kill -9),
// so that no worker outlives it holding the port.
func parentDeath(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
