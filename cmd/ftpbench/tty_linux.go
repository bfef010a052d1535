package main

import "golang.org/x/sys/unix"

// ioctlGetTermios is the request isTerminal uses.
const ioctlGetTermios = unix.TCGETS
