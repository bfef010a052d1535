package proxyhdr

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

// send writes hdr then tail on one end of a pipe and returns the other end.
func send(t *testing.T, hdr []byte, tail string) net.Conn {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	go func() {
		_, _ = a.Write(append(append([]byte(nil), hdr...), tail...))
	}()
	return b
}

func format(t *testing.T, version byte, src, dst string) []byte {
	t.Helper()
	s, _ := net.ResolveTCPAddr("tcp", src)
	d, _ := net.ResolveTCPAddr("tcp", dst)
	b, err := proxyproto.HeaderProxyFromAddrs(version, s, d).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReadExact: v1 and v2 headers give the client's address, and the bytes after the
// header are still on the connection (nothing buffered away from gnet or sendfile).
func TestReadExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []byte
		want string
	}{
		{"v1 tcp4", format(t, 1, "192.0.2.10:40000", "198.51.100.1:21"), "192.0.2.10:40000"},
		{"v2 tcp4", format(t, 2, "192.0.2.11:40001", "198.51.100.1:21"), "192.0.2.11:40001"},
		{"v1 tcp6", format(t, 1, "[2001:db8::7]:5000", "[2001:db8::1]:21"), "[2001:db8::7]:5000"},
		{"v2 tcp6", format(t, 2, "[2001:db8::8]:5001", "[2001:db8::1]:21"), "[2001:db8::8]:5001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := send(t, tc.hdr, "USER x\r\n")
			src, ok, err := Read(c, time.Second)
			if err != nil || !ok || src != netip.MustParseAddrPort(tc.want) {
				t.Fatalf("Read = %v %v %v, want %s", src, ok, err, tc.want)
			}
			rest := make([]byte, 8)
			if _, err := io.ReadFull(c, rest); err != nil || string(rest) != "USER x\r\n" {
				t.Fatalf("after the header: %q %v", rest, err)
			}
		})
	}
}

// TestReadLocal: HAProxy's health checks send v2 LOCAL (or v1 UNKNOWN): no client address.
func TestReadLocal(t *testing.T) {
	local := []byte("\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00")
	for name, hdr := range map[string][]byte{"v2 local": local, "v1 unknown": []byte("PROXY UNKNOWN\r\n")} {
		c := send(t, hdr, "")
		if src, ok, err := Read(c, time.Second); err != nil || ok {
			t.Errorf("%s: Read = %v %v %v, want no address and no error", name, src, ok, err)
		}
	}
}

func TestReadRefuses(t *testing.T) {
	for name, hdr := range map[string]string{
		"ftp command":   "USER anonymous\r\n",
		"v1 too long":   "PROXY TCP4 " + strings.Repeat("1", 120) + "\r\n",
		"v1 garbage":    "PROXY TCP4 nonsense here\r\n",
		"v2 too long":   "\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff",
		"closed early":  "PROXY TCP4 1.2.3.4",
		"v2 bad family": "\r\n\r\n\x00\r\nQUIT\n\x21\x99\x00\x00",
	} {
		a, b := net.Pipe()
		go func() { _, _ = a.Write([]byte(hdr)); a.Close() }()
		if src, ok, err := Read(b, time.Second); err == nil {
			t.Errorf("%s: Read = %v %v, want an error", name, src, ok)
		}
		b.Close()
	}
}

// TestReadTimeout: a trusted peer that sends nothing is given up on after the timeout.
func TestReadTimeout(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	start := time.Now()
	_, _, err := Read(b, 100*time.Millisecond)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("Read = %v after %v, want a timeout error", err, time.Since(start))
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err %v is not a timeout", err)
	}
}

func TestTrust(t *testing.T) {
	tr, err := ParseTrust([]string{"10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "::ffff:203.0.113.0/120"})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"10.1.2.3": true, "11.0.0.1": false, "192.0.2.7": true, "192.0.2.8": false,
		"::ffff:10.9.9.9": true, "2001:db8::5": true, "2001:db9::5": false, "203.0.113.9": true,
	} {
		if got := tr.Trusted(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Trusted(%s) = %v, want %v", ip, got, want)
		}
	}
	if _, err := ParseTrust([]string{"10.0.0.0/33"}); err == nil {
		t.Error("10.0.0.0/33 accepted")
	}
	if _, err := ParseTrust([]string{"example.com"}); err == nil {
		t.Error("a host name accepted")
	}
	var none *Trust
	if !none.Empty() || none.Trusted(netip.MustParseAddr("10.0.0.1")) {
		t.Error("nil Trust trusts")
	}
}

func TestLooks(t *testing.T) {
	if !Looks([]byte("PROXY TCP4 ")) || !Looks(sigV2) || Looks([]byte("USER x\r\n")) || Looks([]byte("\r\nUSER")) {
		t.Error("Looks misjudges")
	}
}
