//go:build linux

package vfs

import "syscall"

// sysFstatat is fstatat(2)'s number (newfstatat on amd64).
const sysFstatat = syscall.SYS_NEWFSTATAT
