//go:build linux

// Byte-exact downloads and uploads through the engine: sizes, REST offsets, concurrency.

package dataloop

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

var sizes = []int{0, 1, 1<<20 + 13, 64 << 20}

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	tb.Cleanup(cancel)
	return ctx
}

// download runs j (Conn is filled in) to a loopback client and returns what it read.
func download(tb testing.TB, e *Engine, ln net.Listener, j Job) ([]byte, Result) {
	tb.Helper()
	srv, cli := pair(tb, ln)
	type got struct {
		b   []byte
		err error
	}
	ch := make(chan got, 1)
	go func() { b, err := readAll(cli); ch <- got{b, err} }()
	j.Conn = srv
	res, err := e.Run(ctxT(tb), j)
	if err != nil {
		srv.Close()
		<-ch
		tb.Fatalf("Run: %v", err)
	}
	g := <-ch
	if g.err != nil {
		tb.Fatalf("client read: %v", g.err)
	}
	return g.b, res
}

// upload sends data from a loopback client into j.File and returns the result.
func upload(tb testing.TB, e *Engine, ln net.Listener, data []byte, j Job) Result {
	tb.Helper()
	srv, cli := pair(tb, ln)
	errc := make(chan error, 1)
	go func() {
		_, err := cli.Write(data)
		cli.Close()
		errc <- err
	}()
	j.Conn, j.Upload = srv, true
	res, err := e.Run(ctxT(tb), j)
	if err != nil {
		srv.Close()
		tb.Fatalf("Run: %v", err)
	}
	if err := <-errc; err != nil {
		tb.Fatalf("client write: %v", err)
	}
	return res
}

func TestDownloadSizes(t *testing.T) {
	e := newEngine(t, Config{})
	ln := listener(t)
	dir := memDir(t)
	for i, n := range sizes {
		data := pattern(n, uint64(i))
		f := writeFile(t, dir, fmt.Sprint("d", i), data)
		for _, off := range []int64{0, int64(n / 3), int64(n)} {
			t.Run(fmt.Sprintf("size=%d/rest=%d", n, off), func(t *testing.T) {
				got, res := download(t, e, ln, Job{Name: "d", File: f, Offset: off})
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				if res.Bytes != int64(n)-off {
					t.Errorf("Bytes = %d, want %d", res.Bytes, int64(n)-off)
				}
				equal(t, "download", got, data[off:])
			})
		}
	}
}

// TestDownloadFromDisk evicts a file from the page cache so the preadv2 probe misses and
// the readahead workers serve the chunks; the bytes must still be exact.
func TestDownloadFromDisk(t *testing.T) {
	e := newEngine(t, Config{})
	ln := listener(t)
	data := pattern(8<<20+5, 42)
	f := writeFile(t, t.TempDir(), "cold", data)
	_ = f.Sync()
	if err := evict(f); err != nil {
		t.Skip("cannot evict:", err)
	}
	var b [1]byte
	_, err := unix.Preadv2(int(f.Fd()), [][]byte{b[:]}, 0, unix.RWF_NOWAIT)
	cold := err == unix.EAGAIN
	got, res := download(t, e, ln, Job{Name: "cold", File: f})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	equal(t, "download", got, data)
	if cold && e.ra.misses.Load() == 0 {
		t.Error("the file was not cached, yet no chunk went to the readahead pool")
	}
	t.Logf("cold=%v, chunks read by workers: %d", cold, e.ra.misses.Load())
}

// TestUploadSizes: every size and REST offset, with the loop writing its uploads itself
// (the default) and through the write pool (Writers > 0, even a lone upload).
func TestUploadSizes(t *testing.T) {
	for _, w := range []struct {
		name string
		cfg  Config
	}{{"pool", Config{Writers: 2, writeAlone: true}}, {"inline", Config{}}} {
		t.Run(w.name, func(t *testing.T) { testUploadSizes(t, w.cfg) })
	}
}

