// addr.go: data-connection address codecs (PORT, EPRT, PASV, EPSV), both directions.

package proto

import (
	"net/netip"
	"strconv"
)

// The parsers here do not retain arg, never panic, allocate nothing (the address parsers
// are our own, because netip.ParseAddr allocates an error value on every malformed input
// and needs a string), and return ErrSyntax on malformed input, including numbers out of
// range. They are safe from any goroutine. The encoders follow the append convention.

// ParsePORT parses a PORT argument "h1,h2,h3,h4,p1,p2" (RFC 959), every number 0-255,
// spaces around the numbers tolerated. Port 0 is rejected (nothing can be dialled there).
func ParsePORT(arg []byte) (netip.AddrPort, error) {
	var f [6]byte
	for i := range f {
		var field []byte
		if i < len(f)-1 {
			j := indexByte(arg, ',')
			if j < 0 {
				return netip.AddrPort{}, ErrSyntax
			}
			field, arg = arg[:j], arg[j+1:]
		} else {
			field = arg
		}
		n, ok := parseUint(trimSpaces(field), 255)
		if !ok {
			return netip.AddrPort{}, ErrSyntax
		}
		f[i] = byte(n)
	}
	port := uint16(f[4])<<8 | uint16(f[5])
	if port == 0 {
		return netip.AddrPort{}, ErrSyntax
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{f[0], f[1], f[2], f[3]}), port), nil
}

