// listing_test.go: listEntries past the sort bound streams without per-entry allocation,
// within it sorts; decorate names owners only for entries with a real stat.

//go:build linux

package session

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

// bigLocal serves a temporary root holding d/ with n empty files; it returns the Local and
// the host path of d.
func bigLocal(t testing.TB, n int) (*vfs.Local, string) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		// Reverse-numbered so creation order is not name order.
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("e%05d", n-i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := vfs.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

func collect(t *testing.T, l vfs.FS, o *listOpts) []string {
	t.Helper()
	var names []string
	if _, _, err := listEntries(l, "/d", o, func(e *proto.Entry) error {
		names = append(names, e.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestListEntriesSortBound(t *testing.T) {
	l, _ := bigLocal(t, 300)
	sorted := collect(t, l, &listOpts{sortMax: 300, now: time.Now()})
	if len(sorted) != 300 || !slices.IsSorted(sorted) {
		t.Fatalf("within the bound: %d names, sorted %v", len(sorted), slices.IsSorted(sorted))
	}
	past := collect(t, l, &listOpts{sortMax: 299, now: time.Now()})
	raw := collect(t, l, &listOpts{sortMax: -1, now: time.Now()})
	if !slices.Equal(past, raw) {
		t.Fatal("past the bound the listing is not in directory order")
	}
	if slices.Equal(raw, sorted) {
		t.Skip("this filesystem lists in name order: the bound cannot be told apart")
	}
}

// countingFS counts the entries its ListDir has produced.
type countingFS struct {
	*vfs.Local
	produced int
}

func (c *countingFS) ListDir(name string, fn func(name []byte, st *syscall.Stat_t) error) error {
	return c.Local.ListDir(name, func(n []byte, st *syscall.Stat_t) error {
		c.produced++
		return fn(n, st)
	})
}

// TestListEntriesHoldsAtMostTheBound: past the sort bound, entries go out as they are read;
// never more than the bound are held back.
func TestListEntriesHoldsAtMostTheBound(t *testing.T) {
	l, _ := bigLocal(t, 3000)
	fsys := &countingFS{Local: l}
	const bound = 100
	emitted, worst := 0, 0
	if _, _, err := listEntries(fsys, "/d", &listOpts{sortMax: bound, now: time.Now()}, func(e *proto.Entry) error {
		emitted++
		worst = max(worst, fsys.produced-emitted)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if emitted != 3000 || worst > bound {
		t.Fatalf("%d entries emitted, up to %d held back (bound %d)", emitted, worst, bound)
	}
}
