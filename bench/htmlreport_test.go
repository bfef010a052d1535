// The HTML report: self-contained, every run drawn, and checked in a real headless
// browser (Debian's chromium; the browser part skips when it is not installed).
package bench

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastftp/fastftp/bench/svgchart"
)

// fakeReport is a report with a retr row (bytes, one window of secs points) and a login
// row (no bytes, two --repeat windows), with latencies scaled by slow and some errors.
func fakeReport(target string, secs int, slow float64, errs uint64) *Report {
	rep := &Report{Tool: "ftpbench", Version: Version, Target: target, Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Args: []string{"ftpbench", "retr", "-p", "***"}, Machine: ThisMachine(), ServerMem: -1}
	mk := func(scen, title, unit string, bytesPerOp uint64, windows int) *Result {
		r := &Result{Scenario: scen, Title: title, Headline: "rate", Clients: 4, Loop: "closed", OpUnit: unit,
			Errors: map[string]uint64{}, ErrorText: map[string]string{}, Latency: &Histogram{},
			ServerCPU: -1, ServerMem: -1, MachineCPU: -1, MachineSoftirq: -1}
		if bytesPerOp > 0 {
			r.Headline = "throughput"
		}
		t0 := time.Now()
		for w := 0; w < windows; w++ {
			ls := newLiveSeries(t0, time.Duration(secs)*time.Second)
			for s := 0; s < secs; s++ {
				at := t0.Add(time.Duration(s)*time.Second + 100*time.Millisecond)
				n := 50 + 20*(s%3) + 10*w
				for k := 0; k < n; k++ {
					d := time.Duration(slow * float64(time.Millisecond) * (1 + float64(k%10)))
					ls.record(at, d)
					r.Latency.Record(d)
					ls.addBytes(at, bytesPerOp)
				}
				r.Ops += uint64(n)
				r.Bytes += uint64(n) * bytesPerOp
			}
			for e := uint64(0); e < errs; e++ {
				ls.addError(t0.Add(1500 * time.Millisecond))
			}
			r.Series = append(r.Series, ls.finish(time.Duration(secs)*time.Second))
			r.Seconds += float64(secs)
			if errs > 0 {
				r.Errors["timeout"] += errs
				r.ErrorText["timeout"] = "bench: RETR: i/o timeout"
			}
		}
		r.computeFigures()
		return r
	}
	rep.Results = []*Result{
		mk("retr", "retr: 4 streams (RETR 10.0M file)", "transfers", 10<<20, 1),
		mk("login", "login: 4 clients (connect, login, quit)", "sessions", 0, 2),
	}
	return rep
}

