// Reply parser and address codec tests: table cases, every split point, long lines.
package ftpclient

import (
	"bufio"
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"
)

var replyCases = []struct {
	in   string
	code int
	n    int // bytes of the first reply; 0 = incomplete
	text string
	err  error
}{
	{"220 ready\r\n", 220, 11, "ready", nil},
	{"200\r\n", 200, 5, "", nil},
	{"230 ok\n", 230, 7, "ok", nil},
	{"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n", 211, 38, "End", nil},
	{"211-a\r\n211-b\r\n 211 not the end\r\n211 end\r\nXYZ", 211, 41, "end", nil},
	{"150-x\r\n226 other code inside\r\n150 done\r\n", 150, 40, "done", nil},
	{"220 partial", 0, 0, "", nil},
	{"211-open\r\n body\r\n", 0, 0, "", nil},
	{"hello\r\n", 0, 0, "", ErrMalformedReply},
	{"22x ok\r\n", 0, 0, "", ErrMalformedReply},
	{"220_x\r\n", 0, 0, "", ErrMalformedReply},
	{"\r\n", 0, 0, "", ErrMalformedReply},
}

func TestScanReply(t *testing.T) {
	for _, c := range replyCases {
		code, n, text, err := ScanReply([]byte(c.in))
		if code != c.code || n != c.n || string(text) != c.text || !errors.Is(err, c.err) {
			t.Errorf("ScanReply(%q) = %d %d %q %v, want %d %d %q %v", c.in, code, n, text, err, c.code, c.n, c.text, c.err)
		}
	}
}

// TestReplyReaderSplit feeds complete replies one byte at a time and cut at every point.
func TestReplyReaderSplit(t *testing.T) {
	for _, c := range replyCases {
		if c.n == 0 {
			continue
		}
		in := c.in[:c.n]
		for cut := 0; cut <= len(in); cut++ {
			r := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(in[:cut]+in[cut:])), 16)
			var rr ReplyReader
			code, text, err := rr.Read(r)
			if err != nil || code != c.code || string(text) != c.text {
				t.Fatalf("read(%q) = %d %q %v", in, code, text, err)
			}
		}
	}
}

func TestReplyReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", 3000)
	in := "211-" + long + "\r\n" + long + "\r\n211 " + long + "\r\n227 Entering Passive Mode (127,0,0,1,4,1)\r\n"
	r := bufio.NewReaderSize(strings.NewReader(in), 64)
	var rr ReplyReader
	code, text, err := rr.Read(r)
	if err != nil || code != 211 || !strings.HasPrefix(string(text), "xxxx") {
		t.Fatalf("long reply: %d %q %v", code, text, err)
	}
	code, text, err = rr.Read(r)
	if err != nil || code != 227 {
		t.Fatalf("reply after long one: %d %q %v", code, text, err)
	}
	if ap, err := ParsePASV(text); err != nil || ap.Port() != 1025 {
		t.Fatalf("PASV %q: %v %v", text, ap, err)
	}
}

func TestPassiveCodecs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"Entering Passive Mode (127,0,0,1,78,40).", "127.0.0.1:20008"},
		{"Entering Passive Mode 10,1,2,3,255,255", "10.1.2.3:65535"},
		{"=192,168,0,1,0,21", "192.168.0.1:21"},
	} {
		ap, err := ParsePASV([]byte(c.in))
		if err != nil || ap.String() != c.want {
			t.Errorf("ParsePASV(%q) = %v %v, want %s", c.in, ap, err, c.want)
		}
	}
	for _, bad := range []string{"no numbers", "(1,2,3,4,5)", "(256,0,0,1,0,1)", "(1,2,3,4,5,x)"} {
		if _, err := ParsePASV([]byte(bad)); !errors.Is(err, ErrBadPassiveReply) {
			t.Errorf("ParsePASV(%q) err = %v", bad, err)
		}
	}
	if p, err := ParseEPSV([]byte("Entering Extended Passive Mode (|||6446|)")); err != nil || p != 6446 {
		t.Errorf("ParseEPSV = %d %v", p, err)
	}
	if p, err := ParseEPSV([]byte("ok (!!!21!)")); err != nil || p != 21 {
		t.Errorf("ParseEPSV other delimiter = %d %v", p, err)
	}
	for _, bad := range []string{"(|||0|)", "(||6446|)", "(|||70000|)", "(|||12", "nothing"} {
		if _, err := ParseEPSV([]byte(bad)); !errors.Is(err, ErrBadPassiveReply) {
			t.Errorf("ParseEPSV(%q) err = %v", bad, err)
		}
	}
	ap := netip.MustParseAddrPort("127.0.0.1:20008")
	if got := string(AppendPORT(nil, ap)); got != "127,0,0,1,78,40" {
		t.Errorf("AppendPORT = %q", got)
	}
	if got := string(AppendEPRT(nil, ap)); got != "|1|127.0.0.1|20008|" {
		t.Errorf("AppendEPRT v4 = %q", got)
	}
	if got := string(AppendEPRT(nil, netip.MustParseAddrPort("[::1]:21"))); got != "|2|::1|21|" {
		t.Errorf("AppendEPRT v6 = %q", got)
	}
}

