// Pacing, stall and cancellation tests for Send and Recv on every copy path.
package sendfile

import (
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sendPaths and recvPaths name the option sets that select each path.
var sendPaths = []struct {
	name string
	opts Options
}{
	{"sendfile", Options{}},
	{"buffer", Options{Disable: true}},
	{"ascii", Options{ASCII: true}},
}

var recvPaths = sendPaths

// TestPacerGrantsEveryByte: no byte crosses the network without a grant, and grants are
// not wasted (what was granted but not moved is less than one grant).
func TestPacerGrantsEveryByte(t *testing.T) {
	const grant = 1000
	in := textBytes(200<<10, 9)
	for _, p := range sendPaths {
		t.Run("send/"+p.name, func(t *testing.T) {
			pacer := &countingPacer{max: grant}
			o := p.opts
			o.Pacer = pacer
			n, got, err := runSend(t, in, &o)
			want := in
			if o.ASCII {
				want = refCRLF(in)
			}
			if err != nil || n != int64(len(want)) || got.hash != sha256.Sum256(want) {
				t.Fatalf("Send with pacer: n=%d err=%v", n, err)
			}
			if pacer.granted < n || pacer.granted-n >= grant {
				t.Errorf("granted %d bytes for %d moved: want granted-moved in [0,%d)", pacer.granted, n, grant)
			}
			if min := int(n / grant); pacer.calls < min {
				t.Errorf("pacer called %d times, want at least %d", pacer.calls, min)
			}
		})
	}
	for _, p := range recvPaths {
		t.Run("recv/"+p.name, func(t *testing.T) {
			pacer := &countingPacer{max: grant}
			o := p.opts
			o.Pacer = pacer
			_, file, err := runRecv(t, in, &o, 0)
			want := in
			if o.ASCII {
				want = refLF(in)
			}
			if err != nil || sha256.Sum256(file) != sha256.Sum256(want) {
				t.Fatalf("Recv with pacer: err=%v, %d bytes in file, want %d", err, len(file), len(want))
			}
			wire := int64(len(in))
			if pacer.granted < wire || pacer.granted-wire >= grant {
				t.Errorf("granted %d bytes for %d received: want granted-received in [0,%d)", pacer.granted, wire, grant)
			}
		})
	}
}

// TestPacerTinyGrants: a Pacer granting 7 bytes at a time still yields exact bytes.
func TestPacerTinyGrants(t *testing.T) {
	in := randomBytes(64<<10+3, 13)
	for _, p := range sendPaths[:2] {
		o := p.opts
		o.Pacer = &countingPacer{max: 7}
		o.counts = new(pathCounts)
		n, got, err := runSend(t, in, &o)
		if err != nil || n != int64(len(in)) || got.hash != sha256.Sum256(in) {
			t.Fatalf("%s: Send with 7-byte grants: n=%d err=%v", p.name, n, err)
		}
		checkPath(t, o.counts, n, p.name == "sendfile" && Supported())
	}
}

// stuckPair returns a loopback pair with small socket buffers, so that a peer that does
// not read blocks the writer quickly.
func stuckPair(t *testing.T) (server, client *net.TCPConn) {
	server, client = tcpPair(t)
	_ = server.SetWriteBuffer(4096)
	_ = client.SetReadBuffer(4096)
	return server, client
}

// bigFile returns an open file of n bytes.
func bigFile(t *testing.T, n int) *os.File {
	f, err := os.Open(writeFile(t, t.TempDir(), textBytes(n, 1)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestSendStall(t *testing.T) {
	for _, p := range sendPaths {
		t.Run(p.name, func(t *testing.T) {
			server, _ := stuckPair(t) // the client never reads
			o := p.opts
			o.Stall = 200 * time.Millisecond
			start := time.Now()
			n, err := Send(context.Background(), server, bigFile(t, 8<<20), &o)
			el := time.Since(start)
			if !errors.Is(err, ErrStalled) {
				t.Fatalf("Send to a peer that stopped reading: n=%d err=%v, want ErrStalled", n, err)
			}
			// el also holds filling the socket buffers and the kernel's last trickle into
			// them, which under -race on a loaded 2-core machine reached ~2 s (before the
			// stall ticks too): the bound is for "promptly", not a measurement.
			if el < o.Stall || el > 3*time.Second {
				t.Errorf("stall reported after %v, want between %v and 3s", el, o.Stall)
			}
			if n <= 0 || n >= 8<<20 {
				t.Errorf("moved %d bytes before the stall, want some but not all", n)
			}
		})
	}
}

func TestRecvStall(t *testing.T) {
	for _, p := range recvPaths {
		t.Run(p.name, func(t *testing.T) {
			server, client := tcpPair(t)
			if _, err := client.Write([]byte("0123456789")); err != nil { // then silence, no close
				t.Fatal(err)
			}
			f, err := os.Create(filepath.Join(t.TempDir(), "dst"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			o := p.opts
			o.Stall = 200 * time.Millisecond
			start := time.Now()
			n, err := Recv(context.Background(), f, server, &o)
			el := time.Since(start)
			if !errors.Is(err, ErrStalled) || n != 10 {
				t.Fatalf("Recv from a silent peer: n=%d err=%v, want 10 bytes and ErrStalled", n, err)
			}
			if el < o.Stall || el > 3*time.Second {
				t.Errorf("stall reported after %v, want between %v and 3s", el, o.Stall)
			}
		})
	}
}

// TestSendSlowReaderIsNotStalled: a peer that reads slowly but steadily moves bytes within
// every stall window, so the transfer completes even though single 1 MiB sendfile/write
// calls take several stall ticks each (the partial-progress retry).
func TestSendSlowReaderIsNotStalled(t *testing.T) {
	const size = 2 << 20
	for _, p := range sendPaths[:2] {
		t.Run(p.name, func(t *testing.T) {
			server, client := tcpPair(t)
			// Buffers well above the loopback MSS (64 KiB): smaller ones make TCP itself
			// pause for its persist timer, a real stall.
			_ = server.SetWriteBuffer(128 << 10)
			_ = client.SetReadBuffer(128 << 10)
			_ = client.SetDeadline(time.Now().Add(30 * time.Second))
			got := make(chan int64, 1)
			go func() {
				var total int64
				buf := make([]byte, 32<<10)
				for {
					time.Sleep(20 * time.Millisecond)
					n, err := client.Read(buf)
					total += int64(n)
					if err != nil {
						got <- total
						return
					}
				}
			}()
			o := p.opts
			o.Chunk = 1 << 20
			// Loopback TCP itself pauses up to ~150 ms between window updates to this reader,
			// and on a loaded machine the reader goroutine may wait hundreds of ms for a
			// CPU: the stall timeout must be well above that, or the pause is (rightly) a
			// stall. 1 MiB calls at this reader's ~1.6 MB/s still span several ticks.
			o.Stall = time.Second
			start := time.Now()
			n, err := Send(context.Background(), server, bigFile(t, size), &o)
			el := time.Since(start)
			_ = server.CloseWrite()
			if err != nil || n != size {
				t.Fatalf("Send to a slow reader: n=%d err=%v after %v, want %d and nil", n, err, el, size)
			}
			if r := <-got; r != size {
				t.Fatalf("reader got %d bytes, want %d", r, size)
			}
			if tick := o.Stall / stallTicks; el < 4*tick {
				t.Errorf("transfer took %v: too fast to have exercised the retry (tick %v)", el, tick)
			}
		})
	}
}

// cancelAfter cancels a context after d and returns it with the cancel time.
func cancelAfter(d time.Duration) (context.Context, func() time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	at := make(chan time.Time, 1)
	time.AfterFunc(d, func() { at <- time.Now(); cancel() })
	return ctx, func() time.Time { cancel(); return <-at }
}

func TestSendCancel(t *testing.T) {
	paths := append(sendPaths[:len(sendPaths):len(sendPaths)],
		struct {
			name string
			opts Options
		}{"pacer-blocked", Options{Pacer: blockingPacer{}}},
		struct {
			name string
			opts Options
		}{"with-stall", Options{Stall: time.Minute}})
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			server, _ := stuckPair(t)
			ctx, cancelled := cancelAfter(100 * time.Millisecond)
			o := p.opts
			n, err := Send(ctx, server, bigFile(t, 8<<20), &o)
			at := cancelled()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Send after cancel: n=%d err=%v, want context.Canceled", n, err)
			}
			// Prompt, not instant: on a loaded 2-core VM under -race a goroutine can wait
			// seconds for a CPU; the deadline it must beat is the 30 s one above.
			if d := time.Since(at); d > 5*time.Second {
				t.Errorf("Send returned %v after cancel, want < 5s", d)
			}
		})
	}
}

func TestRecvCancel(t *testing.T) {
	paths := append(recvPaths[:len(recvPaths):len(recvPaths)],
		struct {
			name string
			opts Options
		}{"with-stall", Options{Stall: time.Minute}})
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			server, _ := tcpPair(t) // the client sends nothing and stays open
			f, err := os.Create(filepath.Join(t.TempDir(), "dst"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ctx, cancelled := cancelAfter(100 * time.Millisecond)
			o := p.opts
			n, err := Recv(ctx, f, server, &o)
			at := cancelled()
			if !errors.Is(err, context.Canceled) || n != 0 {
				t.Fatalf("Recv after cancel: n=%d err=%v, want 0 and context.Canceled", n, err)
			}
			if d := time.Since(at); d > 5*time.Second {
				t.Errorf("Recv returned %v after cancel, want < 5s", d)
			}
		})
	}
}

func TestAlreadyCancelled(t *testing.T) {
	server, _ := tcpPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := Send(ctx, server, bigFile(t, 1000), nil); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled ctx = %d, %v", n, err)
	}
	if n, err := Recv(ctx, new(os.File), server, nil); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Recv with a cancelled ctx = %d, %v", n, err)
	}
}

// zeroPacer breaks the Pacer contract: it grants nothing and reports no error.
type zeroPacer struct{}

func (zeroPacer) Wait(context.Context, int) (int, error) { return 0, nil }

func TestBrokenPacerFails(t *testing.T) {
	for _, p := range sendPaths {
		server, _ := tcpPair(t)
		o := p.opts
		o.Pacer = zeroPacer{}
		f := bigFile(t, 1000)
		done := make(chan error, 1)
		go func() {
			_, err := Send(context.Background(), server, f, &o)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errBadGrant) {
				t.Errorf("%s: Send with a zero-granting pacer: %v, want errBadGrant", p.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Send spins on a zero-granting pacer", p.name)
		}
	}
}
