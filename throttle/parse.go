// parse.go: rate flags ("512K", "10M", "1.5G") to bytes per second.

package throttle

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRate parses a rate in bytes per second for flags such as --read-limit: a decimal
// number ("100", "1.5") with an optional 1024-based suffix K, M, G or T (either case).
// "0" and "" (after trimming spaces) mean unlimited and return 0. Anything else (signs,
// exponents, hex, other suffixes, "inf") is an error wrapping ErrBadRate and quoting s.
// Safe from any goroutine; not for hot paths (errors use fmt).
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	mult := 1.0
	switch t[len(t)-1] {
	case 'k', 'K':
		mult = 1 << 10
	case 'm', 'M':
		mult = 1 << 20
	case 'g', 'G':
		mult = 1 << 30
	case 't', 'T':
		mult = 1 << 40
	}
	if mult != 1 {
		t = t[:len(t)-1]
	}
	// strconv.ParseFloat also takes signs, exponents, hex, "Inf" and "NaN": allow only
	// digits with at most one point, and at least one digit.
	digits, points := 0, 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			digits = -1 << 30
		}
	}
	if digits <= 0 || points > 1 {
		return 0, fmt.Errorf("%w %q: want bytes per second, a number with an optional K, M, G or T suffix (1024-based)", ErrBadRate, s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("%w %q: %v", ErrBadRate, s, err)
	}
	return v * mult, nil
}
