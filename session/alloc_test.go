//go:build !race

package session

import "testing"

// TestInlineCommandsAllocateNothing is the allocation gate for the commands answered on
// the event loop: parsing, dispatch and reply encoding must not allocate.
func TestInlineCommandsAllocateNothing(t *testing.T) {
	s, ft := newTestSession(t)
	feed(s, ft, "USER bob\r\nPASS secret\r\n")
	for _, line := range []string{"NOOP\r\n", "TYPE I\r\n", "TYPE A\r\n", "PWD\r\n", "SYST\r\n",
		"MODE S\r\n", "STRU F\r\n", "FEAT\r\n", "USER bob\r\n", "XYZZY\r\n"} {
		src := []byte(line)
		buf := make([]byte, len(src))
		n := testing.AllocsPerRun(200, func() {
			copy(buf, src)
			ft.out = ft.out[:0]
			s.Feed(buf)
		})
		if n != 0 {
			t.Errorf("%q: %v allocs per command, want 0", line, n)
		}
	}
	// USER before login is inline too.
	s2, ft2 := newTestSession(t)
	buf := []byte("USER anonymous\r\n")
	if n := testing.AllocsPerRun(200, func() { ft2.out = ft2.out[:0]; s2.Feed(buf) }); n != 0 {
		t.Errorf("USER: %v allocs, want 0", n)
	}
}

func BenchmarkInlineNOOP(b *testing.B) {
	s, ft := newTestSession(b)
	buf := []byte("NOOP\r\n")
	b.ReportAllocs()
	for b.Loop() {
		ft.out = ft.out[:0]
		s.Feed(buf)
	}
}
