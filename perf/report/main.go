// Command report turns a perf/run.sh results directory into a summary JSON (medians,
// min-max, every sample) and regenerates the tables of BENCHMARKS.md between its markers
// `<!-- perf:NAME -->` and `<!-- /perf:NAME -->`; the prose around them is left alone.
//
//	report -in RESULTS_DIR -json perf/results/latest.json -md BENCHMARKS.md
//	report -in RESULTS_DIR -ab [-summary gate.md] # perf/regress.sh: judge this tree against the base
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
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
	js := flag.String("json", "", "write the summary JSON here")
	md := flag.String("md", "", "Markdown file whose marked sections are regenerated")
	ab := flag.Bool("ab", false, "regression gate: judge the fastftpd rounds against the base rounds; exit 1 on a regression")
	summary := flag.String("summary", "", "with -ab: also write the verdict table (Markdown) here")
	flag.Parse()
	if *in == "" {
		log.Fatal("report: -in is required")
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
	if *md != "" {
		old, err := os.ReadFile(*md)
		if err != nil {
			log.Fatalf("report: read %s: %v", *md, err)
		}
		out, err := fill(string(old), res.sections())
		if err != nil {
			log.Fatalf("report: %s: %v", *md, err)
		}
		if err := os.WriteFile(*md, []byte(out), 0o644); err != nil {
			log.Fatalf("report: write %s: %v", *md, err)
		}
	}
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
