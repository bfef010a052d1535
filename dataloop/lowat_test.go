//go:build linux

package dataloop

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestNotSentLowatOnDownloads: Config.NotSentLowat reaches the socket of a download the
// engine carries (fastftpd sets the option at accept instead), and an engine without it
// leaves the kernel's value. The option belongs to the socket, not the descriptor, so the
// test reads it through its own duplicate while the engine holds another.
func TestNotSentLowatOnDownloads(t *testing.T) {
	data := pattern(4<<20, 7)
	f := writeFile(t, memDir(t), "f", data)
	ln := listener(t)
	for _, lowat := range []int{64 << 10, 0} {
		e := newEngine(t, Config{Loops: 1, NotSentLowat: lowat})
		srv, cli := pair(t, ln)
		var dup int
		rc, err := srv.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Control(func(fd uintptr) { dup, err = unix.Dup(int(fd)) }); err != nil || dup < 0 {
			t.Fatalf("dup: %v", err)
		}
		h, err := e.Submit(Job{Name: "f", Conn: srv, File: f})
		if err != nil {
			unix.Close(dup)
			t.Fatalf("Submit: %v", err)
		}
		// The client has not read yet: the job has started once bytes are queued.
		deadline := time.Now().Add(testTimeout)
		for h.Progress() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		got, gerr := unix.GetsockoptInt(dup, unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT)
		unix.Close(dup)
		b, rerr := readAll(cli)
		<-h.Done()
		switch {
		case gerr != nil:
			t.Errorf("lowat %d: getsockopt: %v", lowat, gerr)
		case lowat > 0 && got != lowat:
			t.Errorf("Config.NotSentLowat %d: the download's socket has %d", lowat, got)
		case lowat == 0 && got == 64<<10:
			t.Errorf("Config.NotSentLowat 0: the download's socket has %d, want the kernel's default", got)
		}
		if rerr != nil || h.Result().Err != nil {
			t.Fatalf("lowat %d: read %v, result %v", lowat, rerr, h.Result().Err)
		}
		equal(t, "download", b, data)
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
	}
}
