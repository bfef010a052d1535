package proto

import (
	"strings"
	"testing"
)

func TestValidHostName(t *testing.T) {
	for _, n := range []string{"a", "a.example", "A-1.b_c.example.", strings.Repeat("a", 63) + ".example"} {
		if !ValidHostName([]byte(n)) {
			t.Errorf("%q refused", n)
		}
	}
	for _, n := range []string{"", ".", ".a", "a..b", "a b", "a/b", "a\x00", "a\r\nb", strings.Repeat("a", 64), strings.Repeat("a.", 127) + "ab"} {
		if ValidHostName([]byte(n)) {
			t.Errorf("%q accepted", n)
		}
	}
}

func FuzzValidHostName(f *testing.F) {
	for _, s := range []string{"a.example", "a..b", "x.", strings.Repeat("a.", 127) + "a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ValidHostName(b) && (len(b) > MaxHostName+1 || strings.ContainsAny(string(b), " \r\n\x00/[]:")) {
			t.Fatalf("accepted %q", b)
		}
	})
}

func BenchmarkValidHostName(b *testing.B) {
	name := []byte("ftp.mirror-01.example.org")
	b.ReportAllocs()
	for b.Loop() {
		if !ValidHostName(name) {
			b.Fatal("refused")
		}
	}
}
