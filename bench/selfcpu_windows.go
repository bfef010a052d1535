// selfcpu_windows.go: this process's CPU time from GetProcessTimes (Windows has no
// getrusage).

package bench

import (
	"time"

	"golang.org/x/sys/windows"
)

// SelfCPU returns the user+system CPU time this process has used, 0 when unknown. Safe
// from any goroutine.
func SelfCPU() time.Duration {
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user); err != nil {
		return 0
	}
	return filetimeDuration(kernel) + filetimeDuration(user)
}

// filetimeDuration reads a FILETIME that holds an interval (GetProcessTimes' kernel and
// user times), counted in 100 ns units; Filetime.Nanoseconds is for instants since 1601.
func filetimeDuration(ft windows.Filetime) time.Duration {
	return time.Duration(uint64(ft.HighDateTime)<<32|uint64(ft.LowDateTime)) * 100
}
