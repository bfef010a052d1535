package hashcache

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLRU(t *testing.T) {
	c := New(3)
	k := func(i int) Key { return Key{Dev: 1, Ino: uint64(i), Size: 10, End: 10} }
	for i := range 3 {
		c.Put(k(i), strconv.Itoa(i))
	}
	if _, ok := c.Get(k(0)); !ok { // 0 becomes the most recent; 1 is now the oldest
		t.Fatal("entry 0 missing")
	}
	c.Put(k(3), "3")
	if _, ok := c.Get(k(1)); ok {
		t.Fatal("entry 1 survived past the bound")
	}
	for _, i := range []int{0, 2, 3} {
		if v, ok := c.Get(k(i)); !ok || v != strconv.Itoa(i) {
			t.Fatalf("Get(%d) = %q, %v", i, v, ok)
		}
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	c.Put(k(2), "two")
	if v, _ := c.Get(k(2)); v != "two" || c.Len() != 3 {
		t.Fatalf("overwrite: %q, len %d", v, c.Len())
	}
	// Another version of a file (mtime) or another range or algorithm is another key.
	other := k(0)
	other.Mtime++
	if _, ok := c.Get(other); ok {
		t.Fatal("a changed mtime hit the old entry")
	}
	other = k(0)
	other.Algo = 1
	if _, ok := c.Get(other); ok {
		t.Fatal("another algorithm hit the entry")
	}
}

func TestBounded(t *testing.T) {
	c := New(100)
	for i := range 10000 {
		c.Put(Key{Ino: uint64(i)}, "x")
	}
	if c.Len() != 100 || len(c.m) != 100 {
		t.Fatalf("Len %d map %d, want 100", c.Len(), len(c.m))
	}
}

// TestDoOnce: concurrent callers for one key share one computation; a failure is not
// cached and the next caller computes again.
func TestDoOnce(t *testing.T) {
	c := New(10)
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, _, err := c.Do(context.Background(), Key{Ino: 1}, func() (string, error) {
				runs.Add(1)
				<-release
				return "abc", nil
			})
			if err != nil || sum != "abc" {
				t.Errorf("Do = %q, %v", sum, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all arrive (a slower machine only means fewer waiters)
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("computed %d times, want 1", n)
	}
	if _, hit, _ := c.Do(context.Background(), Key{Ino: 1}, nil); !hit {
		t.Fatal("not cached after Do")
	}
	boom := errors.New("boom")
	if _, _, err := c.Do(context.Background(), Key{Ino: 2}, func() (string, error) { return "", boom }); err != boom {
		t.Fatalf("err = %v", err)
	}
	sum, hit, err := c.Do(context.Background(), Key{Ino: 2}, func() (string, error) { return "x", nil })
	if sum != "x" || hit || err != nil {
		t.Fatalf("after a failure: %q %v %v", sum, hit, err)
	}
	// A waiter whose context ends stops waiting.
	hold := make(chan struct{})
	go c.Do(context.Background(), Key{Ino: 3}, func() (string, error) { <-hold; return "y", nil })
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.Do(ctx, Key{Ino: 3}, func() (string, error) { return "z", nil }); err == nil {
		// It may have won the race to compute if the first goroutine had not started yet.
		t.Log("waiter computed itself: the first caller had not arrived")
	}
	close(hold)
}
