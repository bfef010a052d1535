// Data-connection address codecs: PASV (227) and EPSV (229) replies in, PORT and EPRT
// arguments out. Pure functions on []byte, no allocation.

package ftpclient

import (
	"bytes"
	"net/netip"
	"strconv"
)

// ParsePASV extracts the address from a 227 reply text such as
// "Entering Passive Mode (127,0,0,1,78,40)." Safe from any goroutine; does not allocate.
func ParsePASV(text []byte) (netip.AddrPort, error) {
	i := bytes.IndexByte(text, '(')
	if i < 0 {
		// RFC 1123 §4.1.2.6: the parentheses are optional; start at the first digit.
		i = bytes.IndexAny(text, "0123456789")
		if i < 0 {
			return netip.AddrPort{}, ErrBadPassiveReply
		}
	} else {
		i++
	}
	var v [6]int
	p := text[i:]
	for k := 0; k < 6; k++ {
		n, used := atoiPrefix(p)
		if used == 0 || n > 255 {
			return netip.AddrPort{}, ErrBadPassiveReply
		}
		v[k] = n
		p = p[used:]
		if k < 5 {
			if len(p) == 0 || p[0] != ',' {
				return netip.AddrPort{}, ErrBadPassiveReply
			}
			p = p[1:]
		}
	}
	ip := netip.AddrFrom4([4]byte{byte(v[0]), byte(v[1]), byte(v[2]), byte(v[3])})
	return netip.AddrPortFrom(ip, uint16(v[4]<<8|v[5])), nil
}

// ParseEPSV extracts the port from a 229 reply text such as
// "Entering Extended Passive Mode (|||6446|)". Safe from any goroutine; does not allocate.
func ParseEPSV(text []byte) (uint16, error) {
	i := bytes.IndexByte(text, '(')
	if i < 0 || len(text) < i+6 {
		return 0, ErrBadPassiveReply
	}
	p := text[i+1:]
	d := p[0]
	if d < 33 || d > 126 || p[1] != d || p[2] != d {
		return 0, ErrBadPassiveReply
	}
	n, used := atoiPrefix(p[3:])
	if used == 0 || n == 0 || n > 65535 || len(p) <= 3+used || p[3+used] != d {
		return 0, ErrBadPassiveReply
	}
	return uint16(n), nil
}

// AppendPORT appends the PORT argument "h1,h2,h3,h4,p1,p2" for an IPv4 address.
// Safe from any goroutine; allocates only when dst grows.
func AppendPORT(dst []byte, ap netip.AddrPort) []byte {
	a := ap.Addr().Unmap().As4()
	for _, b := range a {
		dst = strconv.AppendUint(dst, uint64(b), 10)
		dst = append(dst, ',')
	}
	dst = strconv.AppendUint(dst, uint64(ap.Port()>>8), 10)
	dst = append(dst, ',')
	return strconv.AppendUint(dst, uint64(ap.Port()&0xff), 10)
}

// AppendEPRT appends the EPRT argument "|1|ip|port|" or "|2|ip6|port|" (RFC 2428).
// Safe from any goroutine; allocates only when dst grows.
func AppendEPRT(dst []byte, ap netip.AddrPort) []byte {
	a := ap.Addr().Unmap()
	if a.Is4() {
		dst = append(dst, "|1|"...)
	} else {
		dst = append(dst, "|2|"...)
	}
	dst = a.WithZone("").AppendTo(dst)
	dst = append(dst, '|')
	dst = strconv.AppendUint(dst, uint64(ap.Port()), 10)
	return append(dst, '|')
}

// atoiPrefix parses up to 5 leading decimal digits; used is 0 when there are none.
func atoiPrefix(p []byte) (n, used int) {
	for used < len(p) && used < 5 && p[used] >= '0' && p[used] <= '9' {
		n = n*10 + int(p[used]-'0')
		used++
	}
	return n, used
}
