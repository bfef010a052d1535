// parse_test.go: NextLine, Parse, StripTelnet and ParseType, including hostile input.

package proto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNextLine(t *testing.T) {
	long := strings.Repeat("A", MaxLine-2)
	tests := []struct {
		in   string
		line string
		n    int
		err  error
	}{
		{"", "", 0, nil},
		{"NOOP", "", 0, nil},
		{"NOOP\r", "", 0, nil},
		{"NOOP\r\n", "NOOP", 6, nil},
		{"NOOP\n", "NOOP", 5, nil}, // bare LF, as some clients send
		{"NOOP\r\nPWD\r\n", "NOOP", 6, nil},
		{"\r\n", "", 2, nil},
		{"\n", "", 1, nil},
		{"A\r\r\n", "A\r", 4, nil},   // only one CR belongs to the terminator
		{"A\rB\r\n", "A\rB", 5, nil}, // an inner CR is data
		{"RETR a\x00b\xff\xfe\r\n", "RETR a\x00b\xff\xfe", 12, nil},
		{long + "\r\n", long, MaxLine, nil},          // exactly MaxLine with its CRLF
		{long + "A\n", long + "A", MaxLine, nil},     // exactly MaxLine with a bare LF
		{long + "AB\n", "", 0, ErrLineTooLong},       // LF is byte MaxLine+1
		{long + "A\r\n", "", 0, ErrLineTooLong},      // CR LF straddle the limit
		{strings.Repeat("x", MaxLine-1), "", 0, nil}, // may still complete
		{strings.Repeat("x", MaxLine), "", 0, ErrLineTooLong},
		{strings.Repeat("x", 100<<10), "", 0, ErrLineTooLong}, // 100 KiB, no LF
	}
	for _, tt := range tests {
		line, n, err := NextLine([]byte(tt.in))
		if string(line) != tt.line || n != tt.n || !errors.Is(err, tt.err) {
			name := tt.in
			if len(name) > 20 {
				name = name[:20] + "..."
			}
			t.Errorf("NextLine(%q) = %q, %d, %v; want %q, %d, %v", name, line, n, err, tt.line, tt.n, tt.err)
		}
	}
}

func TestNextLineAliases(t *testing.T) {
	buf := []byte("USER bob\r\n")
	line, _, _ := NextLine(buf)
	if &line[0] != &buf[0] {
		t.Fatal("NextLine copied the line; it must alias buf")
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		verb Verb
		name string
		arg  string
	}{
		{"RETR file.txt", RETR, "RETR", "file.txt"},
		{"retr file.txt", RETR, "retr", "file.txt"},
		{"RETR  two spaces ", RETR, "RETR", " two spaces "},
		{"RETR", RETR, "RETR", ""},
		{"RETR ", RETR, "RETR", ""},
		{"   NOOP", NOOP, "NOOP", ""},
		{"NOOP\r", Unknown, "NOOP\r", ""}, // a stray CR is data: not a verb
		{"XPWD", PWD, "XPWD", ""},
		{"CWD /a b/c", CWD, "CWD", "/a b/c"},
		{"STOR a\x00b", STOR, "STOR", "a\x00b"},
		{"STOR \xff\xfe\xc3\x28", STOR, "STOR", "\x28"},     // IAC DONT takes the next byte along
		{"STOR \xc3\x28\x80", STOR, "STOR", "\xc3\x28\x80"}, // invalid UTF-8 untouched
		{"", Unknown, "", ""},
		{"    ", Unknown, "", ""},
		{"XYZ", Unknown, "XYZ", ""},
		{"XYZZY arg", Unknown, "XYZZY", "arg"},
		{"RET1 x", Unknown, "RET1", "x"},
		{"R\x00TR x", Unknown, "R\x00TR", "x"},
		{strings.Repeat("Q", 40) + " x", Unknown, strings.Repeat("Q", MaxEchoName), "x"},
		{"\xff\xf4\xff\xf2ABOR", ABOR, "ABOR", ""},  // IAC IP IAC DM, as clients send before ABOR
		{"\xff\xf4\xf2ABOR", ABOR, "ABOR", ""},      // tnftp/BSD ftp: the IAC before DM went out-of-band
		{"\xff\xf4\xf2STAT", STAT, "STAT", ""},      // the same Synch before STAT
		{"\xff\xf4\xf2 QUIT", QUIT, "QUIT", ""},     // an orphaned DM, then a space
		{"\xf2ABOR", Unknown, "\xf2ABOR", ""},       // no IAC in the line: the byte is data
		{"\xff\xf4\xf2\xf4", Unknown, "", ""},       // nothing but Telnet bytes
		{"\xff\xfb\x01USER a", USER, "USER", "a"},   // IAC WILL ECHO
		{"RNFR a\xff\xffb", RNFR, "RNFR", "a\xffb"}, // IAC IAC is one 0xff byte
		{"RE\xff\xfdxTR x", RETR, "RETR", "x"},      // IAC DO x inside the name
		{"NOOP \xff", NOOP, "NOOP", ""},             // lone IAC at the end
		{"NOOP \xff\xfc", NOOP, "NOOP", ""},         // truncated IAC WONT
	}
	for _, tt := range tests {
		line := []byte(tt.in)
		c := Parse(line)
		if c.Verb != tt.verb || string(c.Name) != tt.name || string(c.Arg) != tt.arg {
			t.Errorf("Parse(%q) = {%v %q %q}, want {%v %q %q}", tt.in, c.Verb, c.Name, c.Arg, tt.verb, tt.name, tt.arg)
		}
		if len(c.Arg) > 0 && !within(line, c.Arg) {
			t.Errorf("Parse(%q): Arg does not alias the line", tt.in)
		}
	}
}

