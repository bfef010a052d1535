// Command report turns a perf/run.sh results directory into a summary JSON (medians,
// min-max, every sample) and regenerates the tables of BENCHMARKS.md between its markers
// `<!-- perf:NAME -->` and `<!-- /perf:NAME -->`; the prose around them is left alone.
//
// Beside each key table it draws the comparison as an SVG bar chart (perf/results/charts/
// next to the Markdown file unless -charts says otherwise) and links it from the section.
//
//	report -in RESULTS_DIR -json perf/results/latest.json -md BENCHMARKS.md
//	report -from perf/results/latest.json -md BENCHMARKS.md   # redraw from the summary
//	report -in RESULTS_DIR -ab [-summary gate.md] # perf/regress.sh: judge this tree against the base
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Errors.
var (
	// errMarker reports a BENCHMARKS.md without the markers of a section.
	errMarker = errors.New("report: missing section markers")
	// errBadJSON reports a summary the hand-rolled encoder got wrong.
	errBadJSON = errors.New("report: summary encoding is not valid JSON")
)

func main() {
	in := flag.String("in", "", "results directory written by perf/run.sh")
	from := flag.String("from", "", "instead of -in: a summary JSON written by -json (tables and charts only)")
	charts := flag.String("charts", "auto", "with -md: directory for the SVG charts (auto: perf/results/charts beside the -md file; none: no charts)")
	js := flag.String("json", "", "write the summary JSON here")
	md := flag.String("md", "", "Markdown file whose marked sections are regenerated")
	ab := flag.Bool("ab", false, "regression gate: judge the fastftpd rounds against the base rounds; exit 1 on a regression")
	summary := flag.String("summary", "", "with -ab: also write the verdict table (Markdown) here")
	flag.Parse()
	if (*in == "") == (*from == "") {
		log.Fatal("report: one of -in and -from is required")
	}
	if *from != "" {
		if *ab || *js != "" {
			log.Fatal("report: -from redraws tables and charts only (no -ab, no -json)")
		}
		res, err := loadSummary(*from)
		if err != nil {
			log.Fatal(err)
		}
		if err := writeMarkdown(res, *md, *charts, false); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *ab {
		if err := runAB(*in, *summary); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	res, err := load(*in)
	if err != nil {
		log.Fatal(err)
	}
	if *js != "" {
		b, err := res.summary().encode()
		if err != nil {
			log.Fatalf("report: encode: %v", err)
		}
		if err := os.WriteFile(*js, b, 0o644); err != nil {
			log.Fatalf("report: write %s: %v", *js, err)
		}
	}
	if err := writeMarkdown(res, *md, *charts, true); err != nil {
		log.Fatal(err)
	}
}

// writeMarkdown regenerates md's sections (nothing when md is ""), with the charts in
// chartDir ("auto": perf/results/charts beside md; "none": no charts). Without tables
// (-from: a summary's values are rounded to five digits, and the tables were made from
// the raw runs) the tables stay as they are and only the charts are redrawn.
func writeMarkdown(res *Results, md, chartDir string, tables bool) error {
	if md == "" {
		return nil
	}
	old, err := os.ReadFile(md)
	if err != nil {
		return fmt.Errorf("report: read %s: %w", md, err)
	}
	sections := res.sections()
	if !tables {
		sections = map[string]string{}
		for _, c := range res.charts() {
			body, ok := sectionBody(string(old), c.Section)
			if !ok {
				return fmt.Errorf("report: %s: %w: %s", md, errMarker, c.Section)
			}
			sections[c.Section] = body
		}
	}
	switch chartDir {
	case "none":
	case "auto":
		chartDir = filepath.Join(filepath.Dir(md), "perf", "results", "charts")
		fallthrough
	default:
		if err := res.writeCharts(chartDir, filepath.Dir(md), sections); err != nil {
			return fmt.Errorf("report: charts: %w", err)
		}
	}
	out, err := fill(string(old), sections)
	if err != nil {
		return fmt.Errorf("report: %s: %w", md, err)
	}
	if err := os.WriteFile(md, []byte(out), 0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", md, err)
	}
	return nil
}

// chartRef matches a chart's line in a section.
var chartRef = regexp.MustCompile(`^!\[[^\]]*\]\([^)]*\.svg\)$`)

// sectionBody returns the body of section name in doc as fill writes it, without the
// chart references at its end.
func sectionBody(doc, name string) (string, bool) {
	open, close := "<!-- perf:"+name+" -->", "<!-- /perf:"+name+" -->"
	i := strings.Index(doc, open)
	j := strings.Index(doc, close)
	if i < 0 || j < i {
		return "", false
	}
	lines := strings.Split(strings.TrimPrefix(doc[i+len(open):j], "\n"), "\n")
	// The body ends with "\n": its last line is empty.
	end := len(lines) - 1
	for end > 0 && (lines[end-1] == "" || chartRef.MatchString(lines[end-1])) {
		end--
	}
	return strings.Join(lines[:end], "\n") + "\n", true
}

// fill replaces the body between each section's markers. Every marker pair present in
// doc must have a section; sections without markers are an error, so a renamed marker
// cannot silently stop a table from being refreshed.
func fill(doc string, sections map[string]string) (string, error) {
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	var missing []string
	for _, n := range names {
		open, close := "<!-- perf:"+n+" -->", "<!-- /perf:"+n+" -->"
		i := strings.Index(doc, open)
		j := strings.Index(doc, close)
		if i < 0 || j < i {
			missing = append(missing, n)
			continue
		}
		doc = doc[:i+len(open)] + "\n" + sections[n] + doc[j:]
	}
	if len(missing) > 0 {
		return doc, fmt.Errorf("%w: %s", errMarker, strings.Join(missing, ", "))
	}
	return doc, nil
}
