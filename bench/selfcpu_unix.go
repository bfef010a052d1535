// selfcpu_unix.go: this process's CPU time from getrusage(2).

//go:build unix

package bench

import (
	"syscall"
	"time"
)

// SelfCPU returns the user+system CPU time this process has used, 0 when unknown. Safe
// from any goroutine.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
