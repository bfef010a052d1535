//go:build linux

// Pacer: throttling that never sleeps, and an adapter for a hierarchy of throttle buckets.

package dataloop

import (
	"sync/atomic"
	"time"

	"github.com/fastftp/fastftp/throttle"
)

// Pacer grants bytes to a transfer without sleeping: Reserve returns how many bytes
// (1..want) the transfer may move and how long it must wait before moving them. The loop
// parks the transfer on its timer heap for wait instead of sleeping, so the loop keeps
// serving others. One Pacer may be shared by transfers on different loops, so
// implementations must be safe for concurrent use. *throttle.Bucket implements it.
type Pacer interface {
	Reserve(now time.Time, want int) (granted int, wait time.Duration)
}

// Buckets returns a Pacer drawing from every non-nil bucket (for example global ▸ user ▸
// session): each bucket is asked in turn for what the previous one granted, and the
// longest wait applies. When a later bucket grants less than an earlier one (its burst is
// smaller), the earlier one was charged the difference too: pass the buckets smallest
// burst first to avoid it. throttle.Limiter has the same hierarchy but only a sleeping
// Wait; an exported Limiter.Reserve would replace this adapter. The result also has
// Waits() time.Duration, the total wait it imposed, like Limiter (for the Observer's
// ThrottleWait). Safe from any goroutine.
func Buckets(bs ...*throttle.Bucket) Pacer {
	c := &chain{bs: make([]*throttle.Bucket, 0, len(bs))}
	for _, b := range bs {
		if b != nil {
			c.bs = append(c.bs, b)
		}
	}
	return c
}

type chain struct {
	bs     []*throttle.Bucket
	waited atomic.Int64
}

func (c *chain) Reserve(now time.Time, want int) (int, time.Duration) {
	var wait time.Duration
	for _, b := range c.bs {
		g, w := b.Reserve(now, want)
		want, wait = g, max(wait, w)
	}
	if wait > 0 {
		c.waited.Add(int64(wait))
	}
	return want, wait
}

// Waits reports the total wait Reserve has imposed. Safe from any goroutine.
func (c *chain) Waits() time.Duration { return time.Duration(c.waited.Load()) }