func testUploadSizes(t *testing.T, cfg Config) {
	e := newEngine(t, cfg)
	ln := listener(t)
	dir := memDir(t)
	for i, n := range sizes {
		data := pattern(n, uint64(100+i))
		for _, off := range []int64{0, int64(n / 3)} {
			t.Run(fmt.Sprintf("size=%d/rest=%d", n, off), func(t *testing.T) {
				p := filepath.Join(dir, fmt.Sprint("u", i, "-", off))
				// REST on upload: the first off bytes are already there.
				if err := os.WriteFile(p, data[:off], 0o600); err != nil {
					t.Fatal(err)
				}
				f, err := os.OpenFile(p, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				res := upload(t, e, ln, data[off:], Job{Name: p, File: f, Offset: off})
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				if res.Bytes != int64(n)-off {
					t.Errorf("Bytes = %d, want %d", res.Bytes, int64(n)-off)
				}
				got, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "upload", got, data)
			})
		}
	}
}

// TestConcurrent runs 200 transfers at once (150 downloads, 50 uploads) on two loops, with
// and without the write pool.
func TestConcurrent(t *testing.T) {
	t.Run("inline", func(t *testing.T) { testConcurrent(t, Config{Loops: 2}) })
	t.Run("pool", func(t *testing.T) { testConcurrent(t, Config{Loops: 2, Writers: 2}) })
}

func testConcurrent(t *testing.T, cfg Config) {
	const n, size = 200, 256<<10 + 7
	e := newEngine(t, cfg)
	ln := listener(t)
	dir := memDir(t)
	data := pattern(size, 7)
	src := writeFile(t, dir, "src", data)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		srv, cli := pair(t, ln)
		if i%4 == 3 {
			p := filepath.Join(dir, fmt.Sprint("up", i))
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = cli.Write(data)
				cli.Close()
			}()
			h, err := e.Submit(Job{Name: p, Conn: srv, File: f, Upload: true})
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := h.Wait(ctxT(t)); r.Err != nil {
					errs <- r.Err
					return
				}
				got, err := os.ReadFile(p)
				if err == nil && string(got) != string(data) {
					err = fmt.Errorf("upload %d: %d bytes differ", i, len(got))
				}
				if err != nil {
					errs <- err
				}
			}()
			continue
		}
		h, err := e.Submit(Job{Name: "src", Conn: srv, File: src})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readAll(cli)
			if r := h.Wait(ctxT(t)); r.Err != nil {
				err = r.Err
			}
			if err == nil && string(got) != string(data) {
				err = fmt.Errorf("download %d: %d bytes differ", i, len(got))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestColdFilesBusyPool: eight cold downloads at once through a pool of one worker with a
// queue of one, so most misses find the queue full and retry later: still byte-exact, and
// the external progress counter sums every byte.
func TestColdFilesBusyPool(t *testing.T) {
	const n, size = 8, 2<<20 + 1
	e := newEngine(t, Config{Workers: 1, Queue: 1, Chunk: 64 << 10})
	ln := listener(t)
	dir := t.TempDir()
	var progress atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	// Everything is set up first so that the eight jobs reach the loop together.
	type pending struct {
		data     []byte
		f        *os.File
		srv, cli net.Conn
	}
	ps := make([]pending, n)
	for i := range ps {
		ps[i].data = pattern(size, uint64(200+i))
		ps[i].f = writeFile(t, dir, fmt.Sprint("c", i), ps[i].data)
		_ = ps[i].f.Sync()
		_ = evict(ps[i].f)
		ps[i].srv, ps[i].cli = pair(t, ln)
	}
	for i, p := range ps {
		h, err := e.Submit(Job{Name: p.f.Name(), Conn: p.srv, File: p.f, Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readAll(p.cli)
			if r := h.Wait(ctxT(t)); r.Err != nil {
				err = r.Err
			}
			if err == nil && string(got) != string(p.data) {
				err = fmt.Errorf("file %d: %d bytes differ", i, len(got))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := progress.Load(); got != n*size {
		t.Errorf("progress = %d, want %d", got, n*size)
	}
	t.Logf("stats: %+v", e.Stats())
}
