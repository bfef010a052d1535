//go:build linux

// The write pool: an upload whose bytes a worker is writing ends only once they are in
// the file, whatever ends it (ABOR, a stall, Close).

package dataloop

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// holdWrites makes every write worker wait, before it writes, until the returned release
// is called; held receives each job as a worker takes it. Restored at the end of the test.
func holdWrites(t *testing.T) (held <-chan *job, release func()) {
	ch := make(chan *job, 16)
	gate := make(chan struct{})
	wrHook = func(x *job) {
		ch <- x
		<-gate
	}
	released := false
	release = func() {
		if !released {
			released = true
			close(gate)
		}
	}
	t.Cleanup(func() { release(); wrHook = nil })
	return ch, release
}

func TestUploadEndsAfterItsWrite(t *testing.T) {
	for _, end := range []string{"cancel", "stall", "close"} {
		t.Run(end, func(t *testing.T) {
			held, release := holdWrites(t)
			e, err := New(Config{Loops: 1, Writers: 1, StallTick: 10 * time.Millisecond, writeAlone: true})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			ln := listener(t)
			p := filepath.Join(memDir(t), "u")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			srv, cli := pair(t, ln)
			defer cli.Close()
			h, err := e.Submit(Job{Name: "u", Conn: srv, File: f, Upload: true, Stall: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			data := pattern(100_000, 7)
			if _, err := cli.Write(data); err != nil {
				t.Fatal(err)
			}
			var x *job
			select {
			case x = <-held:
			case <-time.After(5 * time.Second):
				t.Fatal("no write reached the pool")
			}
			want := error(ErrCanceled)
			closed := make(chan struct{})
			switch end {
			case "cancel":
				h.Cancel()
			case "stall":
				time.Sleep(200 * time.Millisecond) // four stall periods: skipped while held
				want = ErrStalled
			case "close":
				want = ErrClosed
				go func() { e.Close(); close(closed) }()
			}
			select {
			case <-h.Done():
				t.Fatalf("%s: the upload ended while a worker held %d of its bytes", end, x.piped)
			case <-time.After(100 * time.Millisecond):
			}
			release()
			r := h.Wait(ctxT(t))
			if !errors.Is(r.Err, want) {
				t.Errorf("err = %v, want %v", r.Err, want)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if r.Bytes != int64(len(got)) || r.Bytes == 0 {
				t.Errorf("result says %d bytes, the file has %d", r.Bytes, len(got))
			}
			equal(t, "file", got, data[:len(got)])
			if end == "close" {
				<-closed
			}
		})
	}
}
