// Generated content: any offset reproduces the same stream; sums are stable.
package ftpclient

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"
)

func TestContentOffsets(t *testing.T) {
	full := make([]byte, 1000)
	FillContent(full, 42, 0)
	for off := 0; off < 40; off++ {
		for n := 0; n < 30; n++ {
			part := make([]byte, n)
			FillContent(part, 42, int64(off))
			if !bytes.Equal(part, full[off:off+n]) {
				t.Fatalf("offset %d len %d differs", off, n)
			}
		}
	}
	other := make([]byte, 1000)
	FillContent(other, 43, 0)
	if bytes.Equal(full, other) {
		t.Fatal("seeds 42 and 43 give the same content")
	}
	b, _ := io.ReadAll(io.LimitReader(&ContentReader{Seed: 42, Size: 1000}, 2000))
	if !bytes.Equal(b, full) {
		t.Fatal("ContentReader differs from FillContent")
	}
	if ContentSHA256(42, 1000) != sha256.Sum256(full) {
		t.Fatal("ContentSHA256 differs")
	}
}

func BenchmarkFillContent(b *testing.B) {
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		FillContent(buf, 1, 0)
	}
}
