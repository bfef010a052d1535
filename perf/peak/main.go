// Command peak samples a server's process tree (RSS minus shared, as ftpbench's -k does,
// and with -pss the proportional set size)
// every few milliseconds until it is sent SIGINT or SIGTERM, then prints the first, peak
// and last samples as JSON: memory growth during a scenario that ftpbench's end-of-window
// sample would miss (a 100,000-entry listing that frees its buffers when done).
//
//	peak -k PID -i 10ms > peak.json &  ...run the scenario...  ; kill -INT $!
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fastftp/fastftp/bench"
)

// sample is what peak prints: bytes of RSS minus shared, summed over the tree.
type sample struct {
	StartBytes int64 `json:"start_bytes"`
	PeakBytes  int64 `json:"peak_bytes"`
	EndBytes   int64 `json:"end_bytes"`
	GrowthPeak int64 `json:"growth_peak_bytes"` // PeakBytes - StartBytes
	Samples    int   `json:"samples"`
	PeakProcs  int   `json:"peak_procs"`
	// With -pss: the tree's proportional set size, first and peak (bytes).
	StartPSS int64 `json:"start_pss_bytes,omitempty"`
	PeakPSS  int64 `json:"peak_pss_bytes,omitempty"`
}

func main() {
	pid := flag.Int("k", 0, "PID of the server (its descendants are included)")
	every := flag.Duration("i", 10*time.Millisecond, "sampling interval")
	pss := flag.Bool("pss", false, "also sum Pss from smaps_rollup (costly with many processes: use -i 500ms)")
	flag.Parse()
	if *pid <= 0 {
		log.Fatal("peak: -k PID is required")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	var out sample
	first := true
	t := time.NewTicker(*every)
	defer t.Stop()
	take := func() bool {
		s, err := bench.SampleProcTree(*pid)
		if err != nil {
			return false
		}
		if first {
			out.StartBytes, first = s.Mem, false
		}
		out.EndBytes = s.Mem
		if s.Mem > out.PeakBytes {
			out.PeakBytes = s.Mem
		}
		out.PeakProcs = max(out.PeakProcs, s.Procs)
		if *pss {
			if v, n := treePSS(*pid); n > 0 {
				if out.Samples == 0 {
					out.StartPSS = v
				}
				out.PeakPSS = max(out.PeakPSS, v)
			}
		}
		out.Samples++
		return true
	}
	if !take() {
		log.Fatalf("peak: cannot read process %d", *pid)
	}
loop:
	for {
		select {
		case <-stop:
			take()
			break loop
		case <-t.C:
			if !take() {
				break loop // the server exited
			}
		}
	}
	out.GrowthPeak = out.PeakBytes - out.StartBytes
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		log.Fatalf("peak: write: %v", err)
	}
}
