// Package metrics counts what a fastftp server does and serves it in the Prometheus text
// exposition format: sessions (and why they closed), logins by result, bytes and transfers by direction, replies
// by class, per-command latency histograms, worker-queue depth and throttle waits.
//
// Every series with a label is resolved once (at New, or on a verb's first command), so
// the methods called on the hot path are an atomic add or a histogram observation: no
// label lookup, no map, no allocation. Each Metrics has its own registry, so two servers
// in one process (or one test) never share or collide on counters.
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

// Metric names, for dashboards and tests.
const (
	NameSessions         = "fastftp_sessions"
	NameSessionsTotal    = "fastftp_sessions_total"
	NameSessionsClosed   = "fastftp_sessions_closed_total"
	NameLogins           = "fastftp_logins_total"
	NameTransferBytes    = "fastftp_transfer_bytes_total"
	NameTransfers        = "fastftp_transfers_total"
	NameReplies          = "fastftp_replies_total"
	NameCommandDuration  = "fastftp_command_duration_seconds"
	NameWorkerQueueDepth = "fastftp_worker_queue_depth"
	NameThrottleWait     = "fastftp_throttle_wait_seconds_total"
)

// CommandBuckets are the upper bounds (seconds) of the command latency histogram: most
// commands answer in microseconds, a login with an argon2id hash in tens of
// milliseconds, a stat on a cold disk in up to seconds.
var CommandBuckets = []float64{
	50e-6, 100e-6, 250e-6, 500e-6,
	1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3,
	1, 2.5, 5,
}

// Index of the direction and result labels in the resolved arrays.
const (
	dirDownload = 0
	dirUpload   = 1
	resFailure  = 0
	resSuccess  = 1
)

var (
	directions = [2]string{dirDownload: "download", dirUpload: "upload"}
	results    = [2]string{resFailure: "failure", resSuccess: "success"}
	classes    = [5]string{"1xx", "2xx", "3xx", "4xx", "5xx"}
)

// Metrics is one server's set of counters. All methods are safe from any goroutine;
// SessionOpened, SessionClosed, Login, Transfer, Reply, Command and ThrottleWait do not
// allocate (Command allocates once, on the first call for each verb).
type Metrics struct {
	reg *prometheus.Registry

	sessions      prometheus.Gauge
	sessionsTotal prometheus.Counter
	logins        [2]prometheus.Counter    // by result
	xferBytes     [2]prometheus.Counter    // by direction
	transfers     [2][2]prometheus.Counter // by direction, result
	replies       [5]prometheus.Counter    // by class 1xx..5xx
	throttleWait  [2]prometheus.Counter    // by direction

	closed [reactor.NumCloseReasons]prometheus.Counter // sessions closed, by reason

	cmdVec  *prometheus.HistogramVec
	cmdMu   sync.Mutex                                   // serialises first-use creation
	cmd     [proto.NumVerbs]atomic.Pointer[cmdHistogram] // resolved per verb on first use
	queueFn atomic.Pointer[func() int]
}

// cmdHistogram boxes one verb's resolved histogram so it fits an atomic.Pointer.
type cmdHistogram struct{ h prometheus.Observer }

