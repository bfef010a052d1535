// Proof that the zero-copy branches really run on Linux: path counters, plus heap bytes
// allocated per transfer far below what the standard library's silent fallback (a fresh
// 32 KiB buffer per call) would allocate.
package sendfile

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

const proofSize = 4 << 20

// heapAllocated returns the bytes allocated while f ran (process-wide, so a loose bound).
func heapAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// maxProofAlloc is far below the ~2 MiB that 64 fallback calls of 32 KiB would allocate,
// and far above the few hundred bytes a zero-copy transfer allocates.
const maxProofAlloc = 512 << 10

func TestSupportedOnLinux(t *testing.T) {
	if !Supported() {
		t.Fatal("Supported() = false: sendfile(2) or splice(2) failed the probe on this Linux kernel")
	}
}

func TestSendTakesSendfile(t *testing.T) {
	data := randomBytes(proofSize, 42)
	for _, disable := range []bool{false, true} {
		name := map[bool]string{false: "sendfile", true: "disabled"}[disable]
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(writeFile(t, t.TempDir(), data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			server, client := tcpPair(t)
			_ = client.SetDeadline(time.Now().Add(time.Minute))
			// The reader uses a buffer made before measuring, so it allocates nothing.
			buf := make([]byte, 256<<10)
			h := sha256.New()
			done := make(chan error, 1)
			go func() {
				for {
					n, err := client.Read(buf)
					h.Write(buf[:n])
					if err != nil {
						done <- err
						return
					}
				}
			}()
			o := &Options{Disable: disable, counts: new(pathCounts)}
			var n int64
			alloc := heapAllocated(func() {
				n, err = Send(context.Background(), server, f, o)
			})
			_ = server.CloseWrite()
			<-done
			if err != nil || n != proofSize {
				t.Fatalf("Send = %d, %v; want %d, nil", n, err, proofSize)
			}
			if [32]byte(h.Sum(nil)) != sha256.Sum256(data) {
				t.Fatal("peer received different bytes")
			}
			checkPath(t, o.counts, n, !disable)
			if !disable && alloc > maxProofAlloc {
				t.Errorf("sendfile path allocated %d bytes for %d: the copy went through user space", alloc, n)
			}
			t.Logf("%s: %d bytes allocated by the process during Send", name, alloc)
		})
	}
}

func TestRecvTakesSplice(t *testing.T) {
	data := randomBytes(proofSize, 43)
	for _, disable := range []bool{false, true} {
		name := map[bool]string{false: "splice", true: "disabled"}[disable]
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "dst")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			server, client := tcpPair(t)
			_ = client.SetDeadline(time.Now().Add(time.Minute))
			go func() {
				_, _ = client.Write(data)
				_ = client.CloseWrite()
			}()
			o := &Options{Disable: disable, counts: new(pathCounts)}
			var n int64
			alloc := heapAllocated(func() {
				n, err = Recv(context.Background(), f, server, o)
			})
			if err != nil || n != proofSize {
				t.Fatalf("Recv = %d, %v; want %d, nil", n, err, proofSize)
			}
			got, err := os.ReadFile(p)
			if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
				t.Fatalf("file differs from what was sent (read error %v)", err)
			}
			checkPath(t, o.counts, n, !disable)
			if !disable && alloc > maxProofAlloc {
				t.Errorf("splice path allocated %d bytes for %d: the copy went through user space", alloc, n)
			}
			t.Logf("%s: %d bytes allocated by the process during Recv", name, alloc)
		})
	}
}
