// fuzz_test.go: fuzz targets for the parsers and the reply encoder.

package proto

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// Real client traffic, as sent by curl, lftp, Python's ftplib and the jlaffaye/ftp Go client.
var clientTraffic = []string{
	// curl -u anonymous: ftp://host/dir/file
	"USER anonymous\r\nPASS ftp@example.com\r\nPWD\r\nCWD dir\r\nEPSV\r\nTYPE I\r\nSIZE file\r\nRETR file\r\nQUIT\r\n",
	// curl -T upload, falls back from EPSV to PASV
	"USER u\r\nPASS p\r\nPWD\r\nEPSV\r\nPASV\r\nTYPE I\r\nSTOR up.bin\r\nQUIT\r\n",
	// lftp: feature probe, TLS, UTF-8, MLST options, mirror
	"FEAT\r\nAUTH TLS\r\nPBSZ 0\r\nPROT P\r\nOPTS UTF8 ON\r\nOPTS MLST type;size;modify;UNIX.mode;UNIX.owner;UNIX.group;\r\nUSER bob\r\nPASS secret\r\nPWD\r\nPASV\r\nMLSD\r\nREST 0\r\nRETR a b.txt\r\nMDTM a b.txt\r\n",
	// ftplib: ASCII listing, port mode, abort with the Telnet interrupt sequence
	"USER anonymous\r\nPASS anonymous@\r\nTYPE A\r\nPORT 127,0,0,1,200,13\r\nLIST\r\nNLST\r\nEPRT |2|::1|51234|\r\n\xff\xf4\xff\xf2ABOR\r\n",
	// jlaffaye/ftp: EPSV, MLSD, resume, MFMT, rename, bare-LF client
	"EPSV\nMLSD /pub\nREST 1048576\nRETR big.iso\nMFMT 20250102150405 f\nRNFR old\nRNTO new\nDELE x\nRMD d\nMKD d\nCDUP\nNOOP\nQUIT\n",
	// tnftp/BSD ftp abort as Linux delivers it: send("IAC IP IAC", MSG_OOB) loses the urgent
	// IAC, then "DM ABOR" arrives inline
	"USER u\r\nPASS p\r\nTYPE I\r\nPASV\r\nRETR big\r\n\xff\xf4\xf2ABOR\r\n",
	// hostile
	"RETR \x00\xc3\x28\xff\xff\r\n  \r\nXYZZY\r\n\xff\xfb",
}

func FuzzParse(f *testing.F) {
	for _, s := range clientTraffic {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		buf := bytes.Clone(data)
		for len(buf) > 0 {
			line, n, err := NextLine(buf)
			if err != nil {
				if err != ErrLineTooLong || len(buf) < MaxLine || bytes.IndexByte(buf[:MaxLine], '\n') >= 0 {
					t.Fatalf("NextLine error %v on %d bytes", err, len(buf))
				}
				return
			}
			if n == 0 {
				if bytes.IndexByte(buf, '\n') >= 0 {
					t.Fatalf("NextLine missed a line feed in %q", buf)
				}
				return
			}
			if n > MaxLine || n > len(buf) || buf[n-1] != '\n' || bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("NextLine returned n=%d line=%q for %q", n, line, buf)
			}
			orig := bytes.Clone(line)
			c := Parse(line)
			if len(c.Name) > MaxEchoName || bytes.IndexByte(c.Name, ' ') >= 0 {
				t.Fatalf("bad name %q", c.Name)
			}
			if c.Verb != Unknown && (len(c.Name) < 3 || len(c.Name) > 4 || Lookup(c.Name) != c.Verb) {
				t.Fatalf("verb %v for name %q", c.Verb, c.Name)
			}
			if len(c.Arg) > 0 && !within(line, c.Arg) || len(c.Name) > 0 && !within(line, c.Name) {
				t.Fatal("Name or Arg does not alias the line")
			}
			if bytes.IndexByte(orig, 0xff) < 0 { // without Telnet bytes nothing but spaces is lost
				rebuilt := string(bytes.TrimLeft(orig, " "))
				if len(c.Name) < MaxEchoName && rebuilt != string(c.Name) && rebuilt != string(c.Name)+" "+string(c.Arg) {
					t.Fatalf("%q parsed as %q + %q", orig, c.Name, c.Arg)
				}
			}
			buf = buf[n:]
		}
	})
}

