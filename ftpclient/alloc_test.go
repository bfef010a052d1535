//go:build !race

// Allocation gate: reply parsing, address codecs and generated content allocate nothing.
package ftpclient

import (
	"bufio"
	"bytes"
	"net/netip"
	"testing"
)

func TestZeroAllocs(t *testing.T) {
	multi := []byte("211-Features:\r\n EPSV\r\n MDTM\r\n211 End\r\n")
	pasv := []byte("227 Entering Passive Mode (127,0,0,1,78,40).\r\n")
	br := bytes.NewReader(nil)
	r := bufio.NewReaderSize(br, controlBufSize)
	var rr ReplyReader
	dst := make([]byte, 0, 64)
	ap := netip.MustParseAddrPort("127.0.0.1:20008")
	cases := map[string]func(){
		"ScanReply": func() { ScanReply(multi) },
		"ReplyReader": func() {
			br.Reset(pasv)
			r.Reset(br)
			_, text, _ := rr.Read(r)
			ParsePASV(text)
		},
		"ReadAppend": func() {
			br.Reset(multi)
			r.Reset(br)
			rr.ReadAppend(r, dst[:0])
		},
		"ParseEPSV":   func() { ParseEPSV([]byte("Entering Extended Passive Mode (|||6446|)")) },
		"AppendPORT":  func() { AppendPORT(dst[:0], ap) },
		"AppendEPRT":  func() { AppendEPRT(dst[:0], ap) },
		"FillContent": func() { FillContent(dst[:64], 7, 3) },
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(200, fn); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, n)
		}
	}
}
