package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chartResults: fastftpd, two peers and raw on two transfer scenarios (pyftpdlib missing
// one), login for all four, idle for fastftpd only, two classic rows.
func chartResults() *Results {
	r := &Results{Meta: map[string]string{}, Versions: map[string]string{}, Auth: map[string]string{}, index: map[string]*Cell{}}
	add := func(server, scen, res, fig, unit string, v float64) {
		r.add(server, scen, res, fig, unit, v)
		c := r.Get(server, scen, res, fig)
		c.Median, c.Min, c.Max = summarize(c.Samples)
	}
	for i, s := range []string{"fastftpd", "pyftpdlib", "vsftpd", "raw"} {
		v := float64(1000 + 100*i)
		add(s, "retr-1x10M", "retr", "throughput", "MB/s", v)
		add(s, "retr-1x10M", "retr", "server_cpu_per_gib", "cpu-s/GiB", 0.2)
		if s != "pyftpdlib" {
			add(s, "stor-1x10M", "stor", "throughput", "MB/s", v)
		}
		add(s, "login", "login", "rate", "sessions/s", v*10)
	}
	add("fastftpd", "idle-2000", "idle", "kib_per_idle_session", "KiB", 1.1)
	add("vsftpd", "idle-2000", "idle", "kib_per_idle_session", "KiB", 2000)
	r.Classic = []ClassicRow{{"classic.stor", "STOR", "throughput"}, {"classic.connect", "300 connect", "seconds"}}
	for _, s := range []string{"fastftpd", "vsftpd"} {
		add(s, "classic", "classic.stor", "throughput", "MB/s", 900)
		add(s, "classic", "classic.connect", "seconds", "secs", 0.04)
	}
	return r
}

func TestChartsOnePerKeyTable(t *testing.T) {
	r := chartResults()
	dir := t.TempDir()
	sections := r.sections()
	if err := r.writeCharts(filepath.Join(dir, "perf", "results", "charts"), dir, sections); err != nil {
		t.Fatal(err)
	}
	// file: the section it follows, its bars (servers × categories with a value), its
	// n/a marks, and whether its axis is logarithmic.
	want := []struct {
		file, section string
		bars, na      int
		log           bool
	}{
		{"classic-throughput.svg", "classic", 2, 0, false},
		{"classic-seconds.svg", "classic", 2, 0, false},
		{"login.svg", "login", 4, 0, false},
		{"idle.svg", "idle", 2, 0, true}, // 1.1 and 2000 KiB: over two decades
		{"xfer.svg", "xfer", 7, 1, false},
		{"xfercpu.svg", "xfercpu", 4, 4, false}, // stor has no CPU figure: a category of n/a
	}
	got := r.charts()
	if len(got) != len(want) {
		var names []string
		for _, c := range got {
			names = append(names, c.File)
		}
		t.Fatalf("charts %v, want %d", names, len(want))
	}
	for i, w := range want {
		b, err := os.ReadFile(filepath.Join(dir, "perf", "results", "charts", w.file))
		if err != nil {
			t.Fatal(err)
		}
		svg := string(b)
		if got[i].File != w.file || got[i].Section != w.section {
			t.Errorf("chart %d: %s in %s, want %s in %s", i, got[i].File, got[i].Section, w.file, w.section)
		}
		if n := strings.Count(svg, `class="bar"`); n != w.bars {
			t.Errorf("%s: %d bars, want %d", w.file, n, w.bars)
		}
		if strings.Count(svg, `class="na"`) != w.na {
			t.Errorf("%s: %d n/a, want %d", w.file, strings.Count(svg, `class="na"`), w.na)
		}
		if strings.Contains(svg, "log scale") != w.log {
			t.Errorf("%s: log scale %v, want %v", w.file, !w.log, w.log)
		}
		if !strings.Contains(sections[w.section], "![") || !strings.Contains(sections[w.section], "(perf/results/charts/"+w.file+")") {
			t.Errorf("section %s does not reference %s:\n%s", w.section, w.file, sections[w.section])
		}
	}
}

// TestChartsFromLatest: the committed summary yields one chart per key table, with one bar
// per server and scenario that has a median.
func TestChartsFromLatest(t *testing.T) {
	r, err := loadSummary(filepath.Join("..", "results", "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	charts := r.charts()
	if len(charts) != 7 {
		t.Fatalf("%d charts from latest.json, want 7", len(charts))
	}
	for _, c := range charts {
		bars := 0
		for _, s := range c.Bars.Series {
			if len(s.Values) != len(c.Bars.Categories) {
				t.Errorf("%s: series %s has %d values for %d categories", c.File, s.Name, len(s.Values), len(c.Bars.Categories))
			}
			for _, v := range s.Values {
				if !math.IsNaN(v) {
					bars++
				}
			}
		}
		if n := strings.Count(c.Bars.SVG(), `class="bar"`); n != bars || n == 0 {
			t.Errorf("%s: %d bars drawn, %d medians", c.File, n, bars)
		}
	}
	// The transfer chart: 7 scenarios, fastftpd, 5 peers and raw, every cell measured.
	x := charts[4]
	if x.File != "xfer.svg" || len(x.Bars.Categories) != 7 || len(x.Bars.Series) != 7 || strings.Count(x.Bars.SVG(), `class="bar"`) != 49 {
		t.Errorf("xfer chart: %s, %d categories, %d series", x.File, len(x.Bars.Categories), len(x.Bars.Series))
	}
}

// TestRedrawChartsKeepsTables: -from rewrites only the chart references (the tables stay
// byte for byte), and a second run changes nothing.
func TestRedrawChartsKeepsTables(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "B.md")
	doc := "x\n<!-- perf:xfer -->\n| a | b |\n| 1 | 2 |\n\n![old](perf/results/charts/xfer.svg)\n<!-- /perf:xfer -->\n" +
		"<!-- perf:login -->\n| hand | made |\n<!-- /perf:login -->\ny\n"
	os.WriteFile(md, []byte(doc), 0o644)
	r := chartResults()
	// Only the figures of this document's two sections.
	r2 := &Results{Meta: r.Meta, Versions: r.Versions, Auth: r.Auth, index: map[string]*Cell{}}
	for _, c := range r.Cells {
		if c.Scenario == "login" || strings.HasPrefix(c.Scenario, "retr") || strings.HasPrefix(c.Scenario, "stor") {
			if c.Figure != "server_cpu_per_gib" {
				r2.Cells = append(r2.Cells, c)
				r2.index[cellKey(c.Server, c.Scenario, c.Result, c.Figure)] = c
			}
		}
	}
	if err := writeMarkdown(r2, md, "auto", false); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(md)
	want := "x\n<!-- perf:xfer -->\n| a | b |\n| 1 | 2 |\n\n![Transfer throughput (higher is better)](perf/results/charts/xfer.svg)\n<!-- /perf:xfer -->\n" +
		"<!-- perf:login -->\n| hand | made |\n\n![Logins per second (higher is better)](perf/results/charts/login.svg)\n<!-- /perf:login -->\ny\n"
	if string(b1) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b1, want)
	}
	if err := writeMarkdown(r2, md, "auto", false); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(md); string(b2) != string(b1) {
		t.Fatalf("second run changed the file:\n%s", b2)
	}
	if _, err := os.Stat(filepath.Join(dir, "perf", "results", "charts", "xfer.svg")); err != nil {
		t.Fatal(err)
	}
}