// ParseEPRT parses an EPRT argument "<d><proto><d><addr><d><port><d>" (RFC 2428), where d is
// any printable ASCII character (33-126) not otherwise in the argument. proto 1 needs a
// dotted-quad IPv4 address, proto 2 a textual IPv6 address without a zone; port is 1-65535.
// A well-formed proto other than 1 or 2 gives ErrUnsupported (reply 522); everything else
// malformed gives ErrSyntax. Leading and trailing spaces are tolerated.
func ParseEPRT(arg []byte) (netip.AddrPort, error) {
	arg = trimSpaces(arg)
	if len(arg) < 7 { // "|1|a|1|" is already too short to be valid; guards the indexing
		return netip.AddrPort{}, ErrSyntax
	}
	d := arg[0]
	if d < 33 || d > 126 || arg[len(arg)-1] != d {
		return netip.AddrPort{}, ErrSyntax
	}
	body := arg[1 : len(arg)-1] // proto d addr d port
	i := indexByte(body, d)
	if i < 0 {
		return netip.AddrPort{}, ErrSyntax
	}
	proto, body := body[:i], body[i+1:]
	i = indexByte(body, d)
	if i < 0 {
		return netip.AddrPort{}, ErrSyntax
	}
	host, portText := body[:i], body[i+1:]
	if indexByte(portText, d) >= 0 {
		return netip.AddrPort{}, ErrSyntax
	}
	netproto, ok := parseUint(proto, 1<<16)
	if !ok {
		return netip.AddrPort{}, ErrSyntax
	}
	var addr netip.Addr
	switch netproto {
	case 1:
		a, ok := parseIPv4(host)
		if !ok {
			return netip.AddrPort{}, ErrSyntax
		}
		addr = netip.AddrFrom4(a)
	case 2:
		a, ok := parseIPv6(host)
		if !ok {
			return netip.AddrPort{}, ErrSyntax
		}
		addr = netip.AddrFrom16(a)
	default:
		return netip.AddrPort{}, ErrUnsupported
	}
	port, ok := parseUint(portText, 65535)
	if !ok || port == 0 {
		return netip.AddrPort{}, ErrSyntax
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// ParseEPSV parses an EPSV argument (RFC 2428): "" -> (false, 0); "ALL" (any case) ->
// (true, 0); "1" or "2" -> (false, 1 or 2); another number -> ErrUnsupported (reply 522);
// anything else -> ErrSyntax. Leading and trailing spaces are tolerated.
func ParseEPSV(arg []byte) (all bool, netproto int, err error) {
	arg = trimSpaces(arg)
	switch {
	case len(arg) == 0:
		return false, 0, nil
	case equalFold(arg, "all"):
		return true, 0, nil
	}
	n, ok := parseUint(arg, 1<<16)
	switch {
	case !ok:
		return false, 0, ErrSyntax
	case n == 1 || n == 2:
		return false, int(n), nil
	}
	return false, 0, ErrUnsupported
}

// AppendPASVReply appends "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).\r\n". ip4 must be
// IPv4 or IPv4-mapped IPv6; any other address is a caller bug and is written as 0,0,0,0,
// which no client can connect to (PASV cannot carry IPv6: answer EPSV-only clients there).
func AppendPASVReply(dst []byte, ip4 netip.Addr, port uint16) []byte {
	dst = append(dst, "227 Entering Passive Mode ("...)
	dst = appendPORTFields(dst, ip4, port)
	return append(dst, ").\r\n"...)
}

// AppendEPSVReply appends "229 Entering Extended Passive Mode (|||port|).\r\n".
func AppendEPSVReply(dst []byte, port uint16) []byte {
	dst = append(dst, "229 Entering Extended Passive Mode (|||"...)
	dst = strconv.AppendUint(dst, uint64(port), 10)
	return append(dst, "|).\r\n"...)
}

// AppendPORTArg appends the PORT argument "h1,h2,h3,h4,p1,p2" for ap (client side). As for
// AppendPASVReply, an address that is not IPv4 is written as 0,0,0,0.
func AppendPORTArg(dst []byte, ap netip.AddrPort) []byte {
	return appendPORTFields(dst, ap.Addr(), ap.Port())
}

// AppendEPRTArg appends the EPRT argument "|1|a.b.c.d|port|" for an IPv4 address or
// "|2|addr|port|" for an IPv6 one (client side). An IPv6 zone is dropped: EPRT cannot carry
// it. IPv4-mapped IPv6 addresses stay protocol 2, as the control connection's family is.
func AppendEPRTArg(dst []byte, ap netip.AddrPort) []byte {
	addr := ap.Addr()
	if addr.Is4() {
		dst = append(dst, "|1|"...)
	} else {
		dst = append(dst, "|2|"...)
		addr = addr.WithZone("")
	}
	dst = addr.AppendTo(dst)
	dst = append(dst, '|')
	dst = strconv.AppendUint(dst, uint64(ap.Port()), 10)
	return append(dst, '|')
}

func appendPORTFields(dst []byte, ip netip.Addr, port uint16) []byte {
	var a [4]byte
	if ip = ip.Unmap(); ip.Is4() {
		a = ip.As4()
	}
	for _, b := range a {
		dst = strconv.AppendUint(dst, uint64(b), 10)
		dst = append(dst, ',')
	}
	dst = strconv.AppendUint(dst, uint64(port>>8), 10)
	dst = append(dst, ',')
	return strconv.AppendUint(dst, uint64(port&0xff), 10)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// parseIPv4 parses strict dotted-quad text: four decimal fields 0-255 without leading
// zeros (as netip.ParseAddr, so "010.1.1.1" cannot mean octal to anyone).
func parseIPv4(s []byte) ([4]byte, bool) {
	var a [4]byte
	for i := range a {
		if i > 0 {
			if len(s) == 0 || s[0] != '.' {
				return a, false
			}
			s = s[1:]
		}
		n := 0
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		if n == 0 || n > 3 || (n > 1 && s[0] == '0') {
			return a, false
		}
		v, _ := parseUint(s[:n], 999)
		if v > 255 {
			return a, false
		}
		a[i] = byte(v)
		s = s[n:]
	}
	return a, len(s) == 0
}

// parseIPv6 parses RFC 4291 text: up to eight groups of 1-4 hex digits separated by ':',
// one "::" standing for one or more zero groups, optionally ending in a dotted-quad IPv4
// address. Zones ("%eth0") are rejected by the caller's grammar: '%' is not accepted here.
func parseIPv6(s []byte) ([16]byte, bool) {
	var ip [16]byte
	ellipsis := -1 // byte offset in ip where "::" was seen
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		v, n := 0, 0
		for n < len(s) && n <= 4 {
			h, ok := hexVal(s[n])
			if !ok {
				break
			}
			v = v<<4 | h
			n++
		}
		if n == 0 || n > 4 {
			return ip, false
		}
		if n < len(s) && s[n] == '.' { // trailing dotted quad fills the last 4 bytes
			if i > 12 || (ellipsis < 0 && i != 12) {
				return ip, false
			}
			a, ok := parseIPv4(s)
			if !ok {
				return ip, false
			}
			copy(ip[i:], a[:])
			i += 4
			s = s[len(s):]
			break
		}
		ip[i], ip[i+1] = byte(v>>8), byte(v)
		i += 2
		s = s[n:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}

func hexVal(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