// within reports whether sub lies inside the backing array of line.
func within(line, sub []byte) bool {
	full := line[:cap(line)]
	for i := range full {
		if &full[i] == &sub[0] {
			return true
		}
	}
	return false
}

func TestStripTelnet(t *testing.T) {
	tests := []struct{ in, out string }{
		{"", ""},
		{"plain", "plain"},
		{"\xff", ""},
		{"\xff\xff", "\xff"},
		{"\xff\xff\xff\xff", "\xff\xff"},
		{"\xff\xff\xff", "\xff"},
		{"a\xff\xf4b", "ab"},     // IAC IP
		{"a\xff\xf2b", "ab"},     // IAC DM
		{"a\xff\xfb\x01b", "ab"}, // IAC WILL x
		{"a\xff\xfc\x01b", "ab"}, // IAC WONT x
		{"a\xff\xfd\xffb", "ab"}, // IAC DO IAC: the option byte is consumed, even 0xff
		{"a\xff\xfe\x03b", "ab"}, // IAC DONT x
		{"a\xff\xfe", "a"},       // truncated
		{"\xff\xf4\xff\xf2ABOR", "ABOR"},
		{"caf\xc3\xa9", "caf\xc3\xa9"}, // UTF-8 has no 0xff byte
	}
	for _, tt := range tests {
		if got := StripTelnet([]byte(tt.in)); string(got) != tt.out {
			t.Errorf("StripTelnet(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want byte
		err  error
	}{
		{"A", 'A', nil}, {"a", 'A', nil}, {"A N", 'A', nil}, {"a n", 'A', nil}, {"AN", 'A', nil},
		{" A ", 'A', nil}, {"I", 'I', nil}, {"i", 'I', nil}, {"L 8", 'I', nil}, {"l 8", 'I', nil},
		{"L8", 'I', nil}, {"L 08", 'I', nil},
		{"E", 0, ErrUnsupported}, {"E N", 0, ErrUnsupported}, {"A T", 0, ErrUnsupported},
		{"A C", 0, ErrUnsupported}, {"L 7", 0, ErrUnsupported}, {"L 36", 0, ErrUnsupported},
		{"", 0, ErrSyntax}, {"   ", 0, ErrSyntax}, {"X", 0, ErrSyntax}, {"A X", 0, ErrSyntax},
		{"A NN", 0, ErrSyntax}, {"I N", 0, ErrSyntax}, {"L", 0, ErrSyntax}, {"L 0", 0, ErrSyntax},
		{"L x", 0, ErrSyntax}, {"L 256", 0, ErrSyntax}, {"L 99999999999999999999999", 0, ErrSyntax},
		{"\x00", 0, ErrSyntax}, {"AB", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseType([]byte(tt.in))
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseType(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseDoesNotTouchOtherBytes(t *testing.T) {
	// Every byte value except IAC survives Parse unchanged in the argument.
	var arg []byte
	for c := 0; c < 256; c++ {
		if c != 0xff {
			arg = append(arg, byte(c))
		}
	}
	line := append([]byte("STOR "), arg...)
	c := Parse(line)
	if c.Verb != STOR || !bytes.Equal(c.Arg, arg) {
		t.Fatalf("Parse changed the argument: %q", c.Arg)
	}
}

// TestStripTelnetOutOfBandDM covers lftp's ABOR: IAC IP inline, then IAC DM sent as urgent
// data, which leaves "IAC IP IAC" followed directly by the command in the stream.
func TestStripTelnetOutOfBandDM(t *testing.T) {
	line := []byte("\xff\xf4\xffABOR")
	cmd := Parse(line)
	if cmd.Verb != ABOR {
		t.Fatalf("Parse(IAC IP IAC ABOR) = %v %q, want ABOR", cmd.Verb, cmd.Name)
	}
	if got := string(StripTelnet([]byte("\xff\xf4\xff\xf2ABOR"))); got != "ABOR" {
		t.Fatalf("StripTelnet(IAC IP IAC DM ABOR) = %q, want ABOR", got)
	}
}
