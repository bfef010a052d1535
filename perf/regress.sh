#!/usr/bin/env bash
# perf/regress.sh: the short regression mode (~3 minutes on 2 cores) CI can afford.
# Runs, 5 times alternating, fastftpd and the raw sendfile server (a login storm, 10 RETR
# streams, 2,000 idle sessions) plus the proto/throttle microbenchmarks beside their naive
# twins; folds them into ratios measured in the same run (fastftpd / raw, fast path /
# naive twin) and 0-alloc counts, and compares them with the committed baseline using
# `ftpbench compare` (Welch's t-test on the samples, so noise is not a regression).
#
#   bash perf/regress.sh            # exit 1 when a figure is worse by > THRESHOLD beyond noise
#   bash perf/regress.sh --update   # measure and make this run the new baseline (commit it)
#
# Environment: THRESHOLD (15%), REPS (5), and lib.sh's PERF_* variables. Needs root (it
# creates a test user like run.sh). perf stat instruction counts are used where the kernel
# offers them (not in this VM: "instructions" is <not supported>), see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# A work dir of its own, so it never swaps binaries under a running perf/run.sh.
export PERF_WORK=${PERF_WORK:-/dev/shm/fastftp-regress}
# shellcheck source=perf/lib.sh
source perf/lib.sh

THRESHOLD=${THRESHOLD:-15%}
BASELINE=perf/baseline/regress.json
OUT=${OUT:-$PERF_WORK/regress}
update=0
[ "${1:-}" = --update ] && update=1

rm -rf "$OUT"
mkdir -p "$OUT"
# run.sh does the measuring: same scenarios code, only fastftpd and raw, short windows, no
# peers to install.
SKIP_PEERS=1 NO_REPORT=1 OUT=$OUT REPS=${REPS:-5} DURATION=2s WARMUP=0.5s SERVERS="fastftpd raw" \
  SCENARIOS="login retr-10x10M idle-2000 micro-short" bash perf/run.sh
"$PERF_BIN/report" -in "$OUT" -regress "$OUT/new.json"
if [ "$update" = 1 ]; then
  mkdir -p "$(dirname "$BASELINE")"
  cp "$OUT/new.json" "$BASELINE"
  log "baseline updated: $BASELINE (commit it)"
  exit 0
fi
[ -f "$BASELINE" ] || die "no baseline at $BASELINE: run bash perf/regress.sh --update"
"$PERF_BIN/ftpbench" compare "$BASELINE" "$OUT/new.json" --threshold "$THRESHOLD"
