// MODE Z's data stream: a decompression bomb costs disk, never memory.

package transfer

import (
	"bytes"
	"compress/zlib"
	"context"
	"runtime"
	"testing"

	"github.com/fastftp/fastftp/sendfile"
)

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestInflateBombBoundedMemory: 64 MiB of zeros arrive as a few hundred KB of zlib; inflating
// them allocates a bounded amount (the buffers), never the output.
func TestInflateBombBoundedMemory(t *testing.T) {
	const size = 64 << 20
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range size >> 20 {
		zw.Write(zeros)
	}
	zw.Close()
	srv, cli := tcpPair(t)
	defer srv.Close()
	go func() { cli.Write(z.Bytes()); cli.Close() }()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var out countingWriter
	file, wire, err := recvInflate(context.Background(), srv, &out, &sendfile.Options{})
	runtime.ReadMemStats(&after)
	if err != nil || file != size || out.n != size || wire != int64(z.Len()) {
		t.Fatalf("bomb: %d bytes inflated from %d (%v), want %d from %d", file, wire, err, size, z.Len())
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("inflating %d bytes allocated %d bytes", size, grew)
	}
}
