// bytesconv.go: small allocation-free helpers shared by the parsers and encoders.

package proto

import "strconv"

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimSpaces drops leading and trailing ASCII spaces.
func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// parseUint parses a non-empty run of decimal digits no greater than max. It stops
// accumulating as soon as the value passes max, so long digit runs cannot overflow.
func parseUint(b []byte, max uint64) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// equalFold reports whether b equals the lower-case ASCII word s, ignoring ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// appendSpaces appends n spaces (none when n <= 0).
func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// appendUintLeft appends v left-aligned in a field of width columns.
func appendUintLeft(dst []byte, v uint64, width int) []byte {
	start := len(dst)
	dst = strconv.AppendUint(dst, v, 10)
	return appendSpaces(dst, width-(len(dst)-start))
}

// appendUintRight appends v right-aligned in a field of width columns.
func appendUintRight(dst []byte, v uint64, width int) []byte {
	dst = appendSpaces(dst, width-decimalLen(v))
	return strconv.AppendUint(dst, v, 10)
}

// appendIntRight appends v right-aligned in a field of width columns (sign included).
func appendIntRight(dst []byte, v int64, width int) []byte {
	n := 0
	if v < 0 {
		n = 1 + decimalLen(uint64(-v))
	} else {
		n = decimalLen(uint64(v))
	}
	dst = appendSpaces(dst, width-n)
	return strconv.AppendInt(dst, v, 10)
}

func decimalLen(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// append2 appends v (0-99) as two digits.
func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// append4 appends v as four digits when it is in 0-9999 (years in practice), else in
// plain decimal so an absurd year still renders as a number.
func append4(dst []byte, v int) []byte {
	if v < 0 || v > 9999 {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return append(dst, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}
