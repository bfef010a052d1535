// Machine-wide CPU from /proc/stat. Per-process CPU misses work the kernel does in
// softirq context: with sendfile most of a transfer's cost (TCP segmentation, checksums,
// loopback delivery) lands there, charged to whichever task happens to be running, often
// not the server. The machine's busy time over the window catches it, together with every
// other process on the machine, so it is reported beside the per-process figures, never
// instead of them.

package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// MachineSample is one reading of the aggregate "cpu" line of /proc/stat.
type MachineSample struct {
	Busy    time.Duration // user+nice+system+irq+softirq+steal over all CPUs (idle, iowait excluded)
	Softirq time.Duration // softirq alone
}

// SampleMachine reads /proc/stat. Safe from any goroutine.
func SampleMachine() (MachineSample, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return MachineSample{}, fmt.Errorf("bench: read /proc/stat: %w", err)
	}
	return parseProcStat(b)
}

// parseProcStat reads the first line, "cpu  user nice system idle iowait irq softirq
// steal guest guest_nice", in USER_HZ ticks. guest and guest_nice are already counted in
// user and nice, so they are not added again.
func parseProcStat(b []byte) (MachineSample, error) {
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return MachineSample{}, fmt.Errorf("bench: parse /proc/stat: first line %q: %w", line, ErrBadConfig)
	}
	var v [8]int64 // user nice system idle iowait irq softirq steal
	for i := 1; i < len(f) && i <= len(v); i++ {
		n, err := strconv.ParseInt(string(f[i]), 10, 64)
		if err != nil {
			return MachineSample{}, fmt.Errorf("bench: parse /proc/stat field %d: %w", i, err)
		}
		v[i-1] = n
	}
	busy := v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
	return MachineSample{Busy: time.Duration(busy) * clockTick, Softirq: time.Duration(v[6]) * clockTick}, nil
}
