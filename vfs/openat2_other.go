// openat2_other.go: Unix systems without openat2(2) (all but Linux). Local always uses
// the os.Root fallback there: the same jail, walked one openat per component by package
// os, and slower (see local.go).

//go:build unix && !linux

package vfs

import "golang.org/x/sys/unix"

// haveOpenat2 is false: NewLocalOptions never opens the fast-path handle.
const haveOpenat2 = false

// oPath: without O_PATH (darwin has none, FreeBSD only from 14), the parent directory
// for mkdirat/unlinkat/renameat is opened read-only. Behaviour difference from Linux:
// that open needs read permission on the parent, so MKD, DELE, RMD and RNFR/RNTO in a
// directory the server may write and search but not read (mode 0300) fail with EACCES.
const oPath = unix.O_RDONLY

// openat2 is never called here (Local.fast stays false); it exists for the shared code.
func openat2(dirfd int, rel string, flag int, mode uint32) (int, error) {
	return -1, unix.ENOSYS
}

// openat2Works is false: there is no openat2 to probe.
func openat2Works(dirfd int) bool { return false }
