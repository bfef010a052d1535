// listing_bench_test.go: listInto over a local directory, the path LIST, NLST and MLSD
// take, with its allocations per listing (the DirLister path on Linux allocates a fixed
// few, not one per entry).

package session

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/vfs"
)

func BenchmarkListInto(b *testing.B) {
	const entries = 1000
	dir := b.TempDir()
	for i := range entries {
		if err := os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	l, err := vfs.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var size int64
	fn := func(e *proto.Entry) error { size += e.Size; return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if n, _, err := listInto(l, "/", 0, fn); err != nil || n != entries {
			b.Fatalf("listInto: %d entries, %v", n, err)
		}
	}
}
