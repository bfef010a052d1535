// The open-file cache's counters on /metrics (Config.Metrics), read at scrape time.

package fastftp

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fastftp/fastftp/metrics"
	"github.com/fastftp/fastftp/session"
)

// registerFileCacheMetrics adds the open-file cache's series to m's registry. A registry
// that already has them (a second Server on one Metrics) keeps the first server's: the
// error is ignored rather than panic on a caller's reuse.
func registerFileCacheMetrics(m *metrics.Metrics, env *session.Env) {
	counter := func(name, help string, get func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(get()) })
	}
	for _, c := range []prometheus.Collector{
		counter("fastftp_open_file_cache_hits_total", "RETRs served from a kept descriptor (open-file cache).",
			func() uint64 { return env.FileCacheStats().Hits }),
		counter("fastftp_open_file_cache_misses_total", "Open-file cache lookups that found no kept descriptor of the path's current version.",
			func() uint64 { return env.FileCacheStats().Misses }),
		counter("fastftp_open_file_cache_closed_total", "Kept descriptors closed: stale (file changed), evicted (LRU) or expired.",
			func() uint64 { st := env.FileCacheStats(); return st.Stale + st.Evicted + st.Expired }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fastftp_open_file_cache_descriptors",
			Help: "Descriptors the open-file cache holds now (bounded by --open-file-cache)."},
			func() float64 { return float64(env.FileCacheStats().Idle) }),
	} {
		_ = m.Registry().Register(c)
	}
}
