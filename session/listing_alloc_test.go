//go:build !race

// listing_alloc_test.go: the allocation gate of listings past the sort bound.

package session

import (
	"testing"
	"time"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// TestListEntriesBoundedMemory: a directory past the sort bound is streamed: its
// allocations do not grow with the number of entries.
func TestListEntriesBoundedMemory(t *testing.T) {
	l := bigLocal(t, 5000)
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
