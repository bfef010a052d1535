// Command ftpbench load-tests any FTP server: pyftpdlib's ftpbench flags and table, plus
// login/idle/retr/stor/list/mirror scenarios, JSON reports, `compare` for CI, `report`
// (an HTML page of charts) and `merge` (several agents' reports as one).
// This file only parses flags and wires them to package bench.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fastftp/fastftp/bench"
	"github.com/fastftp/fastftp/ftpclient"
)

const usage = `usage:
  ftpbench -u USER -p PASS [-H host] [-P port] [-b transfer|download|upload|concurrence|all] [-n clients] [-s size] [-k pid] [-t timeout] [-d] [-S]
  ftpbench SCENARIO [flags]      SCENARIO: login idle retr stor list mirror (or any -b value)
  ftpbench compare OLD.json NEW.json [--threshold 5%] [--format text|markdown]
  ftpbench report RUN.json [MORE.json ...] [-o report.html]
  ftpbench merge A.json B.json [MORE.json ...] [--json ALL.json] [--format text|benchstat]
ftpbench -h explains every flag.
`

// flagsDefined, when set (by a test), is given the flag set once every flag is defined.
var flagsDefined func(*flag.FlagSet)

// secondsFlag accepts pyftpdlib's integer seconds or a Go duration ("500ms").
type secondsFlag struct{ d *time.Duration }