func FuzzParsePORT(f *testing.F) {
	for _, s := range []string{"127,0,0,1,200,13", " 10 , 0 ,0, 1 ,0, 21 ", "256,0,0,1,1,1", "1,2,3,4,5", "-1,0,0,0,0,1", "1,2,3,4,5,6,7"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ap, err := ParsePORT(data)
		if err != nil {
			if err != ErrSyntax {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !ap.Addr().Is4() || ap.Port() == 0 {
			t.Fatalf("%q parsed as %v", data, ap)
		}
		back, err := ParsePORT(AppendPORTArg(nil, ap))
		if err != nil || back != ap {
			t.Fatalf("%q: round trip %v -> %v, %v", data, ap, back, err)
		}
	})
}

func FuzzParseEPRT(f *testing.F) {
	for _, s := range []string{"|1|132.235.1.2|6275|", "|2|1080::8:800:200C:417A|5282|", "|2|::ffff:1.2.3.4|21|",
		"!2!fe80::1%eth0!80!", "|3|x|1|", "|1|1.2.3.4|65536|", "::", "1:2:3:4:5:6:1.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Differential check of the IPv6 parser against the standard library.
		want, werr := netip.ParseAddr(string(data))
		got, ok := parseIPv6(data)
		if wantOK := werr == nil && want.Is6() && want.Zone() == ""; ok != wantOK || ok && netip.AddrFrom16(got) != want {
			t.Fatalf("parseIPv6(%q) = %v, %v; netip: %v, %v", data, netip.AddrFrom16(got), ok, want, werr)
		}
		v4, ok4 := parseIPv4(data)
		if wantOK := werr == nil && want.Is4(); ok4 != wantOK || ok4 && netip.AddrFrom4(v4) != want {
			t.Fatalf("parseIPv4(%q) = %v, %v; netip: %v, %v", data, v4, ok4, want, werr)
		}

		ap, err := ParseEPRT(data)
		if err != nil {
			if err != ErrSyntax && err != ErrUnsupported {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !ap.IsValid() || ap.Port() == 0 || ap.Addr().Zone() != "" {
			t.Fatalf("%q parsed as %v", data, ap)
		}
		back, err := ParseEPRT(AppendEPRTArg(nil, ap))
		if err != nil || back != ap {
			t.Fatalf("%q: round trip %v -> %v, %v", data, ap, back, err)
		}
	})
}

// FuzzAppendReply checks that no text, through any encoder, yields anything but exactly
// one line: a single CRLF, at the end, and no other LF.
func FuzzAppendReply(f *testing.F) {
	f.Add(200, "OK")
	f.Add(550, "a\r\n226 forged")
	f.Add(257, "/a \"b\"\r")
	f.Add(99, "\n\n\r\r")
	f.Add(-1000000, "\r")
	f.Fuzz(func(t *testing.T, code int, text string) {
		oneLine := func(what string, out []byte) {
			if bytes.Count(out, []byte("\n")) != 1 || !bytes.HasSuffix(out, []byte("\r\n")) {
				t.Fatalf("%s(%d, %q) = %q: not exactly one line", what, code, text, out)
			}
		}
		checkCode := func(what string, out []byte, sep byte) {
			got := int(out[0]-'0')*100 + int(out[1]-'0')*10 + int(out[2]-'0')
			want := code
			if code < 100 || code > 599 {
				want = 500
			}
			if got != want || out[3] != sep {
				t.Fatalf("%s(%d, %q) = %q: bad code", what, code, text, out)
			}
		}
		out := AppendReply(nil, code, text)
		oneLine("AppendReply", out)
		checkCode("AppendReply", out, ' ')
		out = AppendReplyBytes(nil, code, []byte(text))
		oneLine("AppendReplyBytes", out)
		checkCode("AppendReplyBytes", out, ' ')
		out = AppendReplyStart(nil, code, text)
		oneLine("AppendReplyStart", out)
		checkCode("AppendReplyStart", out, '-')
		out = AppendReplyCont(nil, []byte(text))
		oneLine("AppendReplyCont", out)
		if out[0] != ' ' {
			t.Fatalf("continuation %q lacks its leading space", out)
		}
		out = append(AppendQuotedPath([]byte("257 "), text), " created\r\n"...)
		oneLine("AppendQuotedPath", out)
		e := Entry{Name: text, Size: int64(code), Mode: 0o644, ModTime: time.Unix(int64(code), 0), Nlink: 1}
		oneLine("AppendListLine", AppendListLine(nil, &e, time.Unix(0, 0), time.UTC))
		oneLine("AppendNameLine", AppendNameLine(nil, text))
		oneLine("AppendMLSx", append(AppendMLSx(nil, &e, FactsAll, text, text), "\r\n"...))
	})
}
