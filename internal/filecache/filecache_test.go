package filecache

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTest(t *testing.T, cfg Config) (*Cache, *clock) {
	t.Helper()
	ck := &clock{t: time.Unix(1e9, 0)}
	cfg.Now = ck.now
	if cfg.TTL == 0 {
		cfg.TTL = time.Hour // the sweeper must not run during a test on the fake clock
	}
	c := New(cfg)
	t.Cleanup(func() { c.Close() })
	return c, ck
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// versionPath is what the RETR hook does on a lookup: stat the path.
func versionPath(t *testing.T, name string) Version {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := VersionOf(fi)
	if !ok {
		t.Fatalf("VersionOf(%s): not cacheable", name)
	}
	return v
}

// openVersion is what the hook does on a miss: open, then fstat the descriptor.
func openVersion(t *testing.T, name string) (*os.File, Version) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	v, ok := VersionOf(fi)
	if !ok {
		t.Fatalf("VersionOf(%s): not cacheable", name)
	}
	return f, v
}

// readAll reads f from offset 0 as the RETR path does (Seek, then sequential reads).
func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func isClosed(f *os.File) bool {
	_, err := f.Stat()
	return err != nil
}

func TestHitReturnsSameDescriptor(t *testing.T) {
	c, _ := newTest(t, Config{Entries: 4})
	name := filepath.Join(t.TempDir(), "a")
	write(t, name, "hello")
	k := Key{Owner: c, Path: "/a"}
	if c.Idle(k) {
		t.Fatal("Idle on an empty cache")
	}
	f, v := openVersion(t, name)
	c.Put(k, v, f)
	if !c.Idle(k) {
		t.Fatal("not Idle after Put")
	}
	g := c.Get(k, versionPath(t, name))
	if g != f {
		t.Fatalf("Get = %v, want the descriptor put", g)
	}
	if got := readAll(t, g); got != "hello" {
		t.Fatalf("read %q", got)
	}
	// Lent out: a second Get misses rather than share the offset.
	if h := c.Get(k, v); h != nil {
		t.Fatal("a lent descriptor was lent twice")
	}
	c.Put(k, v, g)
	if s := c.Stats(); s.Hits != 1 || s.Misses != 2 || s.Idle != 1 {
		t.Fatalf("stats %+v", s)
	}
	// Another owner (file system) never gets it.
	if h := c.Get(Key{Owner: t, Path: "/a"}, v); h != nil {
		t.Fatal("descriptor shared across owners")
	}
}

func TestRenameServesNewFile(t *testing.T) {
	c, _ := newTest(t, Config{Entries: 4})
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	write(t, name, "old old old")
	k := Key{Owner: c, Path: "/f"}
	f, v := openVersion(t, name)
	c.Put(k, v, f)

	// rsync: write a temporary file, rename it over the old one. Same size on purpose.
	tmp := filepath.Join(dir, ".f.tmp")
	write(t, tmp, "new new new")
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
	if g := c.Get(k, versionPath(t, name)); g != nil {
		t.Fatalf("hit after rename: would serve %q", readAll(t, g))
	}
	if !isClosed(f) {
		t.Fatal("the stale descriptor of the old inode was kept open")
	}
	if s := c.Stats(); s.Stale != 1 || s.Idle != 0 {
		t.Fatalf("stats %+v", s)
	}

	// A transfer holding the old descriptor when the rename happens sends the whole old
	// file, never a mix.
	f2, v2 := openVersion(t, name)
	tmp2 := filepath.Join(dir, ".f.tmp2")
	write(t, tmp2, "NEWER NEWER")
	if err := os.Rename(tmp2, name); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, f2); got != "new new new" {
		t.Fatalf("descriptor across rename read %q", got)
	}
	c.Put(k, v2, f2) // given back after the rename: kept, but never matches the new path
	if g := c.Get(k, versionPath(t, name)); g != nil {
		t.Fatal("hit on the renamed-away inode")
	}
}

func TestInPlaceWriteMisses(t *testing.T) {
	c, ck := newTest(t, Config{Entries: 4})
	name := filepath.Join(t.TempDir(), "f")
	write(t, name, "0123456789")
	k := Key{Owner: c, Path: "/f"}
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"truncate", func() error { return os.Truncate(name, 3) }},
		{"rewrite same size", func() error {
			g, err := os.OpenFile(name, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer g.Close()
			_, err = g.WriteAt([]byte("abc"), 0)
			return err
		}},
		{"write then restore mtime", func() error {
			fi, err := os.Stat(name)
			if err != nil {
				return err
			}
			g, err := os.OpenFile(name, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if _, err := g.WriteAt([]byte("x"), 0); err != nil {
				g.Close()
				return err
			}
			g.Close()
			return os.Chtimes(name, fi.ModTime(), fi.ModTime()) // ctime still moves
		}},
	} {
		f, v := openVersion(t, name)
		c.Put(k, v, f)
		ck.add(time.Millisecond)
		time.Sleep(5 * time.Millisecond) // coarse timestamps: let ctime tick
		if err := change.do(); err != nil {
			t.Fatal(change.name, err)
		}
		if g := c.Get(k, versionPath(t, name)); g != nil {
			t.Fatalf("%s: hit on a changed file", change.name)
		}
	}
}

