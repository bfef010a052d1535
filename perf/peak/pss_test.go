// The PSS reader must find this process's own proportional set size and parse the
// smaps_rollup line format.
package main

import (
	"os"
	"testing"
)

func TestField(t *testing.T) {
	b := []byte("00400000-7ffd [rollup]\nRss:                9000 kB\nPss:                1234 kB\nPss_Anon:            100 kB\n")
	if v, ok := field(b, "Pss:"); !ok || v != 1234 {
		t.Errorf("field(Pss:) = %d, %v; want 1234", v, ok)
	}
	if _, ok := field(b, "Swap:"); ok {
		t.Error("field(Swap:) found a line that is not there")
	}
}

func TestTreePSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/smaps_rollup"); err != nil {
		t.Skip("no smaps_rollup on this kernel")
	}
	v, n := treePSS(os.Getpid())
	if n < 1 || v < 1<<20 {
		t.Errorf("treePSS(self) = %d bytes over %d processes; want >= 1 MiB over >= 1", v, n)
	}
}
