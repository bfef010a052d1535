#!/usr/bin/env bash
# perf/run.sh: the whole peer comparison in one command. Installs the peers into a work
# dir, creates the test user, then for each repetition runs every scenario against every
# server in turn (a fresh start each), writes the JSON results and regenerates the tables
# in BENCHMARKS.md. Needs root (useradd, apt-get); run it on an otherwise quiet machine.
#
#   bash perf/run.sh                      # everything, 5 repetitions (~1.5 h on 2 cores)
#   REPS=1 SCENARIOS="login retr-100x10M" SERVERS="fastftpd vsftpd" bash perf/run.sh
#
# Environment: REPS (5), CLASSIC_REPS (REPS), WINDOWS (1) per scenario and repetition,
# DURATION (3s) and WARMUP (1s) per ftpbench window, SERVERS,
# SCENARIOS (default: all below), OUT (results dir, default $PERF_WORK/results),
# NO_REPORT=1 to skip the tables (a run of some SCENARIOS or SERVERS writes them to a copy,
# OUT/BENCHMARKS.md, unless REPORT=repo), SKIP_PEERS=1 when only fastftpd and raw run
# (regress.sh), FASTFTPD_FLAGS (extra flags for fastftpd and base), MIXED_RETR_RATE and
# MIXED_LOGIN_RATE (the -mixed scenarios' background at a fixed rate, ftpbench --rate: the
# same work for every server; unset, as fast as each server goes); plus lib.sh's PERF_*
# variables.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=perf/lib.sh
source perf/lib.sh

REPS=${REPS:-5}
CLASSIC_REPS=${CLASSIC_REPS:-$REPS} # the pyftpdlib suite takes longest: it may be run fewer times
DURATION=${DURATION:-3s}
WARMUP=${WARMUP:-1s}
ALL_SERVERS="fastftpd raw pyftpdlib vsftpd proftpd pureftpd ftpserver"
SERVERS=${SERVERS:-$ALL_SERVERS}
ALL_SCENARIOS="classic login idle-2000 idle-2000-xfer idle-2000-mixed retr-1x10M retr-100x10M retr-1x1G
  retr-100x1G retr-1000x10M stor-1x10M stor-100x10M stor-1x1G list-100000 list-100000-nocache idle-10000
  mirror mirror-nocache
  idle-10000-xfer idle-19000 idle-19000-xfer idle-18000-mixed throttle-session throttle-global micro"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
OUT=${OUT:-$PERF_WORK/results}
W=(--duration "$DURATION" --warmup "$WARMUP")

# applies SERVER SCENARIO: whether the pair is measured. raw is only a transfer ceiling
# (and a login floor); the 10,000/19,000-session and throttle runs are fastftpd's alone;
# 1,000 streams are measured against raw only (issue 10's target; forking peers would fork
# 1,000 processes), 18,000 mixed sessions against pyftpdlib only (the issue's reference);
# base (regress.sh's older fastftpd) runs whatever fastftpd runs.
applies() {
  local srv=$1 scen=$2
  case $scen in
  micro* | idle-10000* | idle-19000* | throttle-*) [ "$srv" = fastftpd ] || [ "$srv" = base ] ;;
  retr-1000x*) [ "$srv" = fastftpd ] || [ "$srv" = base ] || [ "$srv" = raw ] ;;
  idle-18000-mixed) [ "$srv" = fastftpd ] || [ "$srv" = base ] || [ "$srv" = pyftpdlib ] ;;
  list-100000-nocache) [ "$srv" = fastftpd ] ;; # the listing cache off (base may predate the flag)
  mirror-nocache) [ "$srv" = fastftpd ] ;; # the open-file cache off (base may predate the flag)
  retr-* | stor-* | login) true ;;
  *) [ "$srv" != raw ] ;;
  esac
}

# background_load SECONDS: 100 RETR streams of 10 MiB for the "-xfer" idle variants;
# prints the load generator's PID.
background_load() {
  # shellcheck disable=SC2046
  $(pin_cli) "$PERF_BIN/ftpbench" retr -u "$PERF_USER" -p "$PERF_PASS" -H 127.0.0.1 -P "$SRV_PORT" \
    -q -t 60 -n 100 -s 10M --keep --duration "$1" --warmup 0s >/dev/null 2>&1 &
  echo $!
}

