// Pacer: throttling that never sleeps, and an adapter for a hierarchy of throttle buckets.

package dataloop

import (
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
// Wait; an exported Limiter.Reserve would replace this adapter. Safe from any goroutine.
func Buckets(bs ...*throttle.Bucket) Pacer {
	c := make(chain, 0, len(bs))
	for _, b := range bs {
		if b != nil {
			c = append(c, b)
		}
	}
	return c
}

type chain []*throttle.Bucket

func (c chain) Reserve(now time.Time, want int) (int, time.Duration) {
	var wait time.Duration
	for _, b := range c {
		g, w := b.Reserve(now, want)
		want, wait = g, max(wait, w)
	}
	return want, wait
}
