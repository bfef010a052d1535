// metrics_test.go: drives every method, scrapes Handler over loopback HTTP and checks the
// values with the Prometheus project's own text parser.
package metrics

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fastftp/fastftp/proto"
	"github.com/fastftp/fastftp/reactor"
)

// scrape serves m on 127.0.0.1:0, GETs /metrics and parses the text exposition.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := httptest.NewServer(mux) // listens on 127.0.0.1:0
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want text/plain", ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	return fams
}

// find returns the metric of family name whose labels equal want, or nil.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := find(fams, name, labels)
	if m == nil {
		t.Fatalf("%s%v: missing from the exposition", name, labels)
	}
	switch fams[name].GetType() {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	}
	t.Fatalf("%s: unexpected type %v", name, fams[name].GetType())
	return 0
}

func checkValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	if got := value(t, fams, name, labels); math.Abs(got-want) > 1e-9 {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func TestZeroSeriesExistFromStart(t *testing.T) {
	fams := scrape(t, New())
	checkValue(t, fams, NameSessions, nil, 0)
	checkValue(t, fams, NameSessionsTotal, nil, 0)
	for r := range reactor.NumCloseReasons {
		checkValue(t, fams, NameSessionsClosed, map[string]string{"reason": r.String()}, 0)
	}
	for _, r := range []string{"success", "failure"} {
		checkValue(t, fams, NameLogins, map[string]string{"result": r}, 0)
	}
	for _, c := range []string{"1xx", "2xx", "3xx", "4xx", "5xx"} {
		checkValue(t, fams, NameReplies, map[string]string{"class": c}, 0)
	}
	for _, d := range []string{"upload", "download"} {
		checkValue(t, fams, NameTransferBytes, map[string]string{"direction": d}, 0)
		checkValue(t, fams, NameThrottleWait, map[string]string{"direction": d}, 0)
		for _, r := range []string{"success", "failure"} {
			checkValue(t, fams, NameTransfers, map[string]string{"direction": d, "result": r}, 0)
		}
	}
	checkValue(t, fams, NameWorkerQueueDepth, nil, 0)
	if f := fams[NameCommandDuration]; f != nil && len(f.GetMetric()) != 0 {
		t.Errorf("command histogram has %d series before any command", len(f.GetMetric()))
	}
	if fams["go_goroutines"] == nil || fams["process_open_fds"] == nil {
		t.Error("Go runtime or process collector missing")
	}
}

func TestEveryMethod(t *testing.T) {
	m := New()
	for range 5 {
		m.SessionOpened()
	}
	m.SessionClosed(reactor.ReasonClientQuit)
	m.SessionClosed(reactor.ReasonIdleTimeout)
	m.SessionClosed(reactor.NumCloseReasons + 7) // out of range: counted as unknown
	m.SessionOpened()

	m.Login(true)
	m.Login(false)
	m.Login(false)

	m.Transfer(true, 1000, true)
	m.Transfer(true, 24, false)
	m.Transfer(false, 1<<20, true)
	m.Transfer(false, 0, false)
	m.Transfer(false, -5, false) // a nonsense size adds no bytes, still counts the transfer

	for _, c := range []int{150, 200, 226, 230, 331, 350, 421, 450, 500, 530, 550, 99, 600, 0, -200} {
		m.Reply(c)
	}

	m.Command(proto.RETR, 3*time.Millisecond)
	m.Command(proto.RETR, 30*time.Microsecond)
	m.Command(proto.USER, 200*time.Millisecond)
	m.Command(proto.Unknown, time.Millisecond)
	m.Command(proto.NumVerbs+3, time.Millisecond) // out of range: counted as UNKNOWN

	depth := 7
	m.QueueDepth(func() int { return depth })

	m.ThrottleWait(true, 1500*time.Millisecond)
	m.ThrottleWait(true, 500*time.Millisecond)
	m.ThrottleWait(false, 250*time.Millisecond)
	m.ThrottleWait(false, -time.Second) // ignored

	fams := scrape(t, m)
	checkValue(t, fams, NameSessions, nil, 3)
	checkValue(t, fams, NameSessionsTotal, nil, 6)
	for reason, want := range map[string]float64{"client_quit": 1, "idle_timeout": 1, "unknown": 1, "client_closed": 0} {
		checkValue(t, fams, NameSessionsClosed, map[string]string{"reason": reason}, want)
	}
	checkValue(t, fams, NameLogins, map[string]string{"result": "success"}, 1)
	checkValue(t, fams, NameLogins, map[string]string{"result": "failure"}, 2)
	checkValue(t, fams, NameTransferBytes, map[string]string{"direction": "upload"}, 1024)
	checkValue(t, fams, NameTransferBytes, map[string]string{"direction": "download"}, 1<<20)
	checkValue(t, fams, NameTransfers, map[string]string{"direction": "upload", "result": "success"}, 1)
	checkValue(t, fams, NameTransfers, map[string]string{"direction": "upload", "result": "failure"}, 1)
	checkValue(t, fams, NameTransfers, map[string]string{"direction": "download", "result": "success"}, 1)
	checkValue(t, fams, NameTransfers, map[string]string{"direction": "download", "result": "failure"}, 2)
	for class, want := range map[string]float64{"1xx": 1, "2xx": 3, "3xx": 2, "4xx": 2, "5xx": 3} {
		checkValue(t, fams, NameReplies, map[string]string{"class": class}, want)
	}
	checkValue(t, fams, NameWorkerQueueDepth, nil, 7)
	checkValue(t, fams, NameThrottleWait, map[string]string{"direction": "upload"}, 2)
	checkValue(t, fams, NameThrottleWait, map[string]string{"direction": "download"}, 0.25)

	hf := fams[NameCommandDuration]
	if hf.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("%s: type %v", NameCommandDuration, hf.GetType())
	}
	if n := len(hf.GetMetric()); n != 3 {
		t.Errorf("%s: %d series, want 3 (RETR USER UNKNOWN)", NameCommandDuration, n)
	}
	retr := find(fams, NameCommandDuration, map[string]string{"command": "RETR"}).GetHistogram()
	if retr.GetSampleCount() != 2 || math.Abs(retr.GetSampleSum()-0.00303) > 1e-12 {
		t.Errorf("RETR: count %d sum %v, want 2 and 0.00303", retr.GetSampleCount(), retr.GetSampleSum())
	}
	// Cumulative buckets: 30µs falls in le=5e-05, 3ms first in le=0.005.
	for _, b := range retr.GetBucket() {
		var want uint64
		switch ub := b.GetUpperBound(); {
		case ub >= 0.005:
			want = 2
		case ub >= 50e-6:
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("RETR bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if len(retr.GetBucket()) != len(CommandBuckets)+1 { // the parser keeps le="+Inf"
		t.Errorf("RETR: %d buckets, want %d", len(retr.GetBucket()), len(CommandBuckets)+1)
	}
	if u := find(fams, NameCommandDuration, map[string]string{"command": "UNKNOWN"}); u.GetHistogram().GetSampleCount() != 2 {
		t.Errorf("UNKNOWN: count %d, want 2", u.GetHistogram().GetSampleCount())
	}
	if u := find(fams, NameCommandDuration, map[string]string{"command": "USER"}); u.GetHistogram().GetSampleCount() != 1 {
		t.Errorf("USER: count %d, want 1", u.GetHistogram().GetSampleCount())
	}

	// The queue function is sampled at scrape time, and can be replaced or removed.
	depth = 11
	checkValue(t, scrape(t, m), NameWorkerQueueDepth, nil, 11)
	m.QueueDepth(func() int { return 2 })
	checkValue(t, scrape(t, m), NameWorkerQueueDepth, nil, 2)
	m.QueueDepth(nil)
	checkValue(t, scrape(t, m), NameWorkerQueueDepth, nil, 0)
}

// TestTwoServersIndependent checks that two Metrics in one process neither share values
// nor panic on duplicate registration.
func TestTwoServersIndependent(t *testing.T) {
	a, b := New(), New()
	a.Login(true)
	a.Login(true)
	b.Login(true)
	checkValue(t, scrape(t, a), NameLogins, map[string]string{"result": "success"}, 2)
	checkValue(t, scrape(t, b), NameLogins, map[string]string{"result": "success"}, 1)
}

// TestConcurrent hammers the methods from several goroutines (meaningful under -race)
// while scraping, then checks the totals.
func TestConcurrent(t *testing.T) {
	m := New()
	const workers, per = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				m.SessionOpened()
				m.Login(i%2 == 0)
				m.Transfer(w%2 == 0, 10, true)
				m.Reply(226)
				m.Command(proto.Verb(1+(i%int(proto.NumVerbs-1))), time.Microsecond)
				m.ThrottleWait(false, time.Millisecond)
				m.SessionClosed(reactor.ReasonClientClosed)
			}
		}()
	}
	scrape(t, m) // concurrently with the writers
	wg.Wait()
	fams := scrape(t, m)
	checkValue(t, fams, NameSessions, nil, 0)
	checkValue(t, fams, NameSessionsTotal, nil, workers*per)
	checkValue(t, fams, NameSessionsClosed, map[string]string{"reason": "client_closed"}, workers*per)
	checkValue(t, fams, NameLogins, map[string]string{"result": "success"}, workers*per/2)
	checkValue(t, fams, NameReplies, map[string]string{"class": "2xx"}, workers*per)
	checkValue(t, fams, NameTransferBytes, map[string]string{"direction": "upload"}, workers/2*per*10)
	checkValue(t, fams, NameThrottleWait, map[string]string{"direction": "download"}, workers*per*0.001)
	var n uint64
	for _, s := range fams[NameCommandDuration].GetMetric() {
		n += s.GetHistogram().GetSampleCount()
	}
	if n != workers*per {
		t.Errorf("command observations %d, want %d", n, workers*per)
	}
	if got := len(fams[NameCommandDuration].GetMetric()); got != int(proto.NumVerbs-1) {
		t.Errorf("%d command series, want %d", got, proto.NumVerbs-1)
	}
}
