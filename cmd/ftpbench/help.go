// The -h text: flags grouped by what they set, each alias once, with examples. Written by
// hand because flag.PrintDefaults lists every alias as its own flag and shows the hidden
// --procs-child; TestHelpListsEveryFlag keeps it complete.

package main

const help = `ftpbench: load-test any FTP server.

Usage:
  ftpbench [SCENARIO] [flags]            SCENARIO: login idle retr stor list mirror,
                                         or pyftpdlib's transfer download upload concurrence all
  ftpbench compare OLD.json NEW.json [--threshold 5%] [--format text|markdown]
  ftpbench report RUN.json [MORE.json ...] [-o report.html]
  ftpbench merge A.json B.json [MORE.json ...] [--json ALL.json] [--format text|benchstat]

Connection:
  -H, --host HOST          server host name or IP, IPv6 without brackets (default localhost)
  -P, --port PORT          server port (default 21)
  -u, --user USER          user name (default anonymous)
  -p, --pass, --password PASS
                           password (recorded as *** in --json)
  -S, --ssl                explicit FTPS (AUTH TLS)
      --implicit           implicit FTPS (TLS from the first byte)
      --data MODE          data connections: pasv, epsv, port or eprt (default pasv)
  -t, --timeout SECS       bound on every network step: seconds or a duration like 500ms (default 30)
      --source ADDRS       local source addresses: 127.0.0.1-127.0.0.8 or a,b,c (past ~28,000 ports each)

Scenario:
  -b, --benchmark NAMES    scenarios, comma-separated, when not given first (default transfer)
  -s, --filesize SIZE      bytes per transfer: 10M, 512K, 1G (default 10M)
      --file NAME          RETR this existing remote file instead of uploading one: read-only servers
      --list-files N       entries in the list scenario's directory (default 1000)
      --dir DIR            remote directory for the benchmark's files (default: the login directory)
      --verify             check the sha256 of every download (stor: read each stream's last upload back)
      --seed N             seed of the generated file content (default 1)
      --keep               leave the generated remote files and directories (ftpbench-list-N/,
                           ftpbench-mirror/) in place; by default every scenario removes what it made
      --tag PREFIX         prefix for this run's remote file names
      --pipeline           login: USER, PASS and QUIT in one write
      --net-login          login: Go's net package instead of raw-socket event loops
      --reset-close        login: end each session with a reset (SO_LINGER 0) after the 221

Load shape:
  -n, --clients N          concurrent clients or streams (default 200 for pyftpdlib's scenarios, 10 otherwise)
      --duration SECS      measured window per scenario (default 5)
      --warmup SECS        unmeasured warm-up before the window (default 1)
      --count N            run exactly N operations instead of a timed window
      --rate R             open loop: R operations per second, latency from the scheduled time
      --repeat N           run each scenario N times: samples for compare's noise test (default 1)
      --procs N            spread the clients over N child processes (default 1)

Measurement:
  -k, --pid PIDS           the server's PIDs, space- or comma-separated (-k "$(pgrep -f myftpd)"):
                           CPU and memory of each process tree, summed

Output:
      --json FILE          every figure with its unit, the machine and the command line
      --format FMT         stdout: text (the table) or benchstat (Go benchmark lines, one per
                           repetition, for benchstat old.txt new.txt; the table goes to stderr)
  -q                       no progress line on stderr
  -d, --debug              log the FTP conversation to stderr

Examples:
  ftpbench -u user -p secret -P 2121 -b all                  pyftpdlib's table
  ftpbench retr -u user -p secret -P 2121 -n 10 -s 100M -k "$(pgrep -f myftpd)"
  ftpbench login -P 2121 --rate 2000 --duration 30           open loop, 2000 logins/s
  ftpbench idle -P 2121 -n 10000 --procs 4 -k 1234           server memory per idle session
  ftpbench retr -P 21 --file pub/linux.iso -n 4              a read-only server: RETR an existing file
  ftpbench retr -P 2121 --repeat 5 --json new.json && ftpbench compare old.json new.json
  ftpbench retr -P 2121 --repeat 6 --format benchstat > new.txt && benchstat old.txt new.txt
  ftpbench report old.json new.json -o report.html           charts of both runs, overlaid
  ftpbench merge agent1.json agent2.json --json all.json     several agents against one fleet, as one run

-p and -P:
  ftpbench follows pyftpdlib's ftpbench, where -p is the password and -P the port, so that
  its command lines and published tables carry over unchanged. pyftpdlib's server
  (python -m pyftpdlib) and fastftpd use them the other way round: -p port, -P password.

Units: sizes are binary (1M = 1 MiB); MB/s is MiB per second; us is microseconds.
`

const compareHelp = `Usage: ftpbench compare OLD.json NEW.json [--threshold 5%] [--format text|markdown]

Compares every figure the two --json reports share, scenario by scenario. A figure regresses
when it got worse by more than the threshold and, with --repeat samples on both sides,
Welch's t-test says the change is not noise; with one sample a side the threshold alone
decides, and the output says so.

  --threshold PCT   worsening tolerated, in percent (default 5%)
  --format FMT      text, or markdown: a table for a pull request or a CI job summary

Exit status: 0 no regression, 1 a regression, 2 nothing compared (no scenario with a
compared figure in both reports) or bad arguments.
`

const reportHelp = `Usage: ftpbench report RUN.json [MORE.json ...] [-o report.html]

Draws one or more --json reports as one self-contained HTML page (inline SVG, no script,
nothing fetched from the network): the runs and their machines, a table of headline
figures, and for each scenario the throughput over time (one point a second), the latency
percentile curve (p50 to p99.9), the p99 latency per second and the errors by class. Every
run has its own colour and dash pattern, named in each legend by its file.

  -o FILE   the page to write (default report.html; - for stdout)

Exit status: 0 written, 2 bad arguments or a report that cannot be read.
`

const mergeHelp = `Usage: ftpbench merge A.json B.json [MORE.json ...] [--json ALL.json] [--format text|benchstat]

Adds up the --json reports of agents that ran the same scenarios against one server or
fleet at the same time (one ftpbench per client machine) into one report: operations,
bytes, errors by class, sessions and incomplete rows add up; latency histograms merge, so
the percentiles are those of every agent's operations together (not an average of
percentiles), and so do the client scheduling-delay ones (client_sched_p99); rates and throughputs are the sum of the agents'; the window is the longest
agent's. Server CPU and memory add up over the agents run with -k (run -k on one agent per
server host); machine CPU adds up unless two agents ran on one host. Per-second series
are aligned on the agents' clocks (keep them in sync with NTP).

Reports of other scenarios, file sizes (-s), listing sizes (--list-files) or loop kinds
(--rate against closed loop), or made with --repeat, are refused, naming the file.

  --json FILE   write the merged report (for compare and report)
  --format FMT  stdout: text (the table) or benchstat (Go benchmark lines; the table goes
                to stderr)

Exit status: 0 merged, 1 the output could not be written, 2 bad arguments or reports that
cannot be merged.
`
