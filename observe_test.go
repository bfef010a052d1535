package fastftp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fastftp/fastftp"
	"github.com/fastftp/fastftp/metrics"
	"github.com/fastftp/fastftp/xferlog"
)

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	return fams
}

// value sums the samples of a family whose labels include all of want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var sum float64
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// TestMetricsAndTransferLog serves real traffic with metrics and an xferlog, scrapes the
// endpoint over HTTP on loopback, parses it with the Prometheus parser and checks the log.
func TestMetricsAndTransferLog(t *testing.T) {
	m := metrics.New()
	web := httptest.NewServer(m.Handler())
	defer web.Close()
	logPath := filepath.Join(t.TempDir(), "xferlog")
	xl, err := xferlog.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer xl.Close()
	addr, dir, _ := startServer(t, fastftp.Config{Metrics: m, TransferLog: xl})
	writeRandom(t, filepath.Join(dir, "get me.bin"), 4096)

	c := login(t, addr, "alice")
	if err := c.Login("alice", "bad"); err == nil { // 503 already logged in: counts a 5xx
		t.Fatal("second login accepted")
	}
	got, _ := download(t, c, "get me.bin")
	if len(got) != 4096 {
		t.Fatalf("download: %d bytes", len(got))
	}
	if err := c.Stor("put.txt", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	c2, err := fastftpDial(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Login("alice", "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	c2.Quit()

	var fams map[string]*dto.MetricFamily
	deadline := time.Now().Add(5 * time.Second)
	for {
		fams = scrape(t, web.URL+"/metrics")
		if value(fams, metrics.NameLogins, map[string]string{"result": "failure"}) >= 1 &&
			value(fams, metrics.NameSessions, nil) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
		max    float64
	}{
		{metrics.NameSessions, nil, 1, 1}, // alice still connected; c2 gone
		{metrics.NameSessionsTotal, nil, 2, 2},
		{metrics.NameLogins, map[string]string{"result": "success"}, 1, 1},
		{metrics.NameLogins, map[string]string{"result": "failure"}, 1, 1},
		{metrics.NameTransferBytes, map[string]string{"direction": "download"}, 4096, 4096},
		{metrics.NameTransferBytes, map[string]string{"direction": "upload"}, 5, 5},
		{metrics.NameReplies, map[string]string{"class": "2xx"}, 5, 1e9},
		{metrics.NameReplies, map[string]string{"class": "5xx"}, 2, 1e9},
		{metrics.NameCommandDuration, map[string]string{"command": "RETR"}, 1, 1},
		{metrics.NameCommandDuration, map[string]string{"command": "PASS"}, 2, 3},
		{metrics.NameWorkerQueueDepth, nil, 0, 0},
	}
	for _, c := range checks {
		if v := value(fams, c.name, c.labels); v < c.min || v > c.max {
			t.Errorf("%s%v = %v, want %v..%v", c.name, c.labels, v, c.min, c.max)
		}
	}

	b, _ := os.ReadFile(logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("xferlog has %d lines, want 2:\n%s", len(lines), b)
	}
	f := strings.Fields(lines[0])
	// current-time(5) transfer-time host size name type action direction mode user service auth id status
	if len(f) != 18 || f[6] != "127.0.0.1" || f[7] != "4096" || f[8] != "/get_me.bin" || f[9] != "b" ||
		f[11] != "o" || f[12] != "r" || f[13] != "alice" || f[14] != "ftp" || f[17] != "c" {
		t.Errorf("download xferlog line: %q", lines[0])
	}
	if f := strings.Fields(lines[1]); len(f) != 18 || f[8] != "/put.txt" || f[11] != "i" || f[7] != "5" {
		t.Errorf("upload xferlog line: %q", lines[1])
	}
}

// TestSessionsClosedByReason: fastftp_sessions_closed_total moves under the reason each
// session really ended for, and the gauge of open sessions comes back to zero.
func TestSessionsClosedByReason(t *testing.T) {
	m := metrics.New()
	web := httptest.NewServer(m.Handler())
	defer web.Close()
	addr, _, _ := startServer(t, fastftp.Config{Metrics: m, IdleTimeout: time.Second})

	dial := func() (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "220 ") {
			t.Fatalf("greeting %q, %v", line, err)
		}
		return c, br
	}
	// untilClosed reads replies until the server closes the connection; it returns them.
	untilClosed := func(br *bufio.Reader) string {
		t.Helper()
		b, err := io.ReadAll(br)
		if err != nil {
			t.Fatalf("waiting for the server to close: %v (read %q)", err, b)
		}
		return string(b)
	}

	c, br := dial()
	io.WriteString(c, "QUIT\r\n")
	if got := untilClosed(br); !strings.HasPrefix(got, "221 ") {
		t.Fatalf("QUIT answered %q", got)
	}
	c, br = dial()
	io.WriteString(c, "NOOP\r\n")
	br.ReadString('\n')
	c.Close() // without QUIT
	c, br = dial()
	io.WriteString(c, strings.Repeat("A", 5000)+"\r\n")
	if got := untilClosed(br); !strings.HasPrefix(got, "500 ") {
		t.Fatalf("an over-long line answered %q", got)
	}
	_, br = dial() // says nothing: the idle timeout closes it
	if got := untilClosed(br); !strings.HasPrefix(got, "421 ") {
		t.Fatalf("idle session got %q", got)
	}

	want := map[string]float64{"client_quit": 1, "client_closed": 1, "line_too_long": 1, "idle_timeout": 1, "server_shutdown": 0}
	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fams = scrape(t, web.URL+"/metrics")
		if value(fams, metrics.NameSessions, nil) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for reason, n := range want {
		if v := value(fams, metrics.NameSessionsClosed, map[string]string{"reason": reason}); v != n {
			t.Errorf("%s{reason=%q} = %v, want %v", metrics.NameSessionsClosed, reason, v, n)
		}
	}
	if v := value(fams, metrics.NameSessionsClosed, nil); v != 4 {
		t.Errorf("%s = %v in all, want 4", metrics.NameSessionsClosed, v)
	}
	if v := value(fams, metrics.NameSessions, nil); v != 0 {
		t.Errorf("%s = %v after every client left, want 0", metrics.NameSessions, v)
	}
}
