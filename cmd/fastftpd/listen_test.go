package main

import (
	"strings"
	"testing"
)

// FuzzParseInherit: whatever FASTFTPD_INHERIT holds, parsing never panics; what it accepts
// names known kinds and distinct descriptors from 3 up, and writes back to a value that
// parses to the same entries.
func FuzzParseInherit(f *testing.F) {
	for _, s := range []string{"", "ftp/:2121=3", "ftp/127.0.0.1:0=3,ftps/[::]:990=4,metrics/127.0.0.1:9121=5",
		"ftp/:21=3,ftp/:21=3", "ftp/:21", "ssh/:22=3", "ftp/:21=-1", "ftp/:21=2", ",,ftp/a=b=7", "ftp/x=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		entries, err := parseInherit(v)
		if err != nil {
			if !strings.HasPrefix(err.Error(), inheritEnv+": ") {
				t.Fatalf("error %q does not name %s", err, inheritEnv)
			}
			return
		}
		seen := map[int]bool{}
		var back []string
		for _, e := range entries {
			if e.fd < 3 || seen[e.fd] || (e.kind != kindControl && e.kind != kindImplicit && e.kind != kindMetrics) {
				t.Fatalf("%q accepted as %+v", v, entries)
			}
			seen[e.fd] = true
			back = append(back, e.String())
		}
		again, err := parseInherit(strings.Join(back, ","))
		if err != nil || len(again) != len(entries) {
			t.Fatalf("%q: written back as %q, parsed as %+v, %v", v, back, again, err)
		}
		for i := range again {
			if again[i] != entries[i] {
				t.Fatalf("%q: entry %d came back as %+v, want %+v", v, i, again[i], entries[i])
			}
		}
	})
}
