// timeval.go: RFC 3659 time-val, "YYYYMMDDHHMMSS[.sss]", for MDTM, MFMT and the modify fact.

package proto

import "time"

// AppendTimeVal appends t in loc (UTC when nil) as "YYYYMMDDHHMMSS", the MDTM reply value.
// Append convention; safe from any goroutine for distinct dst.
func AppendTimeVal(dst []byte, t time.Time, loc *time.Location) []byte {
	if loc == nil {
		loc = time.UTC
	}
	return appendTimeVal(dst, t.In(loc))
}

func appendTimeVal(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	dst = append4(dst, year)
	dst = append2(dst, int(month))
	dst = append2(dst, day)
	dst = append2(dst, hour)
	dst = append2(dst, minute)
	return append2(dst, sec)
}

// ParseTimeVal parses "YYYYMMDDHHMMSS", optionally followed by "." and 1 or more digits of
// fraction (nanoseconds kept, further digits ignored), as UTC (MFMT, MDTM with a time).
// Every field is range-checked (day against its month, second 0-60, 60 being a leap second
// that normalises to the next minute); anything else gives ErrSyntax. Does not retain b;
// safe from any goroutine.
func ParseTimeVal(b []byte) (time.Time, error) {
	if len(b) < 14 {
		return time.Time{}, ErrSyntax
	}
	var f [6]int
	widths := [6]int{4, 2, 2, 2, 2, 2}
	p := 0
	for i, w := range widths {
		n, ok := parseUint(b[p:p+w], 9999)
		if !ok {
			return time.Time{}, ErrSyntax
		}
		f[i] = int(n)
		p += w
	}
	year, month, day, hour, minute, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, ErrSyntax
	}
	nsec := 0
	if rest := b[14:]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) == 1 {
			return time.Time{}, ErrSyntax
		}
		scale := 100_000_000
		for _, c := range rest[1:] {
			if !isDigit(c) {
				return time.Time{}, ErrSyntax
			}
			nsec += int(c-'0') * scale
			scale /= 10
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
