//go:build !race && linux

// listing_alloc_test.go: the allocation gate of listings past the sort bound.

package session

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/fastftp/fastftp/internal/listcache"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// TestListEntriesBoundedMemory: a directory past the sort bound is streamed: its
// allocations do not grow with the number of entries.
func TestListEntriesBoundedMemory(t *testing.T) {
	l, _ := bigLocal(t, 5000)
	o := &listOpts{sortMax: 100, now: time.Now(), names: vfs.NewNames(time.Hour, 0)}
	fn := func(e *proto.Entry) error { return nil }
	allocs := testing.AllocsPerRun(5, func() {
		if _, _, err := listEntries(l, "/d", o, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 50 {
		t.Fatalf("%.0f allocations to list 5,000 entries past the sort bound: not streamed", allocs)
	}
}

// TestListingCacheHitAllocatesNothing: a LIST served from the cache builds its key, looks
// it up and writes the stored chunks without allocating.
func TestListingCacheHitAllocatesNothing(t *testing.T) {
	l, dir := bigLocal(t, 500)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
	fi, err := l.Stat("/d")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Loc: time.UTC, Listing: ListingOptions{Cache: listcache.New(1<<20, time.Minute), Names: vfs.NewNames(0, 0)}}
	r := &listReq{ctx: context.Background(), env: env, fsys: l, p: "/d", fi: fi, kind: listLong}
	if err := writeListing(io.Discard, r); err != nil { // the miss that stores it
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := writeListing(io.Discard, r); err != nil {
			t.Fatal(err)
		}
	})
	if st := env.Listing.Cache.Stats(); allocs != 0 || st.Hits < 20 {
		t.Fatalf("%.1f allocations per cached LIST (stats %+v)", allocs, st)
	}
}
