#!/usr/bin/env bash
# perf/workers.sh: the --workers scale benchmark (issue 13). fastftpd with WORKERS workers
# holds SESSIONS logged-in idle sessions, opened by ftpbench's idle scenario from PROCS
# client processes on several loopback source addresses (past one process's 20,000
# descriptors and one address's ~28,000 ports). Reports, from outside the server:
#   - sessions held by each worker (its open descriptors at the peak: each < 20,000);
#   - memory per session: the sum of the workers' RSS at the peak / sessions (and
#     ftpbench's growth-based KiB per session);
#   - NOOP latency p50/p99 over the held sessions (ftpbench idle NOOPs them in turn).
# Not a unit test: run it by hand, once, on a quiet machine. Takes about a minute.
#
# Environment: SESSIONS (50000), WORKERS (3), PROCS (4), DURATION (20 s), PORT (21890),
# WORK (/dev/shm/fastftp-workers: binaries, logs, JSON).
set -euo pipefail
SESSIONS=${SESSIONS:-50000}
WORKERS=${WORKERS:-3}
PROCS=${PROCS:-4}
DURATION=${DURATION:-20}
PORT=${PORT:-21890}
WORK=${WORK:-/dev/shm/fastftp-workers}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mkdir -p "$WORK/root"
(cd "$REPO" && go build -o "$WORK/fastftpd" ./cmd/fastftpd && go build -o "$WORK/ftpbench" ./cmd/ftpbench)

"$WORK/fastftpd" -i 127.0.0.1 -p "$PORT" -d "$WORK/root" --workers "$WORKERS" \
  --timeout 0 --login-timeout 0 >"$WORK/server.log" 2>&1 &
SUP=$!
trap 'kill -TERM $SUP 2>/dev/null; wait $SUP 2>/dev/null || true' EXIT
for _ in $(seq 100); do # up to 10 s for every worker to serve
  [ "$(grep -c 'starting FTP server" worker=' "$WORK/server.log" || true)" -ge "$WORKERS" ] && break
  sleep 0.1
done
PIDS=$(grep -o 'worker started" worker=[0-9]* pid=[0-9]*' "$WORK/server.log" | grep -o '[0-9]*$' | tr '\n' ' ')
echo "supervisor $SUP, workers: $PIDS"

# Sample every worker's descriptors and RSS once a second while ftpbench runs; keep the
# sample with the most descriptors in all (the peak of held sessions).
sample() {
  local best=0
  while kill -0 "$1" 2>/dev/null; do
    local fds=0 rss=0 line="" n r
    for p in $PIDS; do
      n=$(ls /proc/"$p"/fd 2>/dev/null | wc -l)
      r=$(awk '/^VmRSS/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
      fds=$((fds + n)); rss=$((rss + r)); line="$line $p:fds=$n,rss_kib=$r"
    done
    if [ "$fds" -gt "$best" ]; then best=$fds; echo "$fds $rss$line" >"$WORK/peak.txt"; fi
    sleep 1
  done
}

base=0
for p in $PIDS; do base=$((base + $(awk '/^VmRSS/ {print $2}' /proc/"$p"/status))); done
SRC_LAST=$((1 + PROCS))
"$WORK/ftpbench" idle -H 127.0.0.1 -P "$PORT" -u anonymous -p bench@ -n "$SESSIONS" \
  --procs "$PROCS" --source "127.0.0.2-127.0.0.$SRC_LAST" --duration "$DURATION" --timeout 60 \
  -k "$PIDS" -q --json "$WORK/idle.json" >"$WORK/ftpbench.txt" 2>&1 &
BENCH=$!
sample $BENCH &
SAMPLER=$!
wait $BENCH || { cat "$WORK/ftpbench.txt"; exit 1; }
wait $SAMPLER || true

cat "$WORK/ftpbench.txt"
read -r fds rss rest <"$WORK/peak.txt"
echo "peak: descriptors of all workers $fds, RSS of all workers ${rss} KiB;$rest"
awk -v rss="$rss" -v base="$base" -v n="$SESSIONS" 'BEGIN {
  printf "memory per session: %.2f KiB (sum of workers RSS at the peak / %d sessions); growth %.2f KiB (RSS from %d KiB before)\n", rss / n, n, (rss - base) / n, base }'
for w in $(seq 0 $((WORKERS - 1))); do
  echo "worker $w: $(grep -c "msg=login worker=$w " "$WORK/server.log" || true) logins"
done
limit=$(ulimit -n)
for x in $rest; do
  n=${x#*fds=}; n=${n%%,*}
  [ "$n" -lt "$limit" ] || echo "WARNING: worker ${x%%:*} reached the descriptor limit ($n of $limit)"
done
grep -c 'accept failed; retrying' "$WORK/server.log" | sed 's/^/accept retries (EMFILE) logged: /' || true
