// bench_test.go: cost per call of the hot paths (Reserve, Wait), atomic bucket vs mutex twin.

package throttle

import (
	"context"
	"testing"
	"time"
)

// BenchmarkReserve: serial and contended (RunParallel on one shared bucket) grants, for the
// atomic Bucket and its mutex twin from bucket_mutex_test.go.
func BenchmarkReserve(b *testing.B) {
	now := time.Now()
	b.Run("unlimited", func(b *testing.B) {
		bk := NewBucket(0, 0)
		b.ReportAllocs()
		for b.Loop() {
			bk.Reserve(now, 4096)
		}
	})
	b.Run("limited", func(b *testing.B) {
		bk := NewBucket(1<<20, 1<<20)
		b.ReportAllocs()
		for b.Loop() {
			bk.Reserve(now, 4096)
		}
	})
	b.Run("limited-mutex", func(b *testing.B) {
		bk := newMutexBucket(1<<20, 1<<20)
		b.ReportAllocs()
		for b.Loop() {
			bk.Reserve(now, 4096)
		}
	})
	b.Run("limited-parallel", func(b *testing.B) {
		bk := NewBucket(1<<20, 1<<20)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				bk.Reserve(now, 4096)
			}
		})
	})
	b.Run("limited-mutex-parallel", func(b *testing.B) {
		bk := newMutexBucket(1<<20, 1<<20)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				bk.Reserve(now, 4096)
			}
		})
	})
}

// BenchmarkLimiterWait: a three-level hierarchy, all unlimited (the default configuration,
// paid per sendfile chunk) and limited but never in debt (no sleep: the bookkeeping only).
func BenchmarkLimiterWait(b *testing.B) {
	ctx := context.Background()
	b.Run("unlimited", func(b *testing.B) {
		l := NewLimiter(NewBucket(0, 0), NewBucket(0, 0), NewBucket(0, 0))
		b.ReportAllocs()
		for b.Loop() {
			l.Wait(ctx, 64<<10)
		}
	})
	b.Run("limited-nodebt", func(b *testing.B) {
		l := NewLimiter(NewBucket(1e15, 1<<50), NewBucket(1e15, 1<<50), NewBucket(0, 0))
		b.ReportAllocs()
		for b.Loop() {
			l.Wait(ctx, 64<<10)
		}
	})
}
