// fill_other.go: FillEntry's fallback where syscall.Stat_t does not exist (the defaults stay).

//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos || aix)

package proto

func fillSys(*Entry, any) {}
