//go:build linux || darwin || freebsd

// cmd_mirror_statfs_test.go: AVBL where statfs exists (statfs_unix.go).

package session

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/fastftp/fastftp/auth"
	"golang.org/x/sys/unix"
)

// TestAVBL: the bytes free on the user's directory (as statfs says), only where the user
// may store; 550 for read-only users, files and missing paths.
func TestAVBL(t *testing.T) {
	s, ft := newTestSession(t, func(e *Env) {
		ro, _ := auth.ParsePerm("elr")
		if err := e.Auth.(*auth.Static).AddUser("ro", "pw", t.TempDir(), ro); err != nil {
			t.Fatal(err)
		}
	})
	if got := feed(s, ft, "AVBL\r\n"); !strings.HasPrefix(got, "530 ") {
		t.Fatalf("AVBL before login: %q", got)
	}
	feed(s, ft, "USER bob\r\nPASS secret\r\nMKD d\r\n")
	f, err := s.login.user.FS.OpenFile("/f", os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	var st unix.Statfs_t
	if err := unix.Statfs(os.TempDir(), &st); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"", " d", " /d/.."} {
		got := feed(s, ft, "AVBL"+arg+"\r\n")
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(got, "213 "), "\r\n"), 10, 64)
		if err != nil || n <= 0 {
			t.Fatalf("AVBL%s: %q", arg, got)
		}
		// Same file system as the test's temporary directory: within 64 MiB of what it says.
		if want := int64(st.Bavail) * int64(st.Bsize); n < want-64<<20 || n > want+64<<20 {
			t.Errorf("AVBL%s = %d, statfs says %d", arg, n, want)
		}
	}
	for arg, want := range map[string]string{
		"f":       "550 /f: Not a directory.\r\n",
		"missing": "550 /missing: No such file or directory.\r\n",
	} {
		if got := feed(s, ft, "AVBL "+arg+"\r\n"); got != want {
			t.Errorf("AVBL %s = %q, want %q", arg, got, want)
		}
	}
	feed(s, ft, "REIN\r\nUSER ro\r\nPASS pw\r\n")
	if got := feed(s, ft, "AVBL\r\n"); got != "550 /: no write permission here; AVBL is for writable directories.\r\n" {
		t.Errorf("AVBL for a read-only user: %q", got)
	}
	if got := feed(s, ft, "FEAT\r\n"); !strings.Contains(got, "\r\n AVBL\r\n") || strings.Contains(got, "CLNT") {
		t.Errorf("FEAT should list AVBL (and not CLNT): %q", got)
	}
}
