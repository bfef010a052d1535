//go:build linux

// Stats: counters of what the loops did, for metrics and for tuning by measurement.

package dataloop

import "sync/atomic"

// Stats are cumulative counters summed over an engine's loops.
type Stats struct {
	Iterations int64 // batches run (each followed by a yield of the P)
	Parks      int64 // times a loop went idle in the netpoller
	Syscalls   int64 // sendfile and splice calls
	EAGAIN     int64 // of which returned EAGAIN (socket full or empty)
	Bytes      int64 // bytes moved to destinations
	Readaheads int64 // chunks read by the readahead pool after a page-cache miss
	PacerParks int64 // transfers parked on a timer by their Pacer
	RARetries  int64 // page-cache misses that found the readahead queue full (retried later)
	Writes     int64 // upload chunks written by the write pool rather than by their loop
}

// counters is a loop's share of Stats; written by the loop, read by Stats.
type counters struct {
	iterations, parks, syscalls, eagain, bytes, pacerParks, raRetries, writes atomic.Int64
}

// Stats returns the counters so far. Safe from any goroutine.
func (e *Engine) Stats() Stats {
	var s Stats
	for _, l := range e.loops {
		c := &l.stats
		s.Iterations += c.iterations.Load()
		s.Parks += c.parks.Load()
		s.Syscalls += c.syscalls.Load()
		s.EAGAIN += c.eagain.Load()
		s.Bytes += c.bytes.Load()
		s.PacerParks += c.pacerParks.Load()
		s.RARetries += c.raRetries.Load()
		s.Writes += c.writes.Load()
	}
	s.Readaheads = e.ra.misses.Load()
	return s
}
