//go:build linux

// Stall deadline, Cancel, throttling, refusals, Close and descriptor accounting.

package dataloop

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/fastftp/fastftp/throttle"
)

// TestStall: a client that stops reading gets ErrStalled within 2×Stall of the last byte.
func TestStall(t *testing.T) {
	const stall = 400 * time.Millisecond
	e := newEngine(t, Config{})
	ln := listener(t)
	f := writeFile(t, memDir(t), "big", pattern(64<<20, 3))
	srv, cli := pair(t, ln)
	defer cli.Close() // never read: the socket buffers fill and sendfile gets EAGAIN
	h, err := e.Submit(Job{Name: "big", Conn: srv, File: f, Stall: stall})
	if err != nil {
		t.Fatal(err)
	}
	// Follow the progress counter to find when the last byte moved.
	last, lastAt := int64(-1), time.Now()
	deadline := time.After(testTimeout)
	for done := false; !done; {
		select {
		case <-h.Done():
			done = true
		case <-deadline:
			t.Fatal("no result")
		case <-time.After(5 * time.Millisecond):
			if p := h.Progress(); p != last {
				last, lastAt = p, time.Now()
			}
		}
	}
	took := time.Since(lastAt)
	r := h.Result()
	if !errors.Is(r.Err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", r.Err)
	}
	if took < stall-10*time.Millisecond || took > 2*stall {
		t.Errorf("stall reported %v after the last byte, want within [%v, %v]", took, stall, 2*stall)
	}
	t.Logf("%v after %d bytes: %v", took, r.Bytes, r.Err)
}

