// Command schedlat measures the Go scheduler's delay inside a running fastftpd: how long
// runnable goroutines (the event loops among them) waited for a P. fastftpd exports the
// runtime's cumulative /sched/latencies:seconds histogram on its /metrics page as
// fastftp_sched_latency_seconds (1-2-5 buckets); schedlat takes two snapshots around a
// benchmark window and reports the percentiles of the difference, so the figure covers
// that window alone.
//
//	schedlat snap http://127.0.0.1:9121/metrics > before.prom
//	... run the benchmark ...
//	schedlat snap http://127.0.0.1:9121/metrics > after.prom
//	schedlat diff before.prom after.prom > sched.json
//
// diff prints {"samples":N,"p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..}; each
// percentile is the upper bound of the 1-2-5 bucket it falls in, which is the precision. A server without the histogram (an
// older build) gives exit status 3 and a message, not a figure.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const metric = "fastftp_sched_latency_seconds"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "schedlat:", err)
		if errors.Is(err, errNoHistogram) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

var errNoHistogram = errors.New("no " + metric + " histogram (server built before it was exported?)")

func run(args []string, out io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "snap":
		return snap(args[1], out)
	case len(args) == 3 && args[0] == "diff":
		a, err := readFile(args[1])
		if err != nil {
			return err
		}
		b, err := readFile(args[2])
		if err != nil {
			return err
		}
		s, err := diff(a, b)
		if err != nil {
			return err
		}
		return json.NewEncoder(out).Encode(s)
	}
	return errors.New("usage: schedlat snap URL > FILE | schedlat diff BEFORE AFTER")
}

// snap copies the metrics page to out unchanged: parsing happens at diff time, so a
// snapshot costs the server one scrape and nothing else.
func snap(url string, out io.Writer) error {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	_, err = io.Copy(out, resp.Body)
	return err
}

// histogram is a cumulative histogram: counts[i] observations at or below bounds[i].
type histogram struct {
	bounds []float64
	counts []uint64
}

func readFile(path string) (histogram, error) {
	f, err := os.Open(path)
	if err != nil {
		return histogram{}, err
	}
	defer f.Close()
	h, err := parse(f)
	if err != nil {
		return h, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

func parse(r io.Reader) (histogram, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return histogram{}, err
	}
	fam := fams[metric]
	if fam == nil || fam.GetType() != dto.MetricType_HISTOGRAM || len(fam.Metric) == 0 {
		return histogram{}, errNoHistogram
	}
	var h histogram
	hist := fam.Metric[0].GetHistogram()
	for _, b := range hist.GetBucket() {
		h.bounds = append(h.bounds, b.GetUpperBound())
		h.counts = append(h.counts, b.GetCumulativeCount())
	}
	// The text format's +Inf bucket may come back only as the sample count.
	if n := len(h.bounds); n == 0 || !math.IsInf(h.bounds[n-1], 1) {
		h.bounds = append(h.bounds, math.Inf(1))
		h.counts = append(h.counts, hist.GetSampleCount())
	}
	return h, nil
}

// Summary is what diff prints; times in milliseconds.
type Summary struct {
	Samples uint64  `json:"samples"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

func diff(a, b histogram) (Summary, error) {
	if len(a.bounds) != len(b.bounds) {
		return Summary{}, errors.New("the two snapshots have different buckets (different servers?)")
	}
	d := make([]uint64, len(b.counts))
	for i := range b.counts {
		if b.bounds[i] != a.bounds[i] || b.counts[i] < a.counts[i] {
			return Summary{}, errors.New("the snapshots do not come from one process in order (restarted server?)")
		}
		d[i] = b.counts[i] - a.counts[i]
	}
	s := Summary{}
	if len(d) == 0 || d[len(d)-1] == 0 {
		return s, nil
	}
	total := d[len(d)-1]
	s.Samples = total
	at := func(q float64) float64 {
		rank := uint64(math.Ceil(q * float64(total)))
		i := sort.Search(len(d), func(i int) bool { return d[i] >= rank })
		return ms(b.bounds, i)
	}
	s.P50, s.P90, s.P99 = at(0.50), at(0.90), at(0.99)
	// The highest bucket that gained an observation.
	for i := len(d) - 1; i >= 0; i-- {
		if i == 0 || d[i] > d[i-1] {
			s.Max = ms(b.bounds, i)
			break
		}
	}
	return s, nil
}

// ms is bucket i's upper bound in milliseconds; the +Inf bucket reports the bound below it.
func ms(bounds []float64, i int) float64 {
	v := bounds[i]
	if math.IsInf(v, 1) && i > 0 {
		v = bounds[i-1]
	}
	return v * 1000
}
