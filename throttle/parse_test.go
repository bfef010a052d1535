// parse_test.go: ParseRate accepts the flag forms and names the bad text otherwise.

package throttle

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRate(t *testing.T) {
	good := map[string]float64{
		"":      0,
		"  ":    0,
		"0":     0,
		"0K":    0,
		"100":   100,
		"512K":  512 << 10,
		"512k":  512 << 10,
		"10M":   10 << 20,
		"1.5G":  1.5 * (1 << 30),
		"2T":    2 << 40,
		" 64K ": 64 << 10,
		".5K":   512,
		"3.":    3,
	}
	for in, want := range good {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"K", "-1", "+5", "1e6", "0x10", "inf", "NaN", "1.2.3", "10MB", "10 M", "ten", ".", "1KK"} {
		v, err := ParseRate(in)
		if !errors.Is(err, ErrBadRate) || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseRate(%q) = %v, %v; want an ErrBadRate naming the text", in, v, err)
		}
	}
}