func FuzzScanReply(f *testing.F) {
	for _, c := range replyCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte("227 Entering Passive Mode (127,0,0,1,78,40)\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		code, n, text, err := ScanReply(in)
		if err != nil || n == 0 {
			return
		}
		if n > len(in) || code < 100 || code > 699 || in[n-1] != '\n' {
			t.Fatalf("ScanReply(%q) = %d %d", in, code, n)
		}
		// The streaming reader must agree with the buffer scanner on complete replies.
		var rr ReplyReader
		r := bufio.NewReaderSize(bytes.NewReader(in[:n]), 4096)
		code2, text2, err2 := rr.Read(r)
		if len(in) < 4000 && (err2 != nil || code2 != code || !bytes.Equal(text, text2)) {
			t.Fatalf("reader(%q) = %d %q %v, scanner %d %q", in[:n], code2, text2, err2, code, text)
		}
		ParsePASV(text)
		ParseEPSV(text)
	})
}

func BenchmarkScanReply(b *testing.B) {
	in := []byte("211-Features:\r\n EPSV\r\n MDTM\r\n SIZE\r\n211 End\r\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		ScanReply(in)
	}
}

func BenchmarkReplyReader(b *testing.B) {
	in := []byte("227 Entering Passive Mode (127,0,0,1,78,40).\r\n")
	br := bytes.NewReader(in)
	r := bufio.NewReaderSize(br, controlBufSize)
	var rr ReplyReader
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		br.Reset(in)
		r.Reset(br)
		_, text, _ := rr.Read(r)
		ParsePASV(text)
	}
}

// BenchmarkReplyTextproto is the naive twin: net/textproto's reader allocates a string per reply.
func BenchmarkReplyTextproto(b *testing.B) {
	in := []byte("227 Entering Passive Mode (127,0,0,1,78,40).\r\n")
	br := bytes.NewReader(in)
	r := bufio.NewReaderSize(br, controlBufSize)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		br.Reset(in)
		r.Reset(br)
		tp := textprotoReader(r)
		tp.ReadResponse(227)
	}
}

// TestReadAppend: the whole reply, every line and line end, cut at every point and with
// lines longer than the buffer; the reply after it is untouched; a truncated reply returns
// what came and the error.
func TestReadAppend(t *testing.T) {
	long := strings.Repeat("y", 100)
	for _, c := range append(replyCases, struct {
		in   string
		code int
		n    int
		text string
		err  error
	}{"214-" + long + "\r\n" + long + "\r\n214 " + long + "\r\n", 214, 106 + 102 + 106, long, nil}) {
		if c.n == 0 {
			continue
		}
		in := c.in[:c.n]
		for cut := 0; cut <= len(in); cut++ {
			r := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(in[:cut]+in[cut:]+"200 next\r\n")), 16)
			var rr ReplyReader
			code, reply, err := rr.ReadAppend(r, nil)
			if err != nil || code != c.code || string(reply) != in {
				t.Fatalf("ReadAppend(%q) = %d %q %v", in, code, reply, err)
			}
			if code, text, err := rr.Read(r); err != nil || code != 200 || string(text) != "next" {
				t.Fatalf("after ReadAppend(%q): %d %q %v", in, code, text, err)
			}
		}
	}
	var rr ReplyReader
	code, reply, err := rr.ReadAppend(bufio.NewReader(strings.NewReader("211-a\r\n b\r\n")), []byte("kept:"))
	if err == nil || code != 0 || string(reply) != "kept:211-a\r\n b\r\n" {
		t.Fatalf("truncated reply: %d %q %v", code, reply, err)
	}
}
