package hashcache

import (
	"strconv"
	"testing"
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