# mixed_load SECONDS OUT: issue 10's background for the "-mixed" idle variants: 8 clients
# downloading a 64 MiB file in a loop and 32 connect-login-QUIT loops; prints both PIDs.
# Each writes what it got done (until stop_load's SIGINT) beside OUT, as OUT's name with
# .bg-retr.json and .bg-login.json: a server that serves the background faster leaves the
# machine busier, so NOOP latencies compare only beside the work each server did.
mixed_load() {
  local cmd=("$PERF_BIN/ftpbench") common=(-u "$PERF_USER" -p "$PERF_PASS" -H 127.0.0.1 -P "$SRV_PORT" -q -t 60)
  local base=${2%.json} rr=() lr=()
  [ -z "${MIXED_RETR_RATE:-}" ] || rr=(--rate "$MIXED_RETR_RATE")
  [ -z "${MIXED_LOGIN_RATE:-}" ] || lr=(--rate "$MIXED_LOGIN_RATE")
  # shellcheck disable=SC2046
  $(pin_cli) "${cmd[@]}" retr "${common[@]}" -n 8 -s 64M --keep --duration "$1" --warmup 0s "${rr[@]}" \
    --json "$base.bg-retr.json" >/dev/null 2>&1 &
  local a=$!
  # shellcheck disable=SC2046
  $(pin_cli) "${cmd[@]}" login "${common[@]}" -n 32 --duration "$1" --warmup 0s "${lr[@]}" \
    --json "$base.bg-login.json" >/dev/null 2>&1 &
  echo "$a $!"
}

# stop_load PID...: SIGINT first; ftpbench may linger on transfers a forking server is slow
# to end, and a leftover load generator would skew every later scenario: SIGKILL after 3 s.
stop_load() {
  local p
  for p in "$@"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}

# idle N [xfer|mixed]: N idle sessions (spread over child processes past 9,000); with xfer,
# 100 transfers run while the sessions sit, with mixed the 8 downloads and 32 login loops
# of mixed_load, and NOOP latency is the figure that matters.
idle() {
  local out=$1 n=$2 load=${3:-} procs=1 bg=
  [ "$n" -gt 9000 ] && procs=$(((n + 8999) / 9000))
  case $load in
  xfer) bg=$(background_load 600) ;;
  mixed) bg=$(mixed_load 600 "$out") ;;
  esac
  # The 64 MiB file is uploaded by the first download loop if missing: give it time.
  [ -n "$bg" ] && sleep 2
  bench "$out" idle -n "$n" --procs "$procs" "${W[@]}" || log "idle $n failed on $SRV_NAME"
  # shellcheck disable=SC2086
  [ -z "$bg" ] || stop_load $bg
}

# list_dir: the 100,000-entry directory, made on disk once (ftpbench finds it complete and
# does not upload it), names as ftpbench's list scenario makes them.
list_dir() {
  local d=$PERF_ROOT/ftpbench-list-100000
  if [ "$(find "$d" -maxdepth 1 -type f 2>/dev/null | wc -l)" -lt 100000 ]; then
    log "creating $d"
    mkdir -p "$d"
    (cd "$d" && seq -f 'f%05g' 0 99999 | xargs touch)
    chown -R "$PERF_USER:" "$d"
  fi
}

