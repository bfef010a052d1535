// Linux: probe once whether the kernel moves bytes by sendfile(2) and splice(2).

package sendfile

import (
	"bytes"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// probeSize is the payload of the probe: small, but more than one byte, so that a kernel
// that moves only part of it is noticed.
const probeSize = 4096

var probe = sync.OnceValues(func() (sendfile, splice bool) {
	return probeSendfile(), probeSplice()
})

// Supported reports whether this kernel moves bytes zero-copy: sendfile(2) from a file to a
// stream socket and splice(2) from a stream socket through a pipe into a file. It is probed
// once per process (a memfd and a socketpair, no network), later calls return the cached
// answer. Safe from any goroutine. When false, Send and Recv always use the buffer path.
func Supported() bool {
	sf, sp := probe()
	return sf && sp
}

func sendfileOK() bool { sf, _ := probe(); return sf }
func spliceOK() bool   { _, sp := probe(); return sp }

// probeFile returns an empty file descriptor in memory (memfd), or an unlinked temporary
// file where memfd_create is missing.
func probeFile() (int, error) {
	fd, err := unix.MemfdCreate("sendfile-probe", unix.MFD_CLOEXEC)
	if err == nil {
		return fd, nil
	}
	f, err := os.CreateTemp("", "sendfile-probe-*")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	_ = os.Remove(f.Name())
	return unix.Dup(int(f.Fd()))
}

func probePattern() []byte {
	p := make([]byte, probeSize)
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return p
}

// probeSendfile sends a small file over a socketpair and checks the bytes that arrive.
func probeSendfile() bool {
	fd, err := probeFile()
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	want := probePattern()
	if n, err := unix.Pwrite(fd, want, 0); err != nil || n != len(want) {
		return false
	}
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(sv[0])
	defer unix.Close(sv[1])
	var off int64
	// A socketpair buffer holds far more than probeSize, so one blocking call moves it all.
	if n, err := unix.Sendfile(sv[0], fd, &off, len(want)); err != nil || n != len(want) {
		return false
	}
	got := make([]byte, len(want))
	if !readFull(sv[1], got) {
		return false
	}
	return bytes.Equal(got, want)
}

// probeSplice writes into a socketpair, splices the other end through a pipe into a file
// and checks the file.
func probeSplice() bool {
	fd, err := probeFile()
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(sv[0])
	defer unix.Close(sv[1])
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return false
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	want := probePattern()
	if n, err := unix.Write(sv[0], want); err != nil || n != len(want) {
		return false
	}
	var off int64
	for moved := 0; moved < len(want); {
		in, err := unix.Splice(sv[1], nil, p[1], nil, len(want)-moved, 0)
		if err != nil || in <= 0 {
			return false
		}
		for left := in; left > 0; {
			out, err := unix.Splice(p[0], nil, fd, &off, int(left), 0)
			if err != nil || out <= 0 {
				return false
			}
			left -= out
		}
		moved += int(in)
	}
	got := make([]byte, len(want))
	if n, err := unix.Pread(fd, got, 0); err != nil || n != len(got) {
		return false
	}
	return bytes.Equal(got, want)
}

func readFull(fd int, b []byte) bool {
	for len(b) > 0 {
		n, err := unix.Read(fd, b)
		if err != nil || n <= 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// isAppend reports whether f was opened with O_APPEND (also through os.NewFile), which
// splice(2) refuses: the standard library would silently fall back to an allocating copy.
func isAppend(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return true // closed or odd: let the buffer path report the error
	}
	flags := 0
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0)
	}); err != nil || ferr != nil {
		return true
	}
	return flags&unix.O_APPEND != 0
}
