//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package main

import "golang.org/x/sys/unix"

// ioctlGetTermios is the request isTerminal uses: the BSDs and darwin call TCGETS
// TIOCGETA.
const ioctlGetTermios = unix.TIOCGETA
