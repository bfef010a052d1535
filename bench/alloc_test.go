//go:build !race

// Allocation gate: reply parsing, address codecs, histogram and per-second series
// recording allocate nothing.
package bench

import (
	"bufio"
	"bytes"
	"net/netip"
	"testing"
	"time"
)

func TestZeroAllocs(t *testing.T) {
	multi := []byte("211-Features:\r\n EPSV\r\n MDTM\r\n211 End\r\n")
	pasv := []byte("227 Entering Passive Mode (127,0,0,1,78,40).\r\n")
	br := bytes.NewReader(nil)
	r := bufio.NewReaderSize(br, controlBufSize)
	var rr replyReader
	var h Histogram
	dst := make([]byte, 0, 64)
	line := make([]byte, 0, 160)
	ap := netip.MustParseAddrPort("127.0.0.1:20008")
	t0 := time.Now()
	ls := newLiveSeries(t0, 10*time.Second) // histograms of the first seconds allocated ahead
	at := t0.Add(1500 * time.Millisecond)
	cases := map[string]func(){
		"ScanReply": func() { ScanReply(multi) },
		"replyReader": func() {
			br.Reset(pasv)
			r.Reset(br)
			_, text, _ := rr.read(r)
			ParsePASV(text)
		},
		"ParseEPSV":  func() { ParseEPSV([]byte("Entering Extended Passive Mode (|||6446|)")) },
		"AppendPORT": func() { AppendPORT(dst[:0], ap) },
		"AppendEPRT": func() { AppendEPRT(dst[:0], ap) },
		"Record":     func() { h.Record(1234567 * time.Nanosecond) },
		"SeriesRecord": func() {
			ls.record(at, 1234567*time.Nanosecond)
			ls.addBytes(at, 4096)
			ls.addError(at)
		},
		"FillContent": func() { FillContent(dst[:64], 7, 3) },
		"AppendProgress": func() {
			AppendProgress(line[:0], "login", "measure", time.Second, 1234, 5678.9, 12.5, 3)
		},
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(200, fn); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, n)
		}
	}
}