func TestEvictionBoundsDescriptors(t *testing.T) {
	c, _ := newTest(t, Config{Entries: 3})
	dir := t.TempDir()
	var files []*os.File
	for i := range 5 {
		name := filepath.Join(dir, string(rune('a'+i)))
		write(t, name, name)
		f, v := openVersion(t, name)
		files = append(files, f)
		c.Put(Key{Owner: c, Path: name}, v, f)
	}
	if s := c.Stats(); s.Idle != 3 || s.Evicted != 2 {
		t.Fatalf("stats %+v, want 3 idle and 2 evicted", s)
	}
	for i, f := range files {
		if want := i < 2; isClosed(f) != want {
			t.Fatalf("file %d closed=%v, want %v (LRU evicts the oldest)", i, !want, want)
		}
	}
	// Several descriptors of one key count one each.
	name := filepath.Join(dir, "a")
	for range 4 {
		f, v := openVersion(t, name)
		c.Put(Key{Owner: c, Path: "same"}, v, f)
	}
	if s := c.Stats(); s.Idle != 3 {
		t.Fatalf("idle %d, want 3", s.Idle)
	}
}

func TestExpiryAndClose(t *testing.T) {
	c, ck := newTest(t, Config{Entries: 8, TTL: time.Hour})
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "a")
	write(t, b, "b")
	fa, va := openVersion(t, a)
	c.Put(Key{Owner: c, Path: a}, va, fa)
	ck.add(30 * time.Minute)
	fb, vb := openVersion(t, b)
	c.Put(Key{Owner: c, Path: b}, vb, fb)
	ck.add(31 * time.Minute)
	if n := c.Expire(); n != 1 || !isClosed(fa) || isClosed(fb) {
		t.Fatalf("Expire = %d, a closed %v, b closed %v", n, isClosed(fa), isClosed(fb))
	}
	if g := c.Get(Key{Owner: c, Path: a}, va); g != nil {
		t.Fatal("hit on an expired entry")
	}
	// A descriptor on loan at Close is closed when it comes back.
	fl := c.Get(Key{Owner: c, Path: b}, vb)
	if fl == nil {
		t.Fatal("miss on a live entry")
	}
	fc, vc := openVersion(t, a)
	c.Put(Key{Owner: c, Path: a}, vc, fc)
	c.Close()
	if !isClosed(fc) {
		t.Fatal("idle descriptor open after Close")
	}
	c.Put(Key{Owner: c, Path: b}, vb, fl)
	if !isClosed(fl) {
		t.Fatal("descriptor returned after Close kept open")
	}
	c.Close() // twice is fine
}

func TestSweeperClosesOnRealClock(t *testing.T) {
	c := New(Config{Entries: 2, TTL: 20 * time.Millisecond})
	defer c.Close()
	name := filepath.Join(t.TempDir(), "a")
	write(t, name, "a")
	f, v := openVersion(t, name)
	c.Put(Key{Owner: c, Path: name}, v, f)
	deadline := time.Now().Add(5 * time.Second)
	for !isClosed(f) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !isClosed(f) {
		t.Fatal("the sweeper did not close an expired descriptor within 5 s")
	}
}

func TestTooLargeNotKept(t *testing.T) {
	c, _ := newTest(t, Config{Entries: 2, MaxSize: 4})
	name := filepath.Join(t.TempDir(), "a")
	write(t, name, "12345")
	f, v := openVersion(t, name)
	c.Put(Key{Owner: c, Path: name}, v, f)
	if !isClosed(f) || c.Stats().Idle != 0 {
		t.Fatal("a file over MaxSize was kept")
	}
}

// Concurrent borrowers of one key each get a descriptor of their own (or a miss), never
// one in use: each reads the whole file from its own offset.
func TestConcurrentBorrowers(t *testing.T) {
	c := New(Config{Entries: 4, TTL: time.Second})
	defer c.Close()
	name := filepath.Join(t.TempDir(), "a")
	const data = "concurrent readers each see all of this"
	write(t, name, data)
	k := Key{Owner: c, Path: "/a"}
	var mu sync.Mutex
	inUse := map[*os.File]bool{}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				v := func() Version {
					fi, err := os.Stat(name)
					if err != nil {
						panic(err)
					}
					v, _ := VersionOf(fi)
					return v
				}()
				f := c.Get(k, v)
				if f == nil {
					var err error
					if f, err = os.Open(name); err != nil {
						errs <- err.Error()
						return
					}
				}
				mu.Lock()
				if inUse[f] {
					mu.Unlock()
					errs <- "one descriptor lent twice"
					return
				}
				inUse[f] = true
				mu.Unlock()
				if _, err := f.Seek(0, io.SeekStart); err != nil {
					errs <- err.Error()
					return
				}
				b, err := io.ReadAll(f)
				if err != nil || string(b) != data {
					errs <- "short or wrong read: " + string(b)
					return
				}
				mu.Lock()
				delete(inUse, f)
				mu.Unlock()
				c.Put(k, v, f)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if s := c.Stats(); s.Hits == 0 || s.Idle > 4 {
		t.Fatalf("stats %+v", s)
	}
}

func BenchmarkGetPut(b *testing.B) {
	c := New(Config{Entries: 16, TTL: time.Minute})
	defer c.Close()
	name := filepath.Join(b.TempDir(), "a")
	if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	fi, _ := f.Stat()
	v, _ := VersionOf(fi)
	k := Key{Owner: c, Path: "/a"}
	c.Put(k, v, f)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g := c.Get(k, v)
		if g == nil {
			b.Fatal("miss")
		}
		c.Put(k, v, g)
	}
}
