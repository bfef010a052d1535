package session

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/fastftp/fastftp/sendfile"
)

// TestDigestErrorReplies: the checksum's own classes (errors.go), and a digest's other
// errors answered as storage calls by the one table (transfer.ErrorReply).
func TestDigestErrorReplies(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	pathErr := func(e error) error { return &fs.PathError{Op: "open", Path: "/f", Err: e} }
	tested := map[string]bool{}
	for _, c := range []struct {
		class string
		ctx   context.Context
		err   error
		code  int
		text  string
	}{
		{"aborted", done, context.Canceled, 426, "Checksum aborted."},
		{"aborted", done, pathErr(syscall.ENOENT), 426, "Checksum aborted."},
		{"range beyond the end", nil, errHashRange, 554, "Invalid range: beyond the end of the file."},
		{"file changed while hashed", nil, errHashShort, 451, "/f: file changed while it was hashed; try again."},
		{"", nil, pathErr(syscall.ENOENT), 550, "/f: No such file or directory."},
		{"", nil, pathErr(syscall.ENOSPC), 452, "/f: Insufficient storage space."},
		{"", nil, pathErr(syscall.EIO), 550, "/f: Operation failed."},
		{"", context.Background(), fmt.Errorf("read: %w", sendfile.ErrStalled), 550, "/f: Operation failed."},
	} {
		tested[c.class] = true
		got := errorReply(c.ctx, stageDigest, c.err, "/f")
		if got.code != c.code || got.text != c.text {
			t.Errorf("%s (%v): %d %q, want %d %q", c.class, c.err, got.code, got.text, c.code, c.text)
		}
	}
	for _, c := range digestClasses {
		if !tested[c.class] {
			t.Errorf("digest class %q has no case", c.class)
		}
	}
	// The control connection's storage errors never say "aborted": there is nothing to abort.
	if got := errorReply(context.Background(), stageStorage, pathErr(syscall.EISDIR), "/f"); got.code != 550 || got.text != "/f: Is a directory." {
		t.Errorf("storage EISDIR: %d %q", got.code, got.text)
	}
}

// TestStorageErrorsOnTheWire: replies a client sees for storage errors on the control
// connection and when a transfer opens its file, including the two this table corrected
// (RMD of a non-empty directory said "File exists.", STOR onto a directory "Operation
// failed.").
func TestStorageErrorsOnTheWire(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\nMKD d\r\nMKD d/sub\r\n")
	for _, c := range []struct{ cmd, want string }{
		{"RMD d", "550 /d: Directory not empty.\r\n"},
		{"MKD d", "550 /d: File exists.\r\n"},
		{"CWD nowhere", "550 /nowhere: No such file or directory.\r\n"},
		{"DELE nowhere", "550 /nowhere: No such file or directory.\r\n"},
		{"MKD " + strings.Repeat("n", 300), "550 /" + strings.Repeat("n", 300) + ": File name too long.\r\n"},
	} {
		if got := feed(s, ft, c.cmd+"\r\n"); got != c.want {
			t.Errorf("%.20s: %q, want %q", c.cmd, got, c.want)
		}
	}
	// STOR onto a directory fails when it opens the target, before any data connection.
	if got := feed(s, ft, "PASV\r\nSTOR d\r\n"); !strings.HasSuffix(got, "\r\n550 /d: Is a directory.\r\n") {
		t.Errorf("STOR onto a directory: %q, want 550 /d: Is a directory.", got)
	}
}
