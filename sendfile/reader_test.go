// Reader: a consumer-driven upload under the same pacing, stall, progress and cancellation
// as Recv.
package sendfile

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

func TestReaderPacesAndCounts(t *testing.T) {
	server, client := tcpPair(t)
	data := randomBytes(1<<20+321, 3)
	go func() { client.Write(data); client.CloseWrite() }()
	p := &countingPacer{max: 5000}
	var progress atomic.Int64
	r, err := NewReader(context.Background(), server, &Options{Pacer: p, Progress: &progress, Stall: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got, rerr := io.ReadAll(r)
	n, err := r.Finish(nil)
	if rerr != nil || err != nil || n != int64(len(data)) || sha256Of(got) != sha256Of(data) {
		t.Fatalf("read %d bytes (%v), Finish n=%d err=%v; want %d identical", len(got), rerr, n, err, len(data))
	}
	if p.granted < int64(len(data)) || progress.Load() != int64(len(data)) {
		t.Errorf("pacer granted %d, progress %d; want at least and exactly %d", p.granted, progress.Load(), len(data))
	}
}

func TestReaderStall(t *testing.T) {
	server, _ := stuckPair(t) // the client never sends
	r, err := NewReader(context.Background(), server, &Options{Stall: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, rerr := r.Read(make([]byte, 1024))
	el := time.Since(start)
	if _, again := r.Read(make([]byte, 1)); again == nil {
		t.Error("Read after a failure succeeded")
	}
	if _, err := r.Finish(nil); !errors.Is(err, ErrStalled) {
		t.Fatalf("Finish after a stall: %v (read error %v), want ErrStalled", err, rerr)
	}
	if el < 200*time.Millisecond || el > 2*time.Second {
		t.Errorf("stall reported after %v, want between 200ms and 2s", el)
	}
}

func TestReaderCancelAndConsumerError(t *testing.T) {
	server, _ := stuckPair(t)
	ctx, cancelled := cancelAfter(100 * time.Millisecond)
	r, err := NewReader(ctx, server, &Options{Stall: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r.Read(make([]byte, 1024))
	at := cancelled()
	if _, err := r.Finish(nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Finish after cancel: %v, want context.Canceled", err)
	}
	if d := time.Since(at); d > time.Second {
		t.Errorf("Read returned %v after cancel, want < 1s", d)
	}

	server2, client2 := tcpPair(t)
	client2.Write([]byte("x"))
	client2.CloseWrite()
	r, _ = NewReader(context.Background(), server2, nil)
	io.ReadAll(r)
	bad := errors.New("corrupt input")
	if _, err := r.Finish(bad); !errors.Is(err, bad) {
		t.Fatalf("Finish(consumer error) after EOF: %v, want it wrapped", err)
	}
}
