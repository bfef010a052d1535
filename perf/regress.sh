#!/usr/bin/env bash
# perf/regress.sh: the regression gate CI runs (~10 minutes on 2 cores). It builds fastftpd
# twice, from this tree and from a base commit, and measures both in the same job on the
# same machine, alternating them (REPS rounds of two windows each, A B B A): a
# login storm, RETR and STOR streams, 100 concurrent RETR, 2,000 idle sessions with and
# without 100 transfers beside them, and the parser/reply/throttle microbenchmarks. The
# judge (perf/report -ab) pairs the two sides round by round and fails a figure only when
# nearly every round shows it worse by more than that figure's threshold, so a clean tree
# passes on a noisy machine and a real slowdown is named. No baseline recorded on another
# machine is involved.
#
#   bash perf/regress.sh                      # exit 1 when a figure regressed, naming it
#   PERF_BASE=v1.2.0 bash perf/regress.sh     # compare with another commit
#
# The base, unless PERF_BASE names one: HEAD when the work tree has uncommitted changes
# (they are what is under test); otherwise the newest first-parent ancestor of HEAD
# committed at least 3 hours before HEAD. A session's work spans at most 3 hours, so that is
# the tree as it was before the work under test. On a branch, PERF_BASE=main (or whatever
# it started from) says it exactly.
#
# Environment: REPS (5), PERF_BASE, and lib.sh's PERF_* variables. Needs root (it creates a
# test user like run.sh). The figures, their thresholds and the rule are in perf/report/ab.go;
# BENCHMARKS.md ("Regression gate") shows it failing planted regressions and passing clean runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# A work dir of its own, so it never swaps binaries under a running perf/run.sh.
export PERF_WORK=${PERF_WORK:-/dev/shm/fastftp-regress}
# shellcheck source=perf/lib.sh
source perf/lib.sh

OUT=${OUT:-$PERF_WORK/regress}
REPS=${REPS:-5}

base_commit() {
  if [ -n "${PERF_BASE:-}" ]; then
    git rev-parse --verify --quiet "${PERF_BASE}^{commit}" || die "PERF_BASE=$PERF_BASE is not a commit"
    return
  fi
  if ! git diff --quiet HEAD; then
    git rev-parse HEAD
    return
  fi
  local head_time c
  head_time=$(git log -1 --format=%ct HEAD)
  c=$(git rev-list --first-parent -1 --before=$((head_time - 3 * 3600)) HEAD)
  [ -n "$c" ] || c=$(git rev-list --max-parents=0 HEAD | tail -1)
  echo "$c"
}

base=$(base_commit)
log "A/B: this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + changes')) against $(git log -1 --format='%h (%ci) %s' "$base")"
rm -rf "$OUT"
mkdir -p "$OUT"
build_tools
build_base "$base"
# run.sh does the measuring (the same scenario code as the peer comparison); PERF_PREBUILT
# keeps the binaries just built.
# Two windows per side and round, A B B A; the judge keeps each side's better window.
# fastftpd's passive range is raw's (raw does not run here), 1,000 ports like base's, away
# from the 10000-13999 a developer's own test server may use.
PERF_PASV_FASTFTPD=28000-28999 WINDOWS=2 \
  PERF_PREBUILT=1 SKIP_PEERS=1 NO_REPORT=1 OUT=$OUT REPS=$REPS DURATION=2s WARMUP=0.5s SERVERS="fastftpd base" \
  SCENARIOS="login retr-10x10M stor-10x10M retr-100x10M idle-2000 idle-2000-xfer idle-2000-mixed micro-short" bash perf/run.sh
git log -1 --format="%h (%ci) %s" "$base" >"$OUT/base.txt"
"$PERF_BIN/report" -in "$OUT" -ab -summary "$OUT/gate.md"
