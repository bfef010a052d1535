// bench_test.go: benchmarks for the hot paths, each with b.ReportAllocs, some with naive twins.

package proto

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, line string }{
		{"verb=RETR", "RETR some/dir/file-0001.bin\r\n"},
		{"verb=NOOP", "NOOP\r\n"},
		{"verb=unknown", "XYZZY plugh\r\n"},
		{"verb=ABOR-IAC", "\xff\xf4\xff\xf2ABOR\r\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			src := []byte(bc.line)
			buf := make([]byte, len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, src) // IAC stripping is in place; the copy keeps every run equal
				line, _, _ := NextLine(buf)
				c := Parse(line)
				if c.Verb == NumVerbs {
					b.Fatal("impossible")
				}
			}
		})
	}
}

// naiveParse is the string-and-map control path STYLE.md warns against, for comparison.
func naiveParse(line string, verbs map[string]Verb) (Verb, string) {
	line = strings.TrimRight(line, "\r\n")
	parts := strings.SplitN(line, " ", 2)
	arg := ""
	if len(parts) == 2 {
		arg = parts[1]
	}
	return verbs[strings.ToUpper(parts[0])], arg
}

func BenchmarkParseNaive(b *testing.B) {
	verbs := allNames()
	for _, bc := range []struct{ name, line string }{
		{"verb=RETR", "retr some/dir/file-0001.bin\r\n"},
		{"verb=NOOP", "noop\r\n"},
		{"verb=unknown", "xyzzy plugh\r\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			src := []byte(bc.line)
			b.ReportAllocs()
			for b.Loop() {
				v, _ := naiveParse(string(src), verbs) // the socket hands over bytes
				if v == NumVerbs {
					b.Fatal("impossible")
				}
			}
		})
	}
}

var lookupNames = [][]byte{[]byte("RETR"), []byte("stor"), []byte("Noop"), []byte("PWD"), []byte("xcwd"), []byte("ZZZZ"), []byte("epsv"), []byte("LIST")}

func BenchmarkLookup(b *testing.B) {
	b.Run("impl=perfecthash", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			for _, name := range lookupNames {
				n += int(Lookup(name))
			}
		}
		_ = n
	})
	b.Run("impl=toupper+map", func(b *testing.B) {
		verbs := allNames()
		b.ReportAllocs()
		var n int
		for b.Loop() {
			for _, name := range lookupNames {
				n += int(verbs[strings.ToUpper(string(name))])
			}
		}
		_ = n
	})
}

func BenchmarkNextLine(b *testing.B) {
	buf := bytes.Repeat([]byte("RETR some/dir/file-0001.bin\r\n"), 32)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for {
			_, n, err := NextLine(rest)
			if err != nil || n == 0 {
				break
			}
			rest = rest[n:]
		}
	}
}

func BenchmarkAppendReply(b *testing.B) {
	b.Run("impl=append", func(b *testing.B) {
		dst := make([]byte, 0, 256)
		b.ReportAllocs()
		for b.Loop() {
			dst = AppendReply(dst[:0], 226, "Transfer complete.")
		}
	})
	b.Run("impl=append/quotedpath", func(b *testing.B) {
		dst := make([]byte, 0, 256)
		b.ReportAllocs()
		for b.Loop() {
			dst = AppendReply(dst[:0], 257, "")
			dst = AppendQuotedPath(dst[:len(dst)-2], "/home/user/some dir")
			dst = append(dst, " is the current directory\r\n"...)
		}
	})
	b.Run("impl=sprintf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := fmt.Sprintf("%d %s\r\n", 226, "Transfer complete.")
			_ = s
		}
	})
}

func BenchmarkAppendListLine(b *testing.B) {
	now := time.Now()
	e := Entry{Name: "some-file-0001.bin", Size: 1 << 20, Mode: 0o644, ModTime: now.Add(-time.Hour), Nlink: 1, UID: 1000, GID: 1000}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendListLine(dst[:0], &e, now, time.UTC)
	}
	b.SetBytes(int64(len(dst)))
}

func BenchmarkAppendMLSx(b *testing.B) {
	e := Entry{Name: "some-file-0001.bin", Size: 1 << 20, Mode: 0o644, ModTime: time.Now(), Nlink: 1, UID: 1000, GID: 1000, Dev: 2051, Ino: 1234567}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendMLSx(dst[:0], &e, FactsAll, "", "adfrw")
	}
	b.SetBytes(int64(len(dst)))
}

func BenchmarkParseAddr(b *testing.B) {
	for _, bc := range []struct {
		name string
		arg  []byte
		f    func([]byte) error
	}{
		{"cmd=PORT", []byte("127,0,0,1,200,13"), func(a []byte) error { _, err := ParsePORT(a); return err }},
		{"cmd=EPRT/v4", []byte("|1|132.235.1.2|6275|"), func(a []byte) error { _, err := ParseEPRT(a); return err }},
		{"cmd=EPRT/v6", []byte("|2|1080::8:800:200C:417A|5282|"), func(a []byte) error { _, err := ParseEPRT(a); return err }},
		{"cmd=EPRT/v6-netip", []byte("1080::8:800:200C:417A"), func(a []byte) error { _, err := netip.ParseAddr(string(a)); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.f(bc.arg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendListLineNamed is BenchmarkAppendListLine with owner and group names, as
// LIST shows them with vfs.Names (the lookups are measured by vfs's BenchmarkNamesHit).
func BenchmarkAppendListLineNamed(b *testing.B) {
	now := time.Now()
	e := Entry{Name: "some-file-0001.bin", Owner: "mirror", Group: "mirror", Size: 1 << 20, Mode: 0o644,
		ModTime: now.Add(-time.Hour), Nlink: 1, UID: 1000, GID: 1000}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendListLine(dst[:0], &e, now, time.UTC)
	}
	b.SetBytes(int64(len(dst)))
}
