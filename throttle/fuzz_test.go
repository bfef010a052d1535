package throttle

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// FuzzParseRate: every input is either an error wrapping ErrBadRate or a finite rate >= 0;
// a plain decimal that parses is the number itself.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0", "", "100", "1.5K", "10M", "2g", "1T", " 64k ", "-1", "1e3", "0x10", "inf", "NaN", "1KB", "9999999999999999999T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if !errors.Is(err, ErrBadRate) {
				t.Fatalf("ParseRate(%q): error %v does not wrap ErrBadRate", s, err)
			}
			return
		}
		if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			t.Fatalf("ParseRate(%q) = %v", s, r)
		}
		if v, perr := strconv.ParseFloat(s, 64); perr == nil && v >= 0 && r != v && s != "" {
			t.Fatalf("ParseRate(%q) = %v, want the plain number %v", s, r, v)
		}
	})
}
