// Package unixmode converts a stat(2) st_mode to an fs.FileMode the way package os does,
// and reads the fields whose names and types differ between Unix systems' syscall.Stat_t
// (stat_*.go); shared by vfs (its FileInfo) and proto (listing entries filled from raw
// stat results).
//
// FileMode builds on every GOOS: the st_mode bits are the same on Linux, the BSDs and
// darwin (POSIX fixes the permission bits; the file-type values are the historical ones
// every Unix kept), so they are written out here rather than taken from syscall, which
// lacks some of them on non-Unix systems. TestMatchesSyscall checks them against
// syscall's on each Unix the tests run on.
package unixmode

import "io/fs"

// st_mode bits (<sys/stat.h>).
const (
	sIFMT   = 0o170000
	sIFSOCK = 0o140000
	sIFLNK  = 0o120000
	sIFREG  = 0o100000
	sIFBLK  = 0o060000
	sIFDIR  = 0o040000
	sIFCHR  = 0o020000
	sIFIFO  = 0o010000
	sISUID  = 0o4000
	sISGID  = 0o2000
	sISVTX  = 0o1000
)

// FileMode converts st_mode (pass uint32(st.Mode): it is a uint16 on darwin and the
// BSDs). Safe from any goroutine; allocates nothing.
func FileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & sIFMT {
	case sIFBLK:
		mode |= fs.ModeDevice
	case sIFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case sIFDIR:
		mode |= fs.ModeDir
	case sIFIFO:
		mode |= fs.ModeNamedPipe
	case sIFLNK:
		mode |= fs.ModeSymlink
	case sIFSOCK:
		mode |= fs.ModeSocket
	}
	if m&sISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&sISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&sISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// IsDir reports whether st_mode describes a directory.
func IsDir(m uint32) bool { return m&sIFMT == sIFDIR }