// TestCancel stops a transfer mid-way from another goroutine.
func TestCancel(t *testing.T) {
	e := newEngine(t, Config{})
	ln := listener(t)
	f := writeFile(t, memDir(t), "big", pattern(64<<20, 4))
	srv, cli := pair(t, ln)
	defer cli.Close()
	// A slow pacer keeps the transfer running long enough to cancel it mid-way.
	h, err := e.Submit(Job{Name: "big", Conn: srv, File: f, Pacer: throttle.NewBucket(1<<20, 0)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = readAll(cli) }()
	for h.Progress() == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	h.Cancel()
	h.Cancel() // idempotent
	select {
	case <-h.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Cancel did not stop the transfer")
	}
	r := h.Result()
	if !errors.Is(r.Err, ErrCanceled) {
		t.Fatalf("err = %v, want ErrCanceled", r.Err)
	}
	if r.Bytes == 0 || r.Bytes >= 64<<20 {
		t.Errorf("Bytes = %d: not mid-transfer", r.Bytes)
	}
	t.Logf("stopped %v after Cancel, %d bytes", time.Since(start), r.Bytes)
}

// TestThrottle: a 4 MiB/s bucket paces a 10 MiB download: the elapsed time may not be
// shorter than the rate allows (only a lower bound: the machine is shared).
func TestThrottle(t *testing.T) {
	const rate, size = 4 << 20, 10 << 20
	e := newEngine(t, Config{})
	ln := listener(t)
	f := writeFile(t, memDir(t), "f", pattern(size, 5))
	// Two buckets, the session's unlimited: the hierarchy's shape with one limit.
	p := Buckets(throttle.NewBucket(rate, 0), nil, throttle.NewBucket(0, 0))
	start := time.Now()
	got, res := download(t, e, ln, Job{Name: "f", File: f, Pacer: p})
	took := time.Since(start)
	if res.Err != nil || len(got) != size {
		t.Fatalf("%d bytes, err %v", len(got), res.Err)
	}
	// The bucket starts full: its burst goes at once, the rest at rate.
	min := time.Duration(float64(size-throttle.DefaultBurst(rate)) / rate * float64(time.Second))
	if took < min*97/100 {
		t.Errorf("took %v, faster than the rate allows (%v)", took, min)
	}
	if w := p.(interface{ Waits() time.Duration }).Waits(); w <= 0 {
		t.Errorf("Waits() = %v after a throttled transfer", w)
	}
	t.Logf("took %v, %.2f MiB/s (limit 4)", took, float64(size)/took.Seconds()/(1<<20))
}

// noSyscallConn hides the socket, as a *tls.Conn does.
type noSyscallConn struct{ net.Conn }

func TestNotEligible(t *testing.T) {
	e := newEngine(t, Config{})
	ln := listener(t)
	dir := memDir(t)
	f := writeFile(t, dir, "f", []byte("data"))
	app, err := os.OpenFile(filepath.Join(dir, "a"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, cli := pair(t, ln)
	defer srv.Close()
	defer cli.Close()
	before := fdCount(t)
	for name, j := range map[string]Job{
		"tls":    {Conn: noSyscallConn{srv}, File: f},
		"ascii":  {Conn: srv, File: f, ASCII: true},
		"dir":    {Conn: srv, File: d},
		"append": {Conn: srv, File: app, Upload: true},
	} {
		if _, err := e.Submit(j); !errors.Is(err, ErrNotEligible) {
			t.Errorf("%s: err = %v, want ErrNotEligible", name, err)
		}
	}
	if _, err := e.Submit(Job{Conn: srv, File: f, Offset: 5}); !errors.Is(err, ErrBadOffset) {
		t.Errorf("offset: err = %v, want ErrBadOffset", err)
	}
	checkNoLeak(t, before)
	// The caller still owns a working conn.
	if _, err := srv.Write([]byte("x")); err != nil {
		t.Errorf("conn unusable after a refusal: %v", err)
	}
}

// TestClose fails running transfers with ErrClosed and refuses later ones.
func TestClose(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ln := listener(t)
	f := writeFile(t, memDir(t), "big", pattern(16<<20, 6))
	srv, cli := pair(t, ln)
	defer cli.Close()
	got := make(chan Result, 1)
	h, err := e.Submit(Job{Name: "big", Conn: srv, File: f, Done: func(r Result) { got <- r }})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	e.Close()
	select {
	case <-h.Done():
	default:
		t.Fatal("Close returned before the transfer ended")
	}
	h.Cancel() // after Close: a no-op, never a write to a closed eventfd
	if r := <-got; !errors.Is(r.Err, ErrClosed) {
		t.Errorf("callback err = %v, want ErrClosed", r.Err)
	}
	srv2, cli2 := pair(t, ln)
	defer srv2.Close()
	defer cli2.Close()
	if _, err := e.Submit(Job{Conn: srv2, File: f}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: %v", err)
	}
}

// TestNoFDLeak runs downloads, uploads, stalls, cancels and refusals on an engine of its
// own and checks that the process has no more descriptors afterwards.
func TestNoFDLeak(t *testing.T) {
	ln := listener(t)
	dir := memDir(t)
	data := pattern(1<<20+3, 8)
	src := writeFile(t, dir, "src", data)
	cold := writeFile(t, t.TempDir(), "cold", data)
	before, gBefore := fdCount(t), runtime.NumGoroutine()
	e, err := New(Config{Loops: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		_, _ = download(t, e, ln, Job{File: src})
		_ = evict(cold)
		_, _ = download(t, e, ln, Job{File: cold})
		p := filepath.Join(dir, "up")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		upload(t, e, ln, data, Job{File: f})
		f.Close()
		srv, cli := pair(t, ln)
		h, err := e.Submit(Job{Conn: srv, File: src, Pacer: throttle.NewBucket(64<<10, 0)})
		if err != nil {
			t.Fatal(err)
		}
		h.Cancel()
		<-h.Done()
		cli.Close()
		srv, cli = pair(t, ln)
		if _, err := e.Submit(Job{Conn: noSyscallConn{srv}, File: src}); err == nil {
			t.Fatal("TLS-like conn accepted")
		}
		srv.Close()
		cli.Close()
	}
	// A transfer still running at Close, one parked on a timer.
	srv, cli := pair(t, ln)
	if _, err := e.Submit(Job{Conn: srv, File: src, Pacer: throttle.NewBucket(4<<10, 4<<10)}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	cli.Close()
	checkNoLeak(t, before)
	// Loops and readahead workers are gone too (client goroutines may take a moment).
	for i := 0; i < 100 && runtime.NumGoroutine() > gBefore; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > gBefore {
		t.Errorf("goroutines: %d before, %d after Close", gBefore, n)
	}
}

// TestUploadStallAndCancel: an upload whose client sends nothing stalls; one that trickles
// is cancelled mid-way.
func TestUploadStallAndCancel(t *testing.T) {
	const stall = 300 * time.Millisecond
	e := newEngine(t, Config{})
	ln := listener(t)
	dir := memDir(t)
	f, err := os.Create(filepath.Join(dir, "u"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	srv, cli := pair(t, ln)
	defer cli.Close()
	start := time.Now()
	h, err := e.Submit(Job{Name: "u", Conn: srv, File: f, Upload: true, Stall: stall})
	if err != nil {
		t.Fatal(err)
	}
	r := h.Wait(ctxT(t))
	if took := time.Since(start); !errors.Is(r.Err, ErrStalled) || took > 2*stall {
		t.Errorf("silent upload: err %v after %v, want ErrStalled within %v", r.Err, took, 2*stall)
	}

	srv, cli = pair(t, ln)
	defer cli.Close()
	h, err = e.Submit(Job{Name: "u", Conn: srv, File: f, Upload: true, Stall: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Write([]byte("some bytes")); err != nil {
		t.Fatal(err)
	}
	for h.Progress() < 10 {
		select {
		case <-h.Done():
			t.Fatalf("ended early: %v", h.Result().Err)
		case <-time.After(time.Millisecond):
		}
	}
	h.Cancel()
	if r := h.Wait(ctxT(t)); !errors.Is(r.Err, ErrCanceled) || r.Bytes != 10 {
		t.Errorf("cancelled upload: %d bytes, err %v; want 10, ErrCanceled", r.Bytes, r.Err)
	}
}

// TestThrottledUpload: uploads are paced as downloads are (lower bound on time only).
func TestThrottledUpload(t *testing.T) {
	const rate, size = 2 << 20, 5 << 20
	e := newEngine(t, Config{})
	ln := listener(t)
	f, err := os.Create(filepath.Join(memDir(t), "u"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := pattern(size, 9)
	start := time.Now()
	res := upload(t, e, ln, data, Job{Name: "u", File: f, Pacer: throttle.NewBucket(rate, 0)})
	took := time.Since(start)
	if res.Err != nil || res.Bytes != size {
		t.Fatalf("%d bytes, err %v", res.Bytes, res.Err)
	}
	min := time.Duration(float64(size-throttle.DefaultBurst(rate)) / rate * float64(time.Second))
	if took < min*97/100 {
		t.Errorf("took %v, faster than the rate allows (%v)", took, min)
	}
	t.Logf("took %v, %.2f MiB/s (limit 2)", took, float64(size)/took.Seconds()/(1<<20))
}

// TestPeerReset: a client that resets the connection mid-download fails the transfer with
// ErrConn (426 for the session), not a file error.
func TestPeerReset(t *testing.T) {
	e := newEngine(t, Config{})
	ln := listener(t)
	f := writeFile(t, memDir(t), "big", pattern(64<<20, 10))
	srv, cli := pair(t, ln)
	h, err := e.Submit(Job{Name: "big", Conn: srv, File: f, Stall: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	if _, err := cli.Read(buf); err != nil {
		t.Fatal(err)
	}
	_ = cli.SetLinger(0) // close sends RST
	cli.Close()
	r := h.Wait(ctxT(t))
	if !errors.Is(r.Err, ErrConn) {
		t.Fatalf("err = %v, want ErrConn", r.Err)
	}
	t.Log(r.Err)
}

// TestCancelRace cancels transfers at arbitrary moments, including after they ended: each
// result is either complete and clean or wraps ErrCanceled, and nothing leaks.
func TestCancelRace(t *testing.T) {
	const n, size = 100, 256<<10 + 1
	ln := listener(t)
	data := pattern(size, 11)
	src := writeFile(t, memDir(t), "src", data)
	before := fdCount(t)
	e, err := New(Config{Loops: 2, Chunk: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		srv, cli := pair(t, ln)
		h, err := e.Submit(Job{Conn: srv, File: src})
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() { b, _ := readAll(cli); got <- b }()
		time.Sleep(time.Duration(i%10) * 50 * time.Microsecond)
		h.Cancel()
		r := h.Wait(ctxT(t))
		b := <-got
		switch {
		case r.Err == nil:
			if r.Bytes != size || len(b) != size {
				t.Fatalf("clean result with %d bytes sent, %d received", r.Bytes, len(b))
			}
		case errors.Is(r.Err, ErrCanceled):
			if int64(len(b)) != r.Bytes {
				t.Fatalf("cancelled after %d bytes, client got %d", r.Bytes, len(b))
			}
		default:
			t.Fatalf("err = %v", r.Err)
		}
	}
	e.Close()
	checkNoLeak(t, before)
}
