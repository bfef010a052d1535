// FuzzFeed: the state machine fed arbitrary bytes through its test transport. Every reply
// must be well formed, nothing may panic or hang, and the output stays bounded.

package session

import (
	"bytes"
	"testing"
	"time"

	"github.com/fastftp/fastftp/reactor"
)

// Real client traffic to start from (curl, lftp, ftplib, tnftp), plus hostile lines.
var feedSeeds = []string{
	"USER bob\r\nPASS secret\r\nPWD\r\nTYPE I\r\nSIZE x\r\nMKD d\r\nCWD d\r\nCDUP\r\nRMD d\r\nQUIT\r\n",
	"FEAT\r\nOPTS UTF8 ON\r\nOPTS MLST type;size;\r\nUSER bob\r\nPASS secret\r\nMLST /\r\nSTAT /\r\nSYST\r\nHELP\r\nSITE HELP\r\n",
	"USER bob\r\nPASS secret\r\nRNFR a\r\nRNTO b\r\nDELE b\r\nMFMT 20250102150405 x\r\nMDTM x\r\nREST 100\r\nABOR\r\n",
	"USER bob\r\nPASS secret\r\nPASV\r\nEPSV\r\nEPSV ALL\r\nPORT 127,0,0,1,200,13\r\nEPRT |1|127.0.0.1|5000|\r\n",
	"USER bob\r\nPASS wrong\r\nUSER bob\r\nPASS secret\r\nREIN\r\nPWD\r\n",
	"\xff\xf4\xf2ABOR\r\nNOOP\n\x00\r\n  \r\nXYZZY\r\nRETR \x00\r\nCWD \xc3\x28\r\n",
	"HOST a.example\r\nHOST [::1]\r\nUSER bob\r\nHOST x\r\nPASS secret\r\nHOST x\r\nREIN\r\nHOST a..b\r\n",
	"USER bob\r\nPASS secret\r\nMODE Z\r\nOPTS MODE Z LEVEL 3\r\nOPTS MODE Z\r\nOPTS MODE Z LEVEL x\r\nOPTS MODE Z ENGINE y\r\nOPTS MODE\r\nTYPE A\r\nRETR f\r\nLIST\r\nMODE S\r\nREIN\r\n",
}

func FuzzFeed(f *testing.F) {
	for _, s := range feedSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A transfer without a client ends fast.
		s, ft := newTestSession(t, func(e *Env) { e.DataTimeout, e.ModeZ = 200*time.Millisecond, true })
		ft.out = ft.out[:0]
		buf := data
		var out []byte
		for steps := 0; steps < 10000; steps++ {
			n := s.Feed(buf)
			buf = buf[n:]
			out = append(out, ft.out...)
			ft.out = ft.out[:0]
			if s.conn.closing || (!s.current.busy && (len(buf) == 0 || n == 0)) {
				break
			}
			if s.current.busy {
				select {
				case fn := <-ft.posted:
					fn()
					out = append(out, ft.out...)
					ft.out = ft.out[:0]
				case <-time.After(5 * time.Second):
					t.Fatalf("session busy for 5 s on input %q", data)
				}
			}
		}
		// Bounded: replies never exceed a fixed multiple of the input plus the greeting
		// and the longest fixed replies (FEAT, HELP).
		if len(out) > 64*len(data)+16<<10 {
			t.Fatalf("%d bytes of replies for %d bytes of input", len(out), len(data))
		}
		checkReplies(t, data, out)
		if !s.conn.closing {
			s.Closed(reactor.ReasonClientClosed)
		}
	})
}

// checkReplies asserts that out is a sequence of well-formed replies: CRLF-terminated
// lines, each "ddd " or "ddd-" or, inside a multi-line reply, text without a line end.
func checkReplies(t *testing.T, in, out []byte) {
	t.Helper()
	multi := ""
	for len(out) > 0 {
		i := bytes.Index(out, []byte("\r\n"))
		if i < 0 {
			t.Fatalf("input %q: reply without CRLF at the end: %q", in, out)
		}
		line := out[:i]
		out = out[i+2:]
		if bytes.IndexByte(line, '\n') >= 0 || bytes.Contains(bytes.ReplaceAll(line, []byte("\r\x00"), nil), []byte("\r")) {
			t.Fatalf("input %q: a line end inside a reply line: %q", in, line)
		}
		isCode := len(line) >= 4 && isDigit(line[0]) && isDigit(line[1]) && isDigit(line[2]) && (line[3] == ' ' || line[3] == '-')
		switch {
		case multi != "" && isCode && string(line[:3]) == multi && line[3] == ' ':
			multi = ""
		case multi != "":
		case !isCode:
			t.Fatalf("input %q: reply line without a code: %q", in, line)
		case line[3] == '-':
			multi = string(line[:3])
		}
	}
	if multi != "" {
		t.Fatalf("input %q: multi-line reply %s never ended", in, multi)
	}
}
