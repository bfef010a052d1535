// Package proxyhdr reads the PROXY protocol header (v1 text or v2 binary) that a load
// balancer such as HAProxy sends ahead of a proxied connection, and decides which peers
// are trusted to send one.
//
// Parsing is github.com/pires/go-proxyproto's; this package only reads the header's bytes.
// It reads exactly the header and not one byte more, because the connection is handed on
// afterwards as a bare socket (to gnet, which duplicates the descriptor, or to sendfile on
// a data connection): bytes left in a user-space buffer would be lost. The library's
// Listener and Conn wrap the socket in a bufio.Reader, so they cannot be used here. Nor is
// its policy machinery: the rule is ours and simple (see Trust).
package proxyhdr

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/pires/go-proxyproto"
)

// DefaultTimeout bounds reading a header when the caller gives none.
const DefaultTimeout = 3 * time.Second

// maxV1 is the longest v1 header the specification allows, CRLF included.
const maxV1 = 107

// maxV2 bounds the v2 payload (addresses and TLVs) we accept. HAProxy's TLVs (ALPN,
// authority, unique id, SSL) stay far below it; the field itself allows 64 KiB, which
// would let a trusted but broken peer make us buffer that much per connection.
const maxV2 = 4096

var (
	sigV2 = []byte("\r\n\r\n\x00\r\nQUIT\n")
	sigV1 = []byte("PROXY ")
)

// Trust is the set of peers whose PROXY headers are believed. From them a header is
// required (a connection without one is refused); from anyone else a header is refused.
// The zero value trusts no one. Read-only after ParseTrust; safe from any goroutine.
type Trust struct {
	prefixes []netip.Prefix
}

// ParsePrefixes parses a list of CIDRs ("10.0.0.0/8") or single addresses ("192.0.2.7").
// IPv4-mapped forms are turned into IPv4 ones, as peers are compared unmapped.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR (e.g. 10.0.0.0/8)", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%q: a zone has no place in a trusted source", s)
		}
		if p.Addr().Is4In6() && p.Bits() < 96 {
			return nil, fmt.Errorf("%q: an IPv4-mapped prefix needs at least 96 bits", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseTrust is ParsePrefixes then NewTrust.
func ParseTrust(list []string) (*Trust, error) {
	p, err := ParsePrefixes(list)
	if err != nil {
		return nil, err
	}
	return NewTrust(p), nil
}

// NewTrust trusts the given prefixes (none: PROXY protocol off). ::ffff:10.0.0.0/104 is
// taken as 10.0.0.0/8, since peers are compared unmapped.
func NewTrust(prefixes []netip.Prefix) *Trust {
	t := &Trust{}
	for _, p := range prefixes {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		t.prefixes = append(t.prefixes, p.Masked())
	}
	return t
}

// Empty reports whether no one is trusted (PROXY protocol off). Nil-safe.
func (t *Trust) Empty() bool { return t == nil || len(t.prefixes) == 0 }

// Prefixes returns the trusted prefixes, for logs and tests.
func (t *Trust) Prefixes() []netip.Prefix {
	if t == nil {
		return nil
	}
	return t.prefixes
}

// Trusted reports whether ip may (and so must) send a PROXY header. Nil-safe; does not
// allocate.
func (t *Trust) Trusted(ip netip.Addr) bool {
	if t == nil {
		return false
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range t.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ErrNoHeader means a trusted peer's connection did not start with a PROXY header.
var ErrNoHeader = errors.New("no PROXY protocol header")

// Read reads the PROXY header at the start of c, within timeout (DefaultTimeout if 0),
// and returns the client's address it carries. ok is false for a header that carries no
// client (v2 LOCAL, v1 UNKNOWN, a non-TCP family: HAProxy's own health checks): the
// connection is then the balancer's own and its socket address is the one to use. It
// reads exactly the header's bytes and leaves c without a deadline.
func Read(c net.Conn, timeout time.Duration) (src netip.AddrPort, ok bool, err error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if err := c.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return src, false, err
	}
	defer c.SetReadDeadline(time.Time{})
	raw, err := readRaw(c)
	if err != nil {
		return src, false, err
	}
	h, err := proxyproto.Read(bufio.NewReaderSize(bytes.NewReader(raw), len(raw)))
	if err != nil {
		return src, false, fmt.Errorf("bad PROXY protocol header: %w", err)
	}
	if h.Command.IsLocal() || !h.TransportProtocol.IsStream() {
		return src, false, nil
	}
	a, _, okAddr := h.TCPAddrs()
	if !okAddr {
		return src, false, nil
	}
	return netip.AddrPortFrom(a.AddrPort().Addr().Unmap(), a.AddrPort().Port()), true, nil
}

// readRaw reads one header's bytes exactly. v2 says its length up front; v1 is a line of
// at most 107 bytes, read a byte at a time past its shortest form ("PROXY UNKNOWN\r\n",
// 15 bytes) since the line's end cannot be known without reading past it.
func readRaw(c net.Conn) ([]byte, error) {
	buf := make([]byte, 16, 64)
	if _, err := io.ReadFull(c, buf[:12]); err != nil {
		return nil, headerErr(err)
	}
	switch {
	case bytes.Equal(buf[:12], sigV2):
		if _, err := io.ReadFull(c, buf[12:16]); err != nil {
			return nil, headerErr(err)
		}
		n := int(binary.BigEndian.Uint16(buf[14:16]))
		if n > maxV2 {
			return nil, fmt.Errorf("PROXY v2 header of %d bytes is longer than %d", n, maxV2)
		}
		buf = append(buf, make([]byte, n)...)
		if _, err := io.ReadFull(c, buf[16:]); err != nil {
			return nil, headerErr(err)
		}
		return buf, nil
	case bytes.HasPrefix(buf[:12], sigV1):
		buf = buf[:15]
		if _, err := io.ReadFull(c, buf[12:15]); err != nil {
			return nil, headerErr(err)
		}
		var one [1]byte
		for !bytes.HasSuffix(buf, []byte("\r\n")) {
			if len(buf) >= maxV1 {
				return nil, fmt.Errorf("PROXY v1 header longer than %d bytes", maxV1)
			}
			if _, err := io.ReadFull(c, one[:]); err != nil {
				return nil, headerErr(err)
			}
			buf = append(buf, one[0])
		}
		return buf, nil
	}
	return nil, ErrNoHeader
}

func headerErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: connection closed before its end", ErrNoHeader)
	}
	return fmt.Errorf("reading PROXY protocol header: %w", err)
}

// Looks reports whether b starts like a PROXY header (v1 or v2), for refusing one from an
// untrusted peer. The first 5 bytes of the v2 signature ("\r\n\r\n\x00") are enough: no
// FTP client starts a session with an empty line followed by a NUL.
func Looks(b []byte) bool {
	return bytes.HasPrefix(b, sigV1) || bytes.HasPrefix(b, sigV2[:5])
}
