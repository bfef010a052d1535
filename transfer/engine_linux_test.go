//go:build linux

// The data-loop engine's errors in the one mapping of transfer errors to replies, and the
// order in which its pacer asks the buckets.
package transfer

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/fastftp/fastftp/dataloop"
	"github.com/fastftp/fastftp/throttle"
)

func TestTransferReplyEngineErrors(t *testing.T) {
	live := context.Background()
	for _, c := range []struct {
		name string
		err  error
		code int
	}{
		{"stalled", fmt.Errorf("send /x after 5 bytes: %w", dataloop.ErrStalled), 426},
		{"reset", fmt.Errorf("%w: %w", dataloop.ErrConn, os.NewSyscallError("sendfile", syscall.ECONNRESET)), 426},
		{"conn timeout", fmt.Errorf("%w: %w", dataloop.ErrConn, os.NewSyscallError("splice", syscall.ETIMEDOUT)), 426},
		{"disk full", os.NewSyscallError("splice", syscall.ENOSPC), 452},
		{"quota", os.NewSyscallError("splice", syscall.EDQUOT), 552},
		{"disk error", os.NewSyscallError("sendfile", syscall.EIO), 451},
		{"engine closed", fmt.Errorf("recv /x: %w", dataloop.ErrClosed), 451},
	} {
		if code, text := ErrorReply(live, StageCopy, c.err, "/x"); code != c.code {
			t.Errorf("%s (%v): %d %q, want %d", c.name, c.err, code, text, c.code)
		}
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if code, _ := ErrorReply(done, StageCopy, dataloop.ErrCanceled, "/x"); code != 426 {
		t.Errorf("canceled by ABOR: %d, want 426", code)
	}
}

func TestByBurst(t *testing.T) {
	unlimited, slow, fast := throttle.NewBucket(0, 0), throttle.NewBucket(10_000, 0), throttle.NewBucket(1e9, 0)
	got := byBurst([]*throttle.Bucket{unlimited, fast, nil, slow})
	if len(got) != 3 || got[0] != slow || got[1] != fast || got[2] != unlimited {
		t.Fatalf("byBurst: bursts %v, want the 10 kB/s bucket, the 1 GB/s one, then the unlimited one",
			[]int{got[0].Burst(), got[1].Burst(), got[2].Burst()})
	}
}