func (s secondsFlag) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s secondsFlag) Set(v string) error {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		*s.d = time.Duration(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	*s.d = d
	return err
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "compare" {
		return compare(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "report" {
		return htmlReport(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "merge" {
		return merge(args[1:], stdout, stderr)
	}
	cmdline := append([]string{"ftpbench"}, maskPassword(args)...)
	var scenario string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		scenario, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("ftpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // -h prints help below; a bad flag gets its error and the short usage
	var (
		cfg                  bench.Config
		bench_, size, data   string
		sources, jsonPath    string
		format               string
		debug, ssl, implicit bool
		child, quiet         bool
		procs                int
		seed                 uint64
		timeout              time.Duration
		duration, warmup     = 5 * time.Second, time.Second
	)
	str := func(p *string, short, long, def, help string) {
		if short != "" {
			fs.StringVar(p, short, def, help)
		}
		fs.StringVar(p, long, def, help)
	}
	str(&cfg.User, "u", "user", "", "username")
	str(&cfg.Pass, "p", "pass", "", "password")
	fs.StringVar(&cfg.Pass, "password", "", "password")
	str(&cfg.Host, "H", "host", "localhost", "hostname or IP (IPv6 without brackets)")
	fs.IntVar(&cfg.Port, "P", 21, "port")
	fs.IntVar(&cfg.Port, "port", 21, "port")
	str(&bench_, "b", "benchmark", "transfer", "benchmark: "+strings.Join(bench.Scenarios, ", ")+" (comma-separated)")
	fs.IntVar(&cfg.Clients, "n", 0, "number of concurrent clients (default 200 classic, 10 otherwise)")
	fs.IntVar(&cfg.Clients, "clients", 0, "number of concurrent clients")
	str(&size, "s", "filesize", "10M", "file size (e.g. 10M, 512K)")
	fs.Var(pidsFlag{&cfg.PIDs}, "k", "PIDs of the FTP server (space- or comma-separated), to sample memory and CPU of each tree")
	fs.Var(pidsFlag{&cfg.PIDs}, "pid", "PIDs of the FTP server")
	fs.Var(secondsFlag{&timeout}, "t", "socket timeout (seconds or duration)")
	fs.Var(secondsFlag{&timeout}, "timeout", "socket timeout (seconds or duration)")
	fs.BoolVar(&debug, "d", false, "log the FTP conversation to stderr")
	fs.BoolVar(&debug, "debug", false, "log the FTP conversation to stderr")
	fs.BoolVar(&ssl, "S", false, "use FTPS (explicit, AUTH TLS)")
	fs.BoolVar(&ssl, "ssl", false, "use FTPS (explicit, AUTH TLS)")
	fs.BoolVar(&implicit, "implicit", false, "use implicit FTPS (TLS from the first byte)")
	fs.Var(secondsFlag{&duration}, "duration", "measured window per scenario")
	fs.Var(secondsFlag{&warmup}, "warmup", "unmeasured warm-up before the window")
	fs.Int64Var(&cfg.Count, "count", 0, "run exactly this many operations instead of --duration")
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: target operations per second (0: closed loop)")
	fs.StringVar(&data, "data", "pasv", "data connections: pasv, epsv, port or eprt")
	fs.BoolVar(&cfg.Verify, "verify", false, "check the sha256 of every download")
	fs.Uint64Var(&seed, "seed", 1, "seed of generated file content")
	fs.StringVar(&cfg.Dir, "dir", "", "remote directory for the benchmark's files")
	fs.IntVar(&cfg.ListFiles, "list-files", 1000, "entries in the list scenario's directory")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "run each scenario N times (samples for compare)")
	fs.BoolVar(&cfg.Keep, "keep", false, "leave generated remote files in place")
	fs.StringVar(&cfg.File, "file", "", "RETR this existing remote file instead of uploading one")
	fs.StringVar(&sources, "source", "", "local source addresses, e.g. 127.0.0.1-127.0.0.8")
	fs.IntVar(&procs, "procs", 1, "spread clients over N child processes")
	fs.StringVar(&jsonPath, "json", "", "write every figure to this JSON file")
	fs.StringVar(&format, "format", "text", "stdout: text (the table) or benchstat (Go benchmark lines; the table goes to stderr)")
	fs.BoolVar(&quiet, "q", false, "no progress line")
	fs.BoolVar(&cfg.Pipeline, "pipeline", false, "login: send USER, PASS and QUIT in one write")
	fs.BoolVar(&cfg.NetLogin, "net-login", false, "login: use Go's net package (netpoller) instead of raw-socket event loops")
	fs.BoolVar(&cfg.ResetClose, "reset-close", false, "login: close with a reset (SO_LINGER 0) after the 221 instead of a FIN")
	fs.StringVar(&cfg.Tag, "tag", "", "prefix for this run's remote file names")
	fs.BoolVar(&child, strings.TrimPrefix(bench.ChildFlag, "--"), false, "internal: run as a --procs child")
	if flagsDefined != nil {
		flagsDefined(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, help)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	if scenario == "" {
		scenario = bench_
	}
	if format != "text" && format != "benchstat" {
		fmt.Fprintf(stderr, "ftpbench: --format %q: want text or benchstat\n", format)
		return 2
	}
	names := strings.Split(scenario, ",")
	var err error
	if cfg.FileSize, err = bench.ParseSize(size); err != nil {
		fmt.Fprintln(stderr, "ftpbench: invalid file size:", err)
		return 2
	}
	if cfg.Data, err = ftpclient.ParseDataMode(data); err != nil {
		fmt.Fprintln(stderr, "ftpbench:", err)
		return 2
	}
	if sources != "" {
		if cfg.Sources, err = bench.ParseSources(sources); err != nil {
			fmt.Fprintln(stderr, "ftpbench:", err)
			return 2
		}
	}
	cfg.Timeout, cfg.Duration, cfg.Warmup, cfg.Seed = timeout, duration, warmup, seed
	cfg.Args = cmdline
	if ssl {
		cfg.TLS = ftpclient.TLSExplicit
	}
	if implicit {
		cfg.TLS = ftpclient.TLSImplicit
	}
	if cfg.TLS != ftpclient.TLSNone {
		cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	if debug {
		cfg.Debug = stderr
	}
	if child {
		cfg.Ready = readySignal()
	}
	if f, ok := stderr.(*os.File); ok && !quiet && !child && isTerminal(f) {
		cfg.Progress = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var rep *bench.Report
	if procs > 1 && !child {
		rep, err = runProcs(ctx, cfg, procs, names, args)
	} else {
		if child {
			cfg.Keep = true
		}
		rep, err = bench.Run(ctx, cfg, names...)
	}
	if child {
		if rep != nil {
			b, _ := jsonMarshal(rep)
			stdout.Write(b)
		}
		if err != nil {
			fmt.Fprintln(stderr, "ftpbench child:", err)
			return 1
		}
		return 0
	}
	if rep != nil && !output(rep, format, jsonPath, "ftpbench", stdout, stderr) {
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "ftpbench:", err)
		return 1
	}
	return 0
}

// output prints rep as --format asks and writes --json; it reports whether both went well.
func output(rep *bench.Report, format, jsonPath, cmd string, stdout, stderr io.Writer) bool {
	if format == "benchstat" {
		// stdout is for benchstat (ftpbench ... --format benchstat > new.txt); the
		// table still shows, on stderr.
		rep.PrintTable(stderr, true)
		if err := rep.WriteBenchstat(stdout); err != nil {
			fmt.Fprintln(stderr, cmd+":", err)
			return false
		}
	} else {
		rep.PrintTable(stdout, true)
	}
	if jsonPath != "" {
		if err := rep.WriteJSON(jsonPath); err != nil {
			fmt.Fprintln(stderr, cmd+":", err)
			return false
		}
	}
	return true
}

// merge is `ftpbench merge`: the --json reports of agents that loaded one fleet at the
// same time, added up into one report (table on stdout, optionally --json).
func merge(args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("ftpbench merge", stderr)
	jsonPath := fs.String("json", "", "write the merged report to this JSON file")
	format := fs.String("format", "text", "stdout: text (the table) or benchstat")
	files, code, done := parseFiles(fs, args, mergeHelp, stdout, stderr)
	if done {
		return code
	}
	if len(files) < 2 {
		fmt.Fprintln(stderr, "ftpbench merge: give two reports or more")
		fmt.Fprint(stderr, usage)
		return 2
	}
	if *format != "text" && *format != "benchstat" {
		fmt.Fprintf(stderr, "ftpbench merge: --format %q: want text or benchstat\n", *format)
		return 2
	}
	reps := make([]*bench.Report, len(files))
	for i, f := range files {
		var err error
		if reps[i], err = bench.ReadReport(f); err != nil {
			fmt.Fprintln(stderr, "ftpbench merge:", err)
			return 2
		}
	}
	rep, err := bench.MergeAgents(reps, files)
	if err != nil {
		fmt.Fprintln(stderr, "ftpbench merge:", err)
		return 2
	}
	if *format == "text" {
		for _, a := range rep.Agents {
			fmt.Fprintf(stdout, "agent %s: %s on %s, started %s\n", a.File, a.Target, a.Machine.Hostname,
				a.Started.UTC().Format("15:04:05.000"))
		}
	}
	if !output(rep, *format, *jsonPath, "ftpbench merge", stdout, stderr) {
		return 1
	}
	return 0
}

func runProcs(ctx context.Context, cfg bench.Config, n int, names []string, args []string) (*bench.Report, error) {
	if len(names) != 1 {
		return nil, errors.New("ftpbench: --procs runs one scenario at a time")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	paths, err := bench.Prepare(ctx, cfg, names[0])
	if err != nil {
		return nil, err
	}
	defer func() {
		if !cfg.Keep {
			bench.Remove(ctx, cfg, paths...)
			bench.Cleanup(ctx, cfg, names[0])
		}
	}()
	base := append([]string{names[0]}, stripFlags(args, "procs", "json", "k", "pid", "n", "clients", "count")...)
	clients := cfg.Clients
	if clients <= 0 {
		clients = 10
	}
	return bench.RunProcs(ctx, cfg, n, exe, func(i int) []string {
		return bench.ChildArgs(base, i, n, clients, cfg.Count)
	})
}

// stripFlags removes the named flags (and their values) from a command line.
func stripFlags(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		name, _, hasVal := strings.Cut(name, "=")
		drop := false
		for _, n := range names {
			if strings.HasPrefix(a, "-") && name == n {
				drop = true
			}
		}
		if !drop {
			out = append(out, a)
			continue
		}
		if !hasVal && i+1 < len(args) {
			i++ // skip the value
		}
	}
	return out
}

func compare(args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("ftpbench compare", stderr)
	threshold := fs.String("threshold", "5%", "tolerated worsening, in percent")
	format := fs.String("format", "text", "output: text, or markdown (a table for a pull request or CI job summary)")
	files, code, done := parseFiles(fs, args, compareHelp, stdout, stderr)
	if done {
		return code
	}
	if len(files) != 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	th, err := strconv.ParseFloat(strings.TrimSuffix(*threshold, "%"), 64)
	if err != nil {
		fmt.Fprintln(stderr, "ftpbench compare: bad --threshold:", *threshold)
		return 2
	}
	old, err := bench.ReadReport(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "ftpbench compare:", err)
		return 2
	}
	cur, err := bench.ReadReport(files[1])
	if err != nil {
		fmt.Fprintln(stderr, "ftpbench compare:", err)
		return 2
	}
	if *format != "text" && *format != "markdown" {
		fmt.Fprintf(stderr, "ftpbench compare: --format %q: want text or markdown\n", *format)
		return 2
	}
	rows, err := bench.CompareReports(old, cur, th)
	if err != nil {
		// Exit 2, not 0: a CI gate that compared nothing must not pass.
		fmt.Fprintf(stderr, "ftpbench compare: %s and %s: %v\n", files[0], files[1], err)
		return 2
	}
	if bench.WriteComparison(stdout, rows, th, *format) > 0 {
		return 1
	}
	return 0
}

// htmlReport is `ftpbench report`: the --json reports given, drawn as one HTML page.
func htmlReport(args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("ftpbench report", stderr)
	out := fs.String("o", "report.html", "the HTML page to write (- for stdout)")
	files, code, done := parseFiles(fs, args, reportHelp, stdout, stderr)
	if done {
		return code
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var runs []bench.HTMLRun
	for _, f := range files {
		rep, err := bench.ReadReport(f)
		if err != nil {
			fmt.Fprintln(stderr, "ftpbench report:", err)
			return 2
		}
		runs = append(runs, bench.HTMLRun{Name: filepath.Base(f), Report: rep})
	}
	var b strings.Builder
	if err := bench.WriteHTML(&b, runs); err != nil {
		fmt.Fprintln(stderr, "ftpbench report:", err)
		return 2
	}
	if *out == "-" {
		io.WriteString(stdout, b.String())
		return 0
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(stderr, "ftpbench report:", err)
		return 2
	}
	return 0
}

// readySignal returns the function a --procs child calls when its idle sessions are open:
// it writes one byte to the pipe its parent passed (bench.ReadyFDEnv), once.
func readySignal() func() {
	fd, err := strconv.Atoi(os.Getenv(bench.ReadyFDEnv))
	if err != nil || fd < 3 {
		return nil
	}
	f := os.NewFile(uintptr(fd), "ready")
	var once sync.Once
	return func() {
		once.Do(func() {
			f.Write([]byte{1})
			f.Close()
		})
	}
}

// subcommandFlags returns a subcommand's flag set: errors to stderr, and no generated
// usage (-h prints the written help, a bad flag its error and the short usage).
func subcommandFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

// parseFiles parses a subcommand's flags wherever they stand among its file names (before,
// between or after them) and returns the names. done is set when the command must end now
// with code: -h printed help (0), or a flag was wrong (2).
func parseFiles(fs *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (files []string, code int, done bool) {
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, help)
				return nil, 0, true
			}
			fmt.Fprint(stderr, usage)
			return nil, 2, true
		}
		args = fs.Args()
		if len(args) > 0 {
			files = append(files, args[0])
			args = args[1:]
		}
	}
	return files, 0, false
}