func writeFakeHTML(t *testing.T) (string, []HTMLRun) {
	t.Helper()
	runs := []HTMLRun{
		{Name: "before.json", Report: fakeReport("127.0.0.1:2121", 12, 1, 0)},
		{Name: "after.json", Report: fakeReport("127.0.0.1:2121", 12, 1.5, 3)},
		{Name: "peer.json", Report: fakeReport("127.0.0.1:2122", 12, 0.7, 0)},
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, runs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, runs
}

// seriesRe matches one series' group in a chart: its style index and its polylines.
var seriesRe = regexp.MustCompile(`(?s)<g class="series" data-series="(\d+)"[^>]*>(.*?)</g>`)
var polyRe = regexp.MustCompile(`<polyline points="([^"]*)"`)

// seriesPoints returns, per series style, the point counts of its polylines, chart by chart.
func seriesPoints(dom string) map[int][]int {
	out := map[int][]int{}
	for _, m := range seriesRe.FindAllStringSubmatch(dom, -1) {
		i, _ := strconv.Atoi(m[1])
		n := 0
		for _, p := range polyRe.FindAllStringSubmatch(m[2], -1) {
			n += len(strings.Fields(p[1]))
		}
		out[i] = append(out[i], n)
	}
	return out
}

func TestHTMLReportSelfContained(t *testing.T) {
	path, runs := writeFakeHTML(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	// Nothing fetched: no script, stylesheet, image or font from anywhere (the SVG
	// namespace is a name, not a fetch).
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if n := strings.Count(page, "http"); n != strings.Count(page, `"http://www.w3.org/2000/svg"`) {
		t.Errorf("page names a URL other than the SVG namespace")
	}
	// Every run in every legend, the axes labelled with their units, the headline table.
	for _, r := range runs {
		if strings.Count(page, r.Name) < 5 {
			t.Errorf("run %s named %d times", r.Name, strings.Count(page, r.Name))
		}
	}
	for _, want := range []string{"throughput (MiB/s)", "sessions per second", "time in measured window (s)",
		"latency (ms)", "p99 latency (ms)", ">p99.9<", "Headline figures", "Errors by class", "i/o timeout", "role=\"img\""} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Per run: the throughput charts (12 points; login's two windows 24), the
	// percentile curves (40) and the p99 over time.
	pts := seriesPoints(page)
	for i := range runs {
		want := []int{12, pctCurvePoints, 12, 24, pctCurvePoints, 24}
		if fmt.Sprint(pts[i]) != fmt.Sprint(want) {
			t.Errorf("run %d: polyline points per chart %v, want %v", i, pts[i], want)
		}
	}
}

// chromium runs Debian's chromium headless on url with extra flags and returns its
// stdout and stderr; it skips the test when chromium is not installed.
func chromium(t *testing.T, url string, extra ...string) (string, string) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (Debian package chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleRe matches what chromium logs for a console message or an uncaught exception.
var consoleRe = regexp.MustCompile(`(?i)INFO:CONSOLE|Uncaught`)

func TestHTMLReportInChromium(t *testing.T) {
	path, runs := writeFakeHTML(t)
	url := "file://" + path

	// The console check can fail: a page with an error trips it.
	bad := filepath.Join(t.TempDir(), "bad.html")
	os.WriteFile(bad, []byte(`<html><body><script>console.error("x"); nope();</script></body></html>`), 0o644)
	if _, stderr := chromium(t, "file://"+bad, "--enable-logging=stderr", "--v=0", "--dump-dom"); !consoleRe.MatchString(stderr) {
		t.Fatalf("chromium logged no console error for a page with one; stderr:\n%s", stderr)
	}

	dom, stderr := chromium(t, url, "--enable-logging=stderr", "--v=0", "--dump-dom")
	if m := consoleRe.FindAllString(stderr, -1); len(m) > 0 {
		t.Errorf("console errors: %v\n%s", m, stderr)
	}
	// The DOM the browser built has every chart with its data.
	if n := strings.Count(dom, "<svg"); n < 6 {
		t.Fatalf("%d svg elements in the DOM, want the 6 charts and swatches", n)
	}
	pts := seriesPoints(dom)
	for i := range runs {
		if len(pts[i]) != 6 {
			t.Fatalf("run %d: %d charts drawn, want 6", i, len(pts[i]))
		}
		for c, n := range pts[i] {
			if n < 10 {
				t.Errorf("run %d chart %d: %d points", i, c, n)
			}
		}
	}

	// The screenshot: a PNG of the window's size, not blank, every run's colour in it.
	shot := filepath.Join(t.TempDir(), "shot.png")
	chromium(t, url, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Fatalf("screenshot %v, want 1280x2000", b)
	}
	colours := map[[3]uint8]int{}
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}]++
		}
	}
	if len(colours) < 50 {
		t.Fatalf("screenshot has %d distinct colours: blank?", len(colours))
	}
	for i := range runs {
		var c [3]uint8
		fmt.Sscanf(svgchart.Colour(i), "#%02x%02x%02x", &c[0], &c[1], &c[2])
		if colours[c] < 100 {
			t.Errorf("run %d's colour %s: %d pixels", i, svgchart.Colour(i), colours[c])
		}
	}
}
