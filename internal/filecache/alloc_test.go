//go:build !race

package filecache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A hit (Get, then Put of the same descriptor) allocates nothing.
func TestHitAllocFree(t *testing.T) {
	c := New(Config{Entries: 4, TTL: time.Minute})
	defer c.Close()
	name := filepath.Join(t.TempDir(), "a")
	write(t, name, "x")
	f, v := openVersion(t, name)
	k := Key{Owner: c, Path: "/a"}
	c.Put(k, v, f)
	if n := testing.AllocsPerRun(100, func() {
		g := c.Get(k, v)
		if g == nil {
			panic("miss")
		}
		c.Put(k, v, g)
	}); n != 0 {
		t.Fatalf("%v allocs per hit", n)
	}
	_ = os.Remove(name)
}
