package listcache

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func key(ino uint64) Key { return Key{Dev: 1, Ino: ino, Mtime: 100, Ctime: 100, Kind: LIST} }

func TestGetPut(t *testing.T) {
	c := New(1<<20, time.Minute)
	now := time.Unix(1000, 0)
	k := key(1)
	if _, ok := c.Get(&k, now); ok {
		t.Fatal("hit on an empty cache")
	}
	if !c.Put(k, chunks("listing"), now, time.Time{}) {
		t.Fatal("Put refused a small listing")
	}
	if b, ok := c.Get(&k, now); !ok || len(b) != 1 || string(b[0]) != "listing" {
		t.Fatalf("Get = %q, %v", b, ok)
	}
	// Any part of the key differing is another listing.
	for _, other := range []Key{
		{Dev: 2, Ino: 1, Mtime: 100, Ctime: 100, Kind: LIST},
		{Dev: 1, Ino: 1, Mtime: 101, Ctime: 100, Kind: LIST},
		{Dev: 1, Ino: 1, Mtime: 100, Ctime: 101, Kind: LIST},
		{Dev: 1, Ino: 1, Mtime: 100, Ctime: 100, Kind: NLST},
		{Dev: 1, Ino: 1, Mtime: 100, Ctime: 100, Kind: LIST, View: "x"},
		{Dev: 1, Ino: 1, Mtime: 100, Ctime: 100, Kind: LIST, Flags: 1},
	} {
		if _, ok := c.Get(&other, now); ok {
			t.Errorf("hit for %+v", other)
		}
	}
	s := c.Stats()
	if s.Hits != 1 || s.Misses != 7 || s.Stores != 1 || s.Entries != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestExpiry(t *testing.T) {
	c := New(1<<20, 10*time.Second)
	now := time.Unix(1000, 0)
	k := key(1)
	c.Put(k, chunks("a"), now, time.Time{})
	if _, ok := c.Get(&k, now.Add(9*time.Second)); !ok {
		t.Fatal("expired before MaxAge")
	}
	if _, ok := c.Get(&k, now.Add(10*time.Second)); ok {
		t.Fatal("served at MaxAge")
	}
	if c.Stats().Entries != 0 || c.Stats().Bytes != 0 {
		t.Fatalf("expired entry kept: %+v", c.Stats())
	}
	// An earlier expiry from the caller (a LIST date changing form) wins.
	c.Put(k, chunks("a"), now, now.Add(time.Second))
	if _, ok := c.Get(&k, now.Add(time.Second)); ok {
		t.Fatal("served past the caller's expiry")
	}
	if c.Put(k, chunks("a"), now, now) {
		t.Fatal("stored an already expired listing")
	}
}

func TestBoundAndLRU(t *testing.T) {
	const max = 64 << 10
	c := New(max, time.Minute)
	now := time.Unix(1000, 0)
	data := bytes.Repeat([]byte("x"), 4000)
	if c.Put(key(0), [][]byte{make([]byte, max/4)}, now, time.Time{}) {
		t.Fatal("stored an entry over a quarter of the bound")
	}
	for i := uint64(1); i <= 100; i++ {
		c.Put(key(i), [][]byte{data}, now, time.Time{})
		if i == 10 {
			k := key(1)
			c.Get(&k, now) // 1 becomes the most recently used
		}
		if s := c.Stats(); s.Bytes > max {
			t.Fatalf("after %d puts: %d bytes > bound %d", i, s.Bytes, max)
		}
	}
	s := c.Stats()
	if s.Entries == 0 || s.Entries > max/4000 {
		t.Fatalf("entries %d", s.Entries)
	}
	k100, k2 := key(100), key(2)
	if _, ok := c.Get(&k100, now); !ok {
		t.Fatal("newest entry evicted")
	}
	if _, ok := c.Get(&k2, now); ok {
		t.Fatal("old entry kept past the bound")
	}
}

// TestMemoryBound fills a cache far past its bound and checks the heap it keeps: the
// accounting must cover what the entries really cost.
func TestMemoryBound(t *testing.T) {
	const max = 8 << 20
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	c := New(max, time.Minute)
	now := time.Unix(1000, 0)
	for i := uint64(0); i < 20000; i++ {
		k := key(i)
		k.View = "Europe/Paris\x00names"
		c.Put(k, [][]byte{make([]byte, 100+i%2000), make([]byte, 50)}, now, time.Time{})
	}
	after := heap()
	if s := c.Stats(); s.Bytes > max {
		t.Fatalf("accounted %d > %d", s.Bytes, max)
	}
	if grew := int64(after) - int64(before); grew > max+max/8 {
		t.Fatalf("heap grew by %d bytes for a %d-byte cache", grew, max)
	}
	runtime.KeepAlive(c)
}

func TestNilCache(t *testing.T) {
	var c *Cache
	k := key(1)
	if c.Put(k, chunks("a"), time.Now(), time.Time{}) || c.MaxEntry() != 0 {
		t.Fatal("nil cache stored")
	}
	if _, ok := c.Get(&k, time.Now()); ok {
		t.Fatal("nil cache hit")
	}
	if New(0, 0) != nil || New(-1, 0) != nil {
		t.Fatal("New(<=0) is not a disabled cache")
	}
}

func BenchmarkGetHit(b *testing.B) {
	c := New(1<<20, time.Minute)
	now := time.Unix(1000, 0)
	k := key(1)
	k.View = "UTC\x00names"
	c.Put(k, chunks("listing"), now, time.Time{})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Get(&k, now); !ok {
			b.Fatal("miss")
		}
	}
}

