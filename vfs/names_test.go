// names_test.go: the owner-name cache (hits, expiry, bound) and Local.Readlink.

//go:build unix

package vfs

import (
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestNamesCache(t *testing.T) {
	n := NewNames(time.Minute, 3)
	var mu sync.Mutex
	calls := map[uint32]int{}
	n.lookupUser = func(id uint32) (string, bool) {
		mu.Lock()
		calls[id]++
		mu.Unlock()
		if id == 404 {
			return "", false
		}
		return "u" + strconv.Itoa(int(id)), true
	}
	now := time.Unix(1000, 0)
	for range 3 {
		if got := n.User(7, now); got != "u7" {
			t.Fatalf("User(7) = %q", got)
		}
		if got := n.User(404, now); got != "" {
			t.Fatalf("User(404) = %q, want no name", got)
		}
	}
	if calls[7] != 1 || calls[404] != 1 {
		t.Fatalf("lookups %v: each id should be looked up once (misses too)", calls)
	}
	n.User(7, now.Add(time.Minute))
	if calls[7] != 2 {
		t.Fatalf("not looked up again after the TTL: %v", calls)
	}
	// The bound: never more than max ids per kind.
	for id := uint32(100); id < 200; id++ {
		n.User(id, now)
		if len(n.users) > 3 {
			t.Fatalf("%d users cached, bound is 3", len(n.users))
		}
	}
}

// TestNamesSystem resolves the process's own uid and gid through the real database.
func TestNamesSystem(t *testing.T) {
	u, err := user.Current()
	if err != nil {
		t.Skip("no user database:", err)
	}
	n := NewNames(0, 0)
	if got := n.User(uint32(os.Getuid()), time.Now()); got != u.Username {
		t.Fatalf("User(%d) = %q, want %q", os.Getuid(), got, u.Username)
	}
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
		if got := n.Group(uint32(os.Getgid()), time.Now()); got != g.Name {
			t.Fatalf("Group(%d) = %q, want %q", os.Getgid(), got, g.Name)
		}
	}
	// An id nobody has (the kernel's overflow id is 65534; this one is above any range
	// a test machine allocates) shows as a number.
	if got := n.User(3999999999, time.Now()); got != "" {
		t.Fatalf("unknown uid got name %q", got)
	}
}

func BenchmarkNamesHit(b *testing.B) {
	n := NewNames(time.Hour, 0)
	n.lookupUser = func(uint32) (string, bool) { return "ftp", true }
	now := time.Now()
	n.User(21, now)
	b.ReportAllocs()
	for b.Loop() {
		if n.User(21, now) != "ftp" {
			b.Fatal("wrong name")
		}
	}
}

func TestReadlink(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		f := newFixture(t)
		l := openLocal(t, f.root, m)
		for name, want := range map[string]string{
			"/in_rel":    "sub",
			"/sub/up":    "../file.txt",
			"/out_abs":   "/etc",        // shown as stored, never followed
			"/out_rel":   "../outside",  // likewise
			"/in_rel/up": "../file.txt", // a link inside the root in the path is followed
		} {
			got, err := l.Readlink(name)
			if err != nil || got != want {
				t.Errorf("Readlink(%s) = %q, %v; want %q", name, got, err, want)
			}
		}
		_, err := l.Readlink("/file.txt")
		checkErr(t, f, err, "/file.txt", syscall.EINVAL)
		_, err = l.Readlink("/missing")
		checkErr(t, f, err, "/missing", fs.ErrNotExist)
		// A parent that leaves the root is refused, as for every other call.
		_, err = l.Readlink("/out_rel/secret.txt")
		checkErr(t, f, err, "/out_rel/secret.txt", ErrEscape)
	})
}