# run_one REP SERVER SCENARIO
run_one() {
  local rep=$1 srv=$2 scen=$3 window=${4:-1} dir=$OUT/raw/$1/$2
  mkdir -p "$dir"
  local out=$dir/$scen.json
  # Further windows of the same repetition (WINDOWS > 1) keep their own file.
  [ "$window" -gt 1 ] && out=$dir/$scen@w$window.json
  case $scen in
  micro)
    (cd "$PERF_SRC" && $(pin_srv) go test -run '^$' -bench 'Parse|Lookup|AppendReply|AppendListLine|AppendMLSx|ParseAddr' -benchmem -count 1 ./proto/ &&
      $(pin_srv) go test -run '^$' -bench 'Reserve|LimiterWait' -benchmem -count 1 ./throttle/ &&
      $(pin_srv) go test -run '^$' -bench 'Accuracy|Fairness' -benchtime 1x -count 1 ./throttle/) >"$dir/micro.txt" 2>&1 ||
      log "micro benchmarks failed (see $dir/micro.txt)"
    return
    ;;
  micro-short) # regress.sh: the parser, reply encoder and throttle fast paths, one sample per
    # repetition, from the tree of the server being measured (base: the older commit's)
    local src=$PERF_SRC
    [ "$srv" = base ] && src=$PERF_BASE_SRC
    (cd "$src" && $(pin_srv) go test -run '^$' -bench 'Parse/verb=(RETR|NOOP)$|AppendReply/impl=append$' \
      -benchmem -benchtime 100ms -count 3 ./proto/ &&
      $(pin_srv) go test -run '^$' -bench 'Reserve/limited$' -benchmem -benchtime 100ms -count 3 ./throttle/) \
      >"$dir/micro.txt" 2>&1 || die "micro benchmarks failed: $(tail -5 "$dir/micro.txt")"
    return
    ;;
  esac
  local extra=
  case $scen in throttle-session) extra="--write-limit 10M" ;; throttle-global) extra="--global-write-limit 40M" ;; esac
  # list-100000 measures fastftpd as it ships (listing cache on: after the first LIST of
  # the window, the same bytes are resent); list-100000-nocache encodes every LIST anew.
  case $scen in list-100000-nocache) extra="--list-cache-size 0" ;; esac
  # mirror: fastftpd as it ships (open-file cache on); mirror-nocache opens every RETR anew.
  case $scen in mirror-nocache) extra="--open-file-cache 0" ;; esac
  # FASTFTPD_FLAGS from the environment (an A/B of a switch, e.g. --data-loops 1) plus the scenario's own.
  FASTFTPD_FLAGS="${FASTFTPD_FLAGS:-} $extra" start_server "$srv"
  case $scen in
  # --count: each timed part moves exactly 200 files, so no transfer is cut when a window
  # ends (a client closing mid-transfer crashes fastftpd today, see BENCHMARKS.md).
  classic) bench "$out" all -n 300 -s 10M --count 200 || log "classic failed on $srv" ;;
  login) bench "$out" login -n 10 "${W[@]}" || log "login failed on $srv" ;;
  idle-*-xfer) local n=${scen#idle-}; idle "$out" "${n%-xfer}" xfer ;;
  idle-*-mixed) local n=${scen#idle-}; idle "$out" "${n%-mixed}" mixed ;;
  idle-*) # also the proportional set size, fairer to forking servers than RSS minus shared
    "$PERF_BIN/peak" -k "$SRV_PID" -i 300ms -pss >"$dir/$scen.peak.json" &
    local pk=$!
    sleep 0.5
    idle "$out" "${scen#idle-}"
    kill -INT "$pk"
    wait "$pk" || true
    ;;
  retr-* | stor-*)
    local verb=${scen%%-*} spec=${scen#*-}
    bench "$out" "$verb" -n "${spec%x*}" -s "${spec#*x}" --keep "${W[@]}" || log "$scen failed on $srv"
    ;;
  list-100000 | list-100000-nocache)
    list_dir
    "$PERF_BIN/peak" -k "$SRV_PID" -i 5ms >"$dir/$scen.peak.json" &
    local pk=$!
    sleep 0.3
    # --keep: the directory stays for the next server and repetition (made once, above).
    bench "$out" list -n 1 --list-files 100000 --keep "${W[@]}" || log "list failed on $srv"
    kill -INT "$pk"
    wait "$pk" || true
    ;;
  mirror | mirror-nocache) # 20 clients, sessions of 1-20 commands; the rare big file is 4 MiB
    # --keep: the tree stays for the next server and repetition (uploaded once).
    bench "$out" mirror -n 20 -s 4M --keep "${W[@]}" || log "mirror failed on $srv"
    ;;
  throttle-session) bench "$out" retr -n 4 -s 10M --keep --duration 6s --warmup 1s || log "throttle failed" ;;
  throttle-global) bench "$out" retr -n 8 -s 10M --keep --duration 6s --warmup 1s || log "throttle failed" ;;
  esac
  stop_server
  # Uploads from the stor scenarios are deleted by ftpbench; anything left (including
  # fastftpd's hidden .NAME.fastftp-*.part files of cut uploads) must not fill tmpfs.
  rm -f "$PERF_ROOT"/ftpbench-stor-* "$PERF_ROOT"/.ftpbench-stor-*
}

