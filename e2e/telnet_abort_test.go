// Aborts as BSD ftp and tnftp send them: the Telnet Synch with its IAC as TCP urgent data.

//go:build unix

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fastftp/fastftp"
)

// sendSynchAbort writes what tnftp's abort does, byte for byte: send(fd, "IAC IP IAC", 3,
// MSG_OOB) (TCP marks only the last byte urgent, and Linux takes it out of the stream
// unless SO_OOBINLINE), then "DM ABOR\r\n" inline. The server therefore reads
// "\xff\xf4\xf2ABOR\r\n".
func sendSynchAbort(t *testing.T, c net.Conn) {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), []byte{0xff, 0xf4, 0xff}, unix.MSG_OOB, nil)
		return serr != unix.EAGAIN
	}); err != nil || serr != nil {
		t.Fatalf("send IAC IP IAC as urgent data: %v %v", err, serr)
	}
	if _, err := c.Write([]byte("\xf2ABOR\r\n")); err != nil {
		t.Fatal(err)
	}
}

// TestAborTelnetSynch aborts a RETR whose client stopped reading the way tnftp does; the
// server must answer 426 then 226 (it used to answer "500 '\xf2ABOR'" and let the transfer
// run on), and then serve the next command. Outside a transfer the same bytes get 225/226.
func TestAborTelnetSynch(t *testing.T) {
	t.Parallel()
	c, dc, small := runningRetr(t, 23)
	sendSynchAbort(t, c.c)
	if code, text := c.expectFor("Synch ABOR", 426, 225, 226); code != 426 {
		t.Fatalf("Synch ABOR during RETR: first reply %q, want 426", text)
	}
	c.expectFor("Synch ABOR (second reply)", 226, 225)
	dc.Close()
	c.cmd("NOOP", 200)
	if got := c.retr("RETR small.txt"); !bytes.Equal(got, small) {
		t.Fatalf("RETR after the Synch ABOR: got %q", got)
	}
	sendSynchAbort(t, c.c) // nothing to abort
	c.expectFor("Synch ABOR with no transfer", 225, 226)
	c.cmd("NOOP", 200)
}

// TestAborTnftp: the real tnftp client interrupted (SIGINT, as a user's ^C) during a
// throttled download sends its Synch abort; it must read 426 then 226 and go on to the next
// download in the same session.
func TestAborTnftp(t *testing.T) {
	t.Parallel()
	tnftp, err := exec.LookPath("tnftp")
	if err != nil {
		t.Skip("tnftp not installed (.ci/run installs it)")
	}
	s := startServer(t, withConfig("a per-session download limit", func(c *fastftp.Config) { c.WriteLimit = 1 << 20 }))
	writeRandomFile(t, filepath.Join(s.Root, "big.bin"), 29, 64<<20) // 64 s at 1 MiB/s
	small := []byte("small file")
	if err := os.WriteFile(filepath.Join(s.Root, "small.txt"), small, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "small.out")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tnftp, "-n", "-v", fmt.Sprintf("ftp://%s:%s@%s/", s.User, s.Pass, s.Addr))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "LC_ALL=C")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	lines := bufio.NewScanner(stdout)
	waitFor := func(prefix string) {
		t.Helper()
		for lines.Scan() {
			seen.WriteString(lines.Text() + "\n")
			if strings.HasPrefix(lines.Text(), prefix) {
				return
			}
		}
		t.Fatalf("tnftp never printed %q:\n%s", prefix, seen.String())
	}
	io.WriteString(stdin, "binary\nget big.bin /dev/null\n")
	waitFor("150 ")
	time.Sleep(300 * time.Millisecond) // some bytes in flight
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitFor("426 ")
	waitFor("226 ")
	io.WriteString(stdin, "get small.txt "+out+"\nquit\n")
	waitFor("221 ")
	stdin.Close()
	cmd.Wait()
	if strings.Contains(seen.String(), "500 ") {
		t.Errorf("the abort was answered 500:\n%s", seen.String())
	}
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, small) {
		t.Fatalf("download after the abort: %q %v\n%s", got, err, seen.String())
	}
}