func chunks(s string) [][]byte { return [][]byte{[]byte(s)} }

// TestBeginOneEncoding: callers asking at once for the same listing share one encoding.
func TestBeginOneEncoding(t *testing.T) {
	c := New(1<<20, time.Minute)
	now := time.Unix(1000, 0)
	k := key(1)
	_, hit, fill, err := c.Begin(context.Background(), &k, now)
	if hit || fill == nil || err != nil {
		t.Fatalf("first Begin: hit %v fill %v err %v", hit, fill, err)
	}
	const n = 8
	var wg sync.WaitGroup
	var hits atomic.Int32
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := key(1)
			data, hit, fill, err := c.Begin(context.Background(), &k, now)
			if err != nil || fill != nil {
				t.Errorf("waiter: err %v, fill %v (a second encoder)", err, fill)
				if fill != nil {
					fill.Fail()
				}
			}
			if hit && len(data) == 1 && string(data[0]) == "listing" {
				hits.Add(1)
			}
		}()
	}
	// Let the waiters reach Begin before the encoding ends (bounded: 2 s).
	for deadline := time.Now().Add(2 * time.Second); c.Stats().Misses < n+1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	fill.Done(chunks("listing"), time.Time{})
	fill.Fail() // after Done: nothing
	wg.Wait()
	if hits.Load() != n {
		t.Fatalf("%d of %d waiters got the listing", hits.Load(), n)
	}
	if s := c.Stats(); s.Stores != 1 || s.Entries != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBeginFailuresAndTooBig(t *testing.T) {
	c := New(1<<20, time.Minute)
	now := time.Unix(1000, 0)
	k := key(1)
	// A failed encoding stores nothing; the next caller encodes.
	_, _, fill, _ := c.Begin(context.Background(), &k, now)
	fill.Fail()
	_, hit, fill, _ := c.Begin(context.Background(), &k, now)
	if hit || fill == nil {
		t.Fatal("after a failed encoding the next caller does not encode")
	}
	// A waiter on a listing too big to keep is told to encode its own, not to wait again;
	// so is every later request for that directory version.
	waiter := make(chan bool)
	go func() {
		k := key(1)
		_, hit, f, err := c.Begin(context.Background(), &k, now)
		waiter <- !hit && f == nil && err == nil
	}()
	for deadline := time.Now().Add(2 * time.Second); c.Stats().Misses < 3 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	fill.Done(nil, time.Time{})
	if !<-waiter {
		t.Fatal("waiter on an unstorable listing was not told to encode its own")
	}
	if _, hit, f, _ := c.Begin(context.Background(), &k, now); hit || f != nil {
		t.Fatal("a listing known too big is collected again")
	}
	k2 := key(1)
	k2.Mtime++ // the directory changed: try again
	_, _, fill, _ = c.Begin(context.Background(), &k2, now)
	if fill == nil {
		t.Fatal("a new version of a too-big directory is not encoded for the cache")
	}
	defer fill.Fail()
	// A waiter whose context ends stops waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, _, err := c.Begin(ctx, &k2, now); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter with an expired context: %v", err)
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	if d := b.Done(); d == nil || len(d) != 0 {
		t.Fatalf("empty Builder: %v", d)
	}
	b = Builder{}
	var want []byte
	for i := range 5000 {
		line := []byte(strings.Repeat("x", i%97) + "\r\n")
		want = append(want, line...)
		if cost := b.Add(line); cost < int64(len(want)) {
			t.Fatalf("cost %d below the %d bytes held", cost, len(want))
		}
	}
	d := b.Done()
	if got := bytes.Join(d, nil); !bytes.Equal(got, want) {
		t.Fatal("chunks do not join back into the lines added")
	}
	for i, c := range d {
		// The last chunk is trimmed (to its allocation size class).
		if cap(c) > maxChunk || (i == len(d)-1 && cap(c)-len(c) > len(c)/8+64) {
			t.Fatalf("chunk %d: len %d cap %d", i, len(c), cap(c))
		}
	}
	if waste := Cost(d) - int64(len(want)); waste > int64(len(want))/10+maxChunk {
		t.Fatalf("%d bytes of slack for a %d-byte listing", waste, len(want))
	}
}
