// TYPE A conversion tests: fixed cases, every split point, and the reference converters.
package sendfile

import (
	"bytes"
	"testing"
)

var asciiCases = []struct{ local, wire, name string }{
	{"", "", "empty"},
	{"a", "a", "no newline"},
	{"a\nb\n", "a\r\nb\r\n", "two lines"},
	{"\n\n\n", "\r\n\r\n\r\n", "empty lines"},
	{"a\rb", "a\rb", "lone CR"},
	{"\r", "\r", "only CR"},
	{"x\r", "x\r", "CR at end"},
	{"\r\r", "\r\r", "two CRs"},
	{"\n", "\r\n", "only LF"},
	{"a\r\n", "a\r\n", "LF after CR is kept on send"},
}

func TestAppendCRLFCases(t *testing.T) {
	for _, c := range asciiCases {
		if got, _ := appendCRLF(nil, []byte(c.local), false); string(got) != c.wire {
			t.Errorf("%s: appendCRLF(%q) = %q, want %q", c.name, c.local, got, c.wire)
		}
		if got := refCRLF([]byte(c.local)); string(got) != c.wire {
			t.Errorf("%s: reference refCRLF(%q) = %q, want %q", c.name, c.local, got, c.wire)
		}
	}
	// A CR already before the LF is kept as is, also when it ends the previous chunk.
	if got, _ := appendCRLF(nil, []byte("\r\n"), false); string(got) != "\r\n" {
		t.Errorf("CRLF became %q", got)
	}
	if got, _ := appendCRLF(nil, []byte("\n"), true); string(got) != "\n" {
		t.Errorf("LF after a CR that ended the previous chunk became %q", got)
	}
}

func TestAppendLFCases(t *testing.T) {
	cases := []struct{ wire, local string }{
		{"", ""}, {"a", "a"}, {"a\r\nb\r\n", "a\nb\n"}, {"\r\n\r\n", "\n\n"},
		{"a\rb", "a\rb"}, {"\r", "\r"}, {"x\r", "x\r"}, {"\r\r\n", "\r\n"},
		{"a\n", "a\n"}, {"\r\r", "\r\r"},
	}
	for _, c := range cases {
		got, pending := appendLF(nil, []byte(c.wire), false)
		if pending {
			got = append(got, '\r') // what Recv does at EOF
		}
		if string(got) != c.local {
			t.Errorf("appendLF(%q) = %q, want %q", c.wire, got, c.local)
		}
		if got := refLF([]byte(c.wire)); string(got) != c.local {
			t.Errorf("reference refLF(%q) = %q, want %q", c.wire, got, c.local)
		}
	}
}

// TestASCIIEverySplit feeds inputs in two and three pieces cut at every position: the
// result must equal converting the whole input at once, and the reference.
func TestASCIIEverySplit(t *testing.T) {
	inputs := []string{"a\r\nb\nc\r\rd\r\n\r\n\n\re\r", "\r\n\r\n", "\n\r\n\r", "abc\r"}
	for _, in := range inputs {
		b := []byte(in)
		wantWire, wantLocal := refCRLF(b), refLF(b)
		for i := 0; i <= len(b); i++ {
			for j := i; j <= len(b); j++ {
				pieces := [][]byte{b[:i], b[i:j], b[j:]}
				var wire, local []byte
				prevCR, pendingCR := false, false
				for _, p := range pieces {
					wire, prevCR = appendCRLF(wire, p, prevCR)
					local, pendingCR = appendLF(local, p, pendingCR)
				}
				if pendingCR {
					local = append(local, '\r')
				}
				if !bytes.Equal(wire, wantWire) {
					t.Fatalf("CRLF of %q split at %d,%d = %q, want %q", in, i, j, wire, wantWire)
				}
				if !bytes.Equal(local, wantLocal) {
					t.Fatalf("LF of %q split at %d,%d = %q, want %q", in, i, j, local, wantLocal)
				}
			}
		}
	}
}

// TestASCIIChunkedRandom compares chunked conversion of large random text with the
// reference converters for several chunk sizes.
func TestASCIIChunkedRandom(t *testing.T) {
	in := textBytes(100_000, 5)
	for _, chunk := range []int{1, 2, 3, 7, 4096} {
		var wire, local []byte
		prevCR, pendingCR := false, false
		for off := 0; off < len(in); off += chunk {
			p := in[off:min(off+chunk, len(in))]
			wire, prevCR = appendCRLF(wire, p, prevCR)
			local, pendingCR = appendLF(local, p, pendingCR)
		}
		if pendingCR {
			local = append(local, '\r')
		}
		if !bytes.Equal(wire, refCRLF(in)) || !bytes.Equal(local, refLF(in)) {
			t.Fatalf("chunk %d: chunked conversion differs from the reference", chunk)
		}
	}
}

// TestASCIIOverSockets runs Send and Recv in ASCII mode with chunk sizes that put CRLF pairs
// across chunk boundaries, checking the exact bytes on each side.
func TestASCIIOverSockets(t *testing.T) {
	in := []byte("line1\nline2\r\n\n\r\nlone\rcr\n\rend\r")
	for _, chunk := range []int{1, 2, 3, 5, 64} {
		o := &Options{ASCII: true, Chunk: chunk}
		n, got, err := runSend(t, in, o)
		want := refCRLF(in)
		if err != nil || n != int64(len(want)) || got.hash != sha256Of(want) {
			t.Fatalf("Send chunk %d: n=%d err=%v, want %q", chunk, n, err, want)
		}
		n, file, err := runRecv(t, in, o, 0)
		if err != nil || !bytes.Equal(file, refLF(in)) || n != int64(len(file)) {
			t.Fatalf("Recv chunk %d: n=%d err=%v got %q want %q", chunk, n, err, file, refLF(in))
		}
	}
}
