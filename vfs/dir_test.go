// Streaming: a large directory read in small batches returns every name exactly once.
package vfs

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestOpenDirStreaming(t *testing.T) {
	const files, batch = 20000, 256
	root := t.TempDir()
	// Hard links to one file: a directory entry each, at a tenth of the cost of creating
	// 20,000 inodes.
	first := filepath.Join(root, "f0")
	mustWrite(t, first, "")
	for i := 1; i < files; i++ {
		if err := os.Link(first, filepath.Join(root, "f"+strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	forModes(t, func(t *testing.T, m mode) {
		l := openLocal(t, root, m)
		d, err := l.OpenDir("/")
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		seen := make([]bool, files)
		total, calls := 0, 0
		for {
			ents, err := d.ReadDir(batch)
			calls++
			if len(ents) > batch {
				t.Fatalf("ReadDir(%d) returned %d entries", batch, len(ents))
			}
			for _, e := range ents {
				i, perr := strconv.Atoi(e.Name()[1:])
				if perr != nil || i < 0 || i >= files || seen[i] {
					t.Fatalf("unexpected or repeated name %q", e.Name())
				}
				seen[i] = true
				total++
				if i%4999 == 0 {
					fi, err := e.Info()
					if err != nil || fi.Name() != e.Name() || !fi.Mode().IsRegular() {
						t.Errorf("Info(%s) = %v, %v", e.Name(), fi, err)
					}
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if calls > files/batch+2 {
				t.Fatal("ReadDir never reached io.EOF")
			}
		}
		if total != files {
			t.Errorf("read %d names, want %d", total, files)
		}
		if calls < files/batch {
			t.Errorf("%d calls: batches larger than %d", calls, batch)
		}
	})
}