main() {
  [ "$(id -u)" = 0 ] || die "run as root (useradd, apt-get, binding as other users)"
  trap 'stop_server; cleanup_user' EXIT
  trap 'exit 130' INT TERM
  build_tools
  if [ "${SKIP_PEERS:-0}" != 1 ]; then install_peers; fi
  setup_user
  mkdir -p "$OUT"
  rm -f "$OUT/commands.txt"
  {
    echo "started $(date -u +%FT%TZ)"
    echo "kernel $(uname -r)"
    echo "go $(go version | awk '{print $3}')"
    if [ "$PERF_SOURCE" = head ]; then
      echo "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) (snapshot of HEAD)"
    else
      echo "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
    fi
    echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "command PERF_SOURCE=$PERF_SOURCE REPS=$REPS CLASSIC_REPS=$CLASSIC_REPS DURATION=$DURATION WARMUP=$WARMUP bash perf/run.sh"
    echo "reps $REPS duration $DURATION warmup $WARMUP pin $PERF_PIN (server cpu $PERF_SRV_CPU, client cpu $PERF_CLI_CPU)"
    echo "servers $SERVERS"
    echo "scenarios $(echo $SCENARIOS)"
    peer_versions
    for s in $SERVERS; do echo "auth $s ${AUTHKIND[$s]}"; done
  } >"$OUT/meta.txt"
  # The files RETR reads are uploaded by the first server measured (ftpbench skips the
  # upload when SIZE already matches; --keep leaves them) and handed to the test user.
  # Servers alternate: every other repetition runs them in reverse order, so neither side
  # always runs right after the other (warm caches, a neighbour's load) and pairs stay fair.
  local forward reverse order
  forward=$(echo $SERVERS)
  reverse=$(echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' ')
  # WINDOWS > 1 (regress.sh) measures each scenario that many times per repetition, the
  # order flipping every window (A B B A ...), so each side gets windows on both sides of
  # the other and a burst of outside load spoils at most one of them.
  for rep in $(seq "$REPS"); do
    for scen in $SCENARIOS; do
      for window in $(seq "${WINDOWS:-1}"); do
        case $scen in micro*) [ "$window" = 1 ] || continue ;; esac
        order=$forward
        [ $(((rep + window) % 2)) = 1 ] && order=$reverse
        for srv in $order; do
          applies "$srv" "$scen" || continue
          if [ "$scen" = classic ] && [ "$rep" -gt "$CLASSIC_REPS" ]; then continue; fi
          log "rep $rep/$REPS $scen $srv${WINDOWS:+ window $window}"
          CMDLOG=
          [ "$rep" = 1 ] && [ "$window" = 1 ] && CMDLOG=$OUT/commands.txt
          CRASH_CONTEXT="rep $rep $scen"
          run_one "$rep" "$srv" "$scen" "$window"
        done
      done
    done
  done
  echo "finished $(date -u +%FT%TZ)" >>"$OUT/meta.txt"
  if [ "${NO_REPORT:-0}" != 1 ]; then
    local md=BENCHMARKS.md json=perf/results/latest.json
    # A run of some scenarios or servers would blank every table it did not measure: its
    # tables go to a copy in OUT, unless REPORT=repo.
    if { [ "$SCENARIOS" != "$ALL_SCENARIOS" ] || [ "$SERVERS" != "$ALL_SERVERS" ]; } && [ "${REPORT:-}" != repo ]; then
      md=$OUT/BENCHMARKS.md json=$OUT/latest.json
      cp BENCHMARKS.md "$md"
      log "a partial run: its tables are in $md (REPORT=repo rewrites the repository's)"
    fi
    "$PERF_BIN/report" -in "$OUT" -json "$json" -md "$md"
  fi
}

main "$@"
