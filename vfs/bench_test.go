// Benchmarks of the openat2 fast path against the os.Root fallback and, as a floor, the
// unjailed os call on the host path: what the jail costs and what openat2 buys.
package vfs

import (
	"os"
	"path/filepath"
	"testing"
)

const benchPath = "/a/b/c/d/file" // four directories deep

func benchTree(b *testing.B) string {
	root := b.TempDir()
	mustWrite(b, filepath.Join(root, filepath.FromSlash(benchPath)), "payload")
	return root
}

func BenchmarkOpen(b *testing.B) {
	root := benchTree(b)
	for _, m := range modes {
		b.Run("mode="+m.name, func(b *testing.B) {
			l := openLocal(b, root, m)
			b.ReportAllocs()
			for b.Loop() {
				f, err := l.Open(benchPath)
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
	b.Run("mode=os.Open-unjailed", func(b *testing.B) {
		host := filepath.Join(root, filepath.FromSlash(benchPath))
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(host)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

func BenchmarkStat(b *testing.B) {
	root := benchTree(b)
	for _, m := range modes {
		b.Run("mode="+m.name, func(b *testing.B) {
			l := openLocal(b, root, m)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Stat(benchPath); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("mode=os.Stat-unjailed", func(b *testing.B) {
		host := filepath.Join(root, filepath.FromSlash(benchPath))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := os.Stat(host); err != nil {
				b.Fatal(err)
			}
		}
	})
}