// New returns a Metrics with its own registry holding the fastftp series plus the Go
// runtime and process collectors. Safe from any goroutine.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.sessions = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameSessions, Help: "Control connections open now.",
	})
	m.sessionsTotal = prometheus.NewCounter(prometheus.CounterOpts{
		Name: NameSessionsTotal, Help: "Control connections accepted since start.",
	})
	closed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameSessionsClosed, Help: "Control connections closed since start, by reason (reactor.CloseReason).",
	}, []string{"reason"})
	logins := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameLogins, Help: "Login attempts by result.",
	}, []string{"result"})
	xferBytes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameTransferBytes, Help: "File and listing bytes moved on data connections, by direction (upload: client to server).",
	}, []string{"direction"})
	transfers := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameTransfers, Help: "Data transfers finished, by direction and result.",
	}, []string{"direction", "result"})
	replies := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameReplies, Help: "Control replies sent, by class of reply code.",
	}, []string{"class"})
	throttle := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameThrottleWait, Help: "Time transfers spent waiting on bandwidth limits, by direction.",
	}, []string{"direction"})
	m.cmdVec = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: NameCommandDuration, Help: "Time from a command's arrival to its final reply (transfers: the whole transfer), by command.",
		Buckets: CommandBuckets,
	}, []string{"command"})
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: NameWorkerQueueDepth, Help: "Blocking operations waiting for a worker.",
	}, func() float64 {
		if f := m.queueFn.Load(); f != nil {
			return float64((*f)())
		}
		return 0
	})

	// Resolve every label combination now: the series exist (at zero) from the first
	// scrape, and the hot path indexes an array instead of hashing label values.
	for r := range m.closed {
		m.closed[r] = closed.WithLabelValues(reactor.CloseReason(r).String())
	}
	for r := range results {
		m.logins[r] = logins.WithLabelValues(results[r])
	}
	for d := range directions {
		m.xferBytes[d] = xferBytes.WithLabelValues(directions[d])
		m.throttleWait[d] = throttle.WithLabelValues(directions[d])
		for r := range results {
			m.transfers[d][r] = transfers.WithLabelValues(directions[d], results[r])
		}
	}
	for c := range classes {
		m.replies[c] = replies.WithLabelValues(classes[c])
	}
	m.reg.MustRegister(m.sessions, m.sessionsTotal, closed, logins, xferBytes, transfers, replies,
		throttle, m.cmdVec, queue,
		newSchedCollector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry behind Handler, for callers that add their own
// collectors. Safe from any goroutine.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format (text unless the
// scraper negotiates another). Safe from any goroutine; each request gathers afresh.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// SessionOpened counts a new control connection. Safe from any goroutine; no allocation.
func (m *Metrics) SessionOpened() {
	m.sessions.Inc()
	m.sessionsTotal.Inc()
}

// SessionClosed counts a control connection's end and its reason (out-of-range reasons
// count as unknown). Safe from any goroutine; no allocation.
func (m *Metrics) SessionClosed(reason reactor.CloseReason) {
	if reason >= reactor.NumCloseReasons {
		reason = reactor.ReasonUnknown
	}
	// The count before the gauge: whoever sees a session gone from the gauge then finds
	// its reason counted.
	m.closed[reason].Inc()
	m.sessions.Dec()
}

// Login counts a login attempt. Safe from any goroutine; no allocation.
func (m *Metrics) Login(ok bool) { m.logins[b2i(ok)].Inc() }

// Transfer counts a finished data transfer of bytes bytes (partial ones too: bytes moved
// before a failure or ABOR are still counted). Safe from any goroutine; no allocation.
func (m *Metrics) Transfer(upload bool, bytes int64, ok bool) {
	d := b2i(upload)
	if bytes > 0 {
		m.xferBytes[d].Add(float64(bytes))
	}
	m.transfers[d][b2i(ok)].Inc()
}

// Reply counts a reply by its class (1xx to 5xx); codes outside 100-599 are ignored.
// Safe from any goroutine; no allocation.
func (m *Metrics) Reply(code int) {
	c := code/100 - 1
	if uint(c) < uint(len(m.replies)) {
		m.replies[c].Inc()
	}
}

// Command records how long verb v took. Out-of-range verbs count as proto.Unknown
// (label "UNKNOWN"). Safe from any goroutine; allocates only on a verb's first call.
func (m *Metrics) Command(v proto.Verb, d time.Duration) {
	if v >= proto.NumVerbs {
		v = proto.Unknown
	}
	h := m.cmd[v].Load()
	if h == nil {
		h = m.resolveCommand(v)
	}
	h.h.Observe(d.Seconds())
}

// resolveCommand creates v's histogram child; the series appears on the next scrape.
// Only verbs actually used are exported, which keeps a scrape small.
func (m *Metrics) resolveCommand(v proto.Verb) *cmdHistogram {
	m.cmdMu.Lock()
	defer m.cmdMu.Unlock()
	if h := m.cmd[v].Load(); h != nil {
		return h
	}
	name := v.String()
	if name == "" {
		name = "UNKNOWN"
	}
	h := &cmdHistogram{h: m.cmdVec.WithLabelValues(name)}
	m.cmd[v].Store(h)
	return h
}

// QueueDepth sets the function sampled at each scrape for the worker-queue depth gauge;
// a later call replaces it, nil reports 0. f is called on the scraping goroutine and must
// be safe from any goroutine. Safe from any goroutine.
func (m *Metrics) QueueDepth(f func() int) {
	if f == nil {
		m.queueFn.Store(nil)
		return
	}
	m.queueFn.Store(&f)
}

// ThrottleWait adds time a transfer spent waiting on a bandwidth limit. Safe from any
// goroutine; no allocation.
func (m *Metrics) ThrottleWait(upload bool, d time.Duration) {
	if d > 0 {
		m.throttleWait[b2i(upload)].Add(d.Seconds())
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
