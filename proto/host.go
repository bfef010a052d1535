// host.go: RFC 7151 host names (HOST's argument, a TLS server name, a config's [[host]]).

package proto

// MaxHostName is the longest domain name in text form (RFC 1035: 253 bytes without the
// final dot).
const MaxHostName = 253

// ValidHostName reports whether b is a domain name as HOST and SNI carry them: labels of
// ASCII letters, digits, '-' and '_' separated by dots, 1-63 bytes each, at most
// MaxHostName in all, with an optional final dot. It does not retain b and allocates
// nothing. Safe from any goroutine.
func ValidHostName(b []byte) bool {
	if len(b) > 0 && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if len(b) == 0 || len(b) > MaxHostName {
		return false
	}
	label := 0
	for _, c := range b {
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		if label++; label > 63 {
			return false
		}
	}
	return label > 0
}
