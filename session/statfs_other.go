//go:build !(linux || darwin || freebsd)

// statfs_other.go: platforms where AVBL answers 502 (no Fstatfs with these field names in
// golang.org/x/sys/unix, or no unix at all).

package session

func statfsAvail(uintptr) (int64, error) { return 0, errNoStatfs }
