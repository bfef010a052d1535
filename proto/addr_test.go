// addr_test.go: PORT, EPRT, EPSV parsing and PASV/EPSV/PORT/EPRT encoding.

package proto

import (
	"errors"
	"net/netip"
	"testing"
)

func TestParsePORT(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"127,0,0,1,4,1", "127.0.0.1:1025", nil},
		{"192,168,1,2,255,255", "192.168.1.2:65535", nil},
		{" 10 , 0 ,0, 1 ,0, 21 ", "10.0.0.1:21", nil},
		{"010,000,000,001,000,021", "10.0.0.1:21", nil}, // decimal, never octal
		{"0,0,0,0,0,1", "0.0.0.0:1", nil},
		{"", "", ErrSyntax},
		{"127,0,0,1,4", "", ErrSyntax},      // too few fields
		{"127,0,0,1,4,1,7", "", ErrSyntax},  // too many fields
		{"127,0,0,1,4,1,", "", ErrSyntax},   // trailing comma
		{"256,0,0,1,4,1", "", ErrSyntax},    // 256
		{"127,0,0,1,256,1", "", ErrSyntax},  // port byte 256
		{"127,0,0,1,4,1000", "", ErrSyntax}, // port byte 1000
		{"-1,0,0,1,4,1", "", ErrSyntax},     // negative
		{"127,0,0,1,-4,1", "", ErrSyntax},   // negative
		{"127,0,0,1,+4,1", "", ErrSyntax},   // sign
		{"127,0,0,1,0,0", "", ErrSyntax},    // port 0
		{"127,,0,1,4,1", "", ErrSyntax},     // empty field
		{"127,0,0,1,4,1x", "", ErrSyntax},   // junk
		{"127.0.0.1,4,1", "", ErrSyntax},    // dots
		{"1 2,0,0,1,4,1", "", ErrSyntax},    // space inside a number
		{"99999999999999999999999,0,0,1,4,1", "", ErrSyntax},
		{"127,0,0,1,4,1\x00", "", ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParsePORT([]byte(tt.in))
		if !errors.Is(err, tt.err) || (err == nil && got.String() != tt.want) {
			t.Errorf("ParsePORT(%q) = %v, %v; want %s, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseEPRT(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"|1|132.235.1.2|6275|", "132.235.1.2:6275", nil},
		{"|2|1080::8:800:200C:417A|5282|", "[1080::8:800:200c:417a]:5282", nil},
		{"|2|::1|65535|", "[::1]:65535", nil},
		{"|2|::ffff:1.2.3.4|21|", "[::ffff:1.2.3.4]:21", nil},
		{"!1!10.0.0.1!1!", "10.0.0.1:1", nil},
		{"~2~fe80::1~80~", "[fe80::1]:80", nil},
		{"  |1|127.0.0.1|1025|  ", "127.0.0.1:1025", nil},
		{"|3|1.2.3.4|21|", "", ErrUnsupported},
		{"|0|1.2.3.4|21|", "", ErrUnsupported},
		{"|2|fe80::1%eth0|80|", "", ErrSyntax}, // zones cannot be used by a server
		{"|2|fe80::1%25eth0|80|", "", ErrSyntax},
		{"|1|::1|21|", "", ErrSyntax},        // IPv6 address under proto 1
		{"|2|1.2.3.4|21|", "", ErrSyntax},    // IPv4 address under proto 2
		{"|1|1.2.3.4|0|", "", ErrSyntax},     // port 0
		{"|1|1.2.3.4|65536|", "", ErrSyntax}, // port out of range
		{"|1|1.2.3.4|-1|", "", ErrSyntax},
		{"|1|1.2.3.256|21|", "", ErrSyntax},
		{"|1|01.2.3.4|21|", "", ErrSyntax}, // leading zero
		{"|1|1.2.3|21|", "", ErrSyntax},
		{"|1|1.2.3.4|21", "", ErrSyntax},   // no final delimiter
		{"|1|1.2.3.4!21!", "", ErrSyntax},  // mixed delimiters
		{"|1|1.2.3.4|21||", "", ErrSyntax}, // extra field
		{"|1||21|", "", ErrSyntax},         // empty address
		{"||1.2.3.4|21|", "", ErrSyntax},   // empty proto
		{"|x|1.2.3.4|21|", "", ErrSyntax},
		{" 1 1.2.3.4 21 ", "", ErrSyntax}, // space is not a delimiter
		{"\x001\x001.2.3.4\x0021\x00", "", ErrSyntax},
		{"\x7f1\x7f1.2.3.4\x7f21\x7f", "", ErrSyntax},
		{"", "", ErrSyntax},
		{"|", "", ErrSyntax},
		{"||||", "", ErrSyntax},
		{"|2|:::1|21|", "", ErrSyntax},
		{"|2|1::2::3|21|", "", ErrSyntax},
		{"|2|12345::1|21|", "", ErrSyntax},
		{"|2|1:2:3:4:5:6:7:8:9|21|", "", ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseEPRT([]byte(tt.in))
		if !errors.Is(err, tt.err) || (err == nil && got.String() != tt.want) {
			t.Errorf("ParseEPRT(%q) = %v, %v; want %s, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestParseIPv6MatchesNetip compares the allocation-free IPv6 parser with netip.
func TestParseIPv6MatchesNetip(t *testing.T) {
	for _, s := range []string{
		"::", "::1", "1::", "1::2", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"1:2:3:4:5:6::8", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "fe80::1:2", "FFFF::ffff",
		"::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
		"1:2:3:4:5::1.2.3.4", "::ffff:1.2.3", "::ffff:01.2.3.4", "0000:0000::00000", ":", ":::",
		"1:", ":1", "1::2:", "1:::2", "g::1", "1.2.3.4", "", "1:2:3:4:5:6:7", "::1.2.3.4:5",
		"a:b:c:d:e:f:1.2.3.4", "1::2::3", "00001::", "1::ffff:255.255.255.255", "::256.1.1.1",
	} {
		want, werr := netip.ParseAddr(s)
		got, ok := parseIPv6([]byte(s))
		wantOK := werr == nil && want.Is6()
		if ok != wantOK || (ok && netip.AddrFrom16(got) != want) {
			t.Errorf("parseIPv6(%q) = %v, %v; netip says %v, %v", s, netip.AddrFrom16(got), ok, want, werr)
		}
	}
}

func TestParseEPSV(t *testing.T) {
	tests := []struct {
		in    string
		all   bool
		proto int
		err   error
	}{
		{"", false, 0, nil}, {"  ", false, 0, nil}, {"ALL", true, 0, nil}, {"all", true, 0, nil},
		{"aLl", true, 0, nil}, {"1", false, 1, nil}, {"2", false, 2, nil}, {" 2 ", false, 2, nil},
		{"3", false, 0, ErrUnsupported}, {"0", false, 0, ErrUnsupported},
		{"99999999999", false, 0, ErrSyntax}, {"-1", false, 0, ErrSyntax}, {"ALLX", false, 0, ErrSyntax},
		{"A", false, 0, ErrSyntax}, {"1 2", false, 0, ErrSyntax}, {"\x00", false, 0, ErrSyntax},
	}
	for _, tt := range tests {
		all, proto, err := ParseEPSV([]byte(tt.in))
		if all != tt.all || proto != tt.proto || !errors.Is(err, tt.err) {
			t.Errorf("ParseEPSV(%q) = %v, %d, %v; want %v, %d, %v", tt.in, all, proto, err, tt.all, tt.proto, tt.err)
		}
	}
}

func TestAddrEncoders(t *testing.T) {
	v4 := netip.MustParseAddr("192.168.1.20")
	tests := []struct{ got, want string }{
		{string(AppendPASVReply(nil, v4, 50000)), "227 Entering Passive Mode (192,168,1,20,195,80).\r\n"},
		{string(AppendPASVReply(nil, netip.MustParseAddr("::ffff:10.0.0.1"), 1)), "227 Entering Passive Mode (10,0,0,1,0,1).\r\n"},
		{string(AppendPASVReply(nil, netip.MustParseAddr("::1"), 21)), "227 Entering Passive Mode (0,0,0,0,0,21).\r\n"},
		{string(AppendEPSVReply(nil, 50000)), "229 Entering Extended Passive Mode (|||50000|).\r\n"},
		{string(AppendEPSVReply(nil, 0)), "229 Entering Extended Passive Mode (|||0|).\r\n"},
		{string(AppendPORTArg(nil, netip.AddrPortFrom(v4, 65535))), "192,168,1,20,255,255"},
		{string(AppendEPRTArg(nil, netip.AddrPortFrom(v4, 21))), "|1|192.168.1.20|21|"},
		{string(AppendEPRTArg(nil, netip.MustParseAddrPort("[::1]:2121"))), "|2|::1|2121|"},
		{string(AppendEPRTArg(nil, netip.MustParseAddrPort("[fe80::1%eth0]:80"))), "|2|fe80::1|80|"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestAddrRoundTrip(t *testing.T) {
	for _, s := range []string{"127.0.0.1:1", "10.20.30.40:65535", "0.0.0.0:256", "[::1]:21", "[2001:db8::8:800:200c:417a]:5282", "[::ffff:1.2.3.4]:99"} {
		ap := netip.MustParseAddrPort(s)
		got, err := ParseEPRT(AppendEPRTArg(nil, ap))
		if err != nil || got != ap {
			t.Errorf("EPRT round trip of %s: %v, %v", s, got, err)
		}
		if !ap.Addr().Is4() {
			continue
		}
		got, err = ParsePORT(AppendPORTArg(nil, ap))
		if err != nil || got != ap {
			t.Errorf("PORT round trip of %s: %v, %v", s, got, err)
		}
	}
}
