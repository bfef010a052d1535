# perf/lib.sh: shared by run.sh and regress.sh (source it, do not run it). Builds the
# tools, installs the peers into a work dir, creates the test user, and starts/stops each
# server in the foreground as a child of this shell, pinned to its own CPU.
#
# Environment (all optional):
#   PERF_WORK   work dir for binaries, configs, fixture (default: /dev/shm/fastftp-perf; tmpfs
#               so transfers measure the servers, not the disk)
#   PERF_USER   system user every server logs in (default ftpperf; created and removed here)
#   PERF_SOURCE tree (default) or head: what to build, see below
#   PERF_PIN    1 (default): server on CPU $PERF_SRV_CPU, client on CPU $PERF_CLI_CPU; 0: no pinning
# shellcheck shell=bash

PERF_WORK=${PERF_WORK:-/dev/shm/fastftp-perf}
PERF_USER=${PERF_USER:-ftpperf}
PERF_PASS=${PERF_PASS:-perf-$$-pw}
PERF_PIN=${PERF_PIN:-1}
PERF_SRV_CPU=${PERF_SRV_CPU:-1}
PERF_CLI_CPU=${PERF_CLI_CPU:-0}
PERF_ROOT=$PERF_WORK/ftproot # the fixture every server serves; the user's home
PERF_BIN=$PERF_WORK/bin
PERF_LOG=$PERF_WORK/log
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# PERF_SOURCE=tree (default) builds and benchmarks the work tree as it is; =head builds a
# snapshot of the last commit (git archive, with this tree's perf/), for a tree in flux.
PERF_SOURCE=${PERF_SOURCE:-tree}
PERF_SRC=$REPO
[ "$PERF_SOURCE" = head ] && PERF_SRC=$PERF_WORK/src

# Passive ranges: distinct per server, below the kernel's ephemeral range (32768+) so data
# ports never collide with client ports; pure-ftpd admits at most half its range as clients.
declare -A PASV=(
  [fastftpd]=${PERF_PASV_FASTFTPD:-10000-13999} [pyftpdlib]=14000-15999 [vsftpd]=16000-17999
  [proftpd]=18000-19999 [pureftpd]=20000-25999 [ftpserver]=26000-27999 [raw]=28000-28999
  [base]=29000-29999
)
# What each server checks at login (BENCHMARKS.md prints it beside the login figures).
declare -A AUTHKIND=(
  [fastftpd]="virtual user, plaintext" [pyftpdlib]="DummyAuthorizer, plaintext"
  [ftpserver]="config user, plaintext" [vsftpd]="system user, PAM, SHA-512 crypt"
  [proftpd]="system user, /etc/shadow, SHA-512 crypt" [pureftpd]="system user, /etc/shadow, SHA-512 crypt"
  [raw]="none (any password)" [base]="virtual user, plaintext"
)

log() { printf '%s perf: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

pin_srv() { if [ "$PERF_PIN" = 1 ]; then echo "taskset -c $PERF_SRV_CPU"; fi; }
pin_cli() { if [ "$PERF_PIN" = 1 ]; then echo "taskset -c $PERF_CLI_CPU"; fi; }

# build_tools: fastftpd, ftpbench, rawsendfile, peak and report from this tree
# (PERF_PREBUILT=1 keeps the binaries already in $PERF_BIN, e.g. while the tree does not build).
build_tools() {
  mkdir -p "$PERF_BIN" "$PERF_LOG"
  if [ "${PERF_PREBUILT:-0}" = 1 ] && [ -x "$PERF_BIN/fastftpd" ] && [ -x "$PERF_BIN/ftpbench" ]; then
    log "using prebuilt binaries in $PERF_BIN"
    return
  fi
  if [ "$PERF_SOURCE" = head ]; then
    log "building from a snapshot of HEAD ($(git -C "$REPO" rev-parse --short HEAD)) plus this tree's perf/"
    rm -rf "$PERF_SRC"
    mkdir -p "$PERF_SRC"
    git -C "$REPO" archive HEAD | tar -x -C "$PERF_SRC"
    rm -rf "$PERF_SRC/perf"
    cp -r "$REPO/perf" "$PERF_SRC/perf"
  fi
  (cd "$PERF_SRC" && for p in cmd/fastftpd cmd/ftpbench perf/rawsendfile perf/peak perf/report perf/schedlat; do
    go build -o "$PERF_BIN/$(basename "$p")" "./$p" || exit 1
  done) || die "build failed"
}

# build_base COMMIT: fastftpd as it was at COMMIT, for regress.sh's A/B. Only the server
# comes from COMMIT: ftpbench, the scenarios and the judge are this tree's, so both sides
# are measured by the same tools. The source stays in $PERF_BASE_SRC for its microbenchmarks.
PERF_BASE_SRC=$PERF_WORK/base-src
build_base() {
  local commit=$1
  log "building fastftpd at the base $(git -C "$REPO" rev-parse --short "$commit")"
  rm -rf "$PERF_BASE_SRC"
  mkdir -p "$PERF_BASE_SRC"
  git -C "$REPO" archive "$commit" | tar -x -C "$PERF_BASE_SRC" || die "git archive $commit failed"
  (cd "$PERF_BASE_SRC" && go build -o "$PERF_BIN/fastftpd-base" ./cmd/fastftpd) ||
    die "the base $commit does not build: set PERF_BASE to a commit that does"
}

# install_peers: pyftpdlib with apt (pure Python, no service); vsftpd, proftpd-core and
# pure-ftpd conflict as packages, so their .debs are only downloaded and unpacked into the
# work dir, with the shared libraries they need installed; fclairamb/ftpserver v0.15.0 is
# built from the Go module proxy in a throwaway module under the work dir.
install_peers() {
  local peers=$PERF_WORK/peers
  mkdir -p "$peers/debs" "$peers/root"
  export DEBIAN_FRONTEND=noninteractive
  local need=()
  /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null || need+=(python3-pyftpdlib)
  for lib in libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 libsodium23 libwrap0 libpam-modules; do
    dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  fi
  if [ ! -x "$peers/root/usr/sbin/vsftpd" ] || [ ! -x "$peers/root/usr/sbin/proftpd" ] || [ ! -x "$peers/root/usr/sbin/pure-ftpd" ]; then
    log "apt-get download vsftpd proftpd-core pure-ftpd"
    (cd "$peers/debs" && apt-get download vsftpd proftpd-core pure-ftpd 2>/dev/null) || die "apt-get download failed"
    for d in "$peers"/debs/*.deb; do dpkg-deb -x "$d" "$peers/root"; done
  fi
  if [ ! -x "$PERF_BIN/ftpserver" ]; then
    log "building fclairamb/ftpserver v0.15.0 in a throwaway module"
    local m=$peers/ftpserver-build
    mkdir -p "$m"
    printf 'module throwaway/ftpserverbuild\n\ngo 1.26\n' >"$m/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/fclairamb/ftpserver"\n' >"$m/tools.go"
    (cd "$m" && GOFLAGS=-mod=mod go get github.com/fclairamb/ftpserver@v0.15.0 >/dev/null 2>&1 &&
      GOFLAGS=-mod=mod go build -o "$PERF_BIN/ftpserver" github.com/fclairamb/ftpserver) || die "ftpserver build failed"
  fi
}

# peer_versions prints "name version" lines for the report.
peer_versions() {
  local r=$PERF_WORK/peers/root/usr/sbin
  echo "fastftpd $("$PERF_BIN/fastftpd" -v 2>&1 | head -1)"
  echo "pyftpdlib $(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')"
  echo "vsftpd $(dpkg-deb -f "$PERF_WORK"/peers/debs/vsftpd_*.deb Version 2>/dev/null || echo "not installed")"
  echo "proftpd $(dpkg-deb -f "$PERF_WORK"/peers/debs/proftpd-core_*.deb Version 2>/dev/null || echo "not installed")"
  echo "pureftpd $(dpkg-deb -f "$PERF_WORK"/peers/debs/pure-ftpd_*.deb Version 2>/dev/null || echo "not installed")"
  echo "ftpserver v0.15.0 ($(grep ftpserverlib "$PERF_WORK/peers/ftpserver-build/go.mod" | awk '{print $1" "$2}'))"
  test -x "$r/vsftpd" || true
}

# setup_user creates the system user with a SHA-512 crypt hash (Debian's default
# yescrypt costs ~16 ms a login, which would swamp the login figures) and a PAM service
# for vsftpd; cleanup_user undoes both.
setup_user() {
  mkdir -p "$PERF_ROOT"
  if ! id "$PERF_USER" >/dev/null 2>&1; then
    useradd -M -d "$PERF_ROOT" -s /bin/sh "$PERF_USER" || die "useradd $PERF_USER failed"
    PERF_CREATED_USER=1
  fi
  echo "$PERF_USER:$PERF_PASS" | chpasswd -c SHA512 || die "chpasswd failed"
  chown "$PERF_USER:" "$PERF_ROOT"
  printf 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n' >/etc/pam.d/fastftp-perf
}
cleanup_user() {
  rm -f /etc/pam.d/fastftp-perf
  if [ "${PERF_CREATED_USER:-0}" = 1 ]; then userdel "$PERF_USER" 2>/dev/null || true; fi
}

# fix_owner hands every fixture file back to the test user: servers running as root
# (fastftpd, pyftpdlib, ftpserver, raw) create root-owned files the system-user servers
# could not overwrite.
fix_owner() { find "$PERF_ROOT" -maxdepth 1 ! -user "$PERF_USER" -exec chown "$PERF_USER:" {} + 2>/dev/null || true; }

# free_port [EXCEPT]: prints a TCP port of 30000-32767 that no socket uses (listening or
# not) and that is not EXCEPT. A server's control and metrics ports come from two calls:
# without EXCEPT they were the same port once in 2,768 starts, and fastftpd, finding its
# own metrics listener on the control port, exited "already in use" (the gate's run then
# failed on a harness race, not on the code).
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((30000 + RANDOM % 2768))
    [ "$p" != "${1:-}" ] || continue
    if ! ss -Htan "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  die "no free port"
}

# write_configs NAME PORT: peer configuration files in the work dir.
write_configs() {
  local name=$1 port=$2 conf=$PERF_WORK/conf
  local lo=${PASV[$name]%-*} hi=${PASV[$name]#*-}
  mkdir -p "$conf" "$conf/empty"
  case $name in
  vsftpd)
    cat >"$conf/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
pam_service_name=fastftp-perf
secure_chroot_dir=$conf/empty
pasv_min_port=$lo
pasv_max_port=$hi
use_sendfile=YES
lock_upload_files=NO
seccomp_sandbox=NO
max_clients=0
max_per_ip=0
xferlog_enable=NO
dirmessage_enable=NO
idle_session_timeout=3600
data_connection_timeout=300
EOF
    ;;
  proftpd)
    cat >"$conf/proftpd.conf" <<EOF
ServerType standalone
ServerName "proftpd perf"
DefaultAddress 127.0.0.1
SocketBindTight on
Port $port
UseIPv6 off
User nobody
Group nogroup
Umask 022
PassivePorts $lo $hi
UseSendfile on
MaxInstances 25000
TCPBacklog 255
MaxClients none
MaxClientsPerHost none
MaxLoginAttempts 100
UseReverseDNS off
RequireValidShell off
AuthOrder mod_auth_unix.c
DelayEngine off
WtmpLog off
TimeoutIdle 3600
TimeoutNoTransfer 3600
ScoreboardFile $conf/proftpd.scoreboard
PidFile $conf/proftpd.pid
TransferLog none
<IfModule mod_ident.c>
  IdentLookups off
</IfModule>
<Directory />
  AllowOverwrite on
</Directory>
EOF
    ;;
  ftpserver)
    cat >"$conf/ftpserver.json" <<EOF
{
  "version": 1,
  "listen_address": "127.0.0.1:$port",
  "max_clients": 30000,
  "idle_timeout": "1h",
  "passive_transfer_port_range": {"start": $lo, "end": $hi},
  "logging": {"ftp_exchanges": false, "file_accesses": false},
  "accesses": [{"user": "$PERF_USER", "pass": "$PERF_PASS", "fs": "os", "params": {"basePath": "$PERF_ROOT"}}]
}
EOF
    ;;
  pyftpdlib)
    cat >"$conf/pyftpd.py" <<'EOF'
# pyftpdlib as its README runs it (default logging: INFO to stderr), with no connection cap.
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
port, root, user, pw, lo, hi = sys.argv[1:7]
a = DummyAuthorizer()
a.add_user(user, pw, root, perm="elradfmwMT")
FTPHandler.authorizer = a
FTPHandler.passive_ports = range(int(lo), int(hi) + 1)
FTPHandler.use_sendfile = True
FTPHandler.timeout = 3600
s = FTPServer(("127.0.0.1", int(port)), FTPHandler, backlog=1024)
s.max_cons = 0
s.max_cons_per_ip = 0
s.serve_forever(handle_exit=True)
EOF
    ;;
  esac
}

# server_cmd NAME PORT: the foreground command line of one server.
server_cmd() {
  local name=$1 port=$2 conf=$PERF_WORK/conf sbin=$PERF_WORK/peers/root/usr/sbin
  local range=${PASV[$name]}
  case $name in
  fastftpd | base)
    local bin=$PERF_BIN/fastftpd
    [ "$name" = base ] && bin=$PERF_BIN/fastftpd-base
    echo "$bin -i 127.0.0.1 -p $port -d $PERF_ROOT -u $PERF_USER -P $PERF_PASS -w -r $range --timeout 3600 --metrics 127.0.0.1:$SRV_METRICS ${FASTFTPD_FLAGS:-}"
    ;;
  raw) echo "$PERF_BIN/rawsendfile -l 127.0.0.1:$port -d $PERF_ROOT -r $range" ;;
  pyftpdlib) echo "/usr/bin/python3 $conf/pyftpd.py $port $PERF_ROOT $PERF_USER $PERF_PASS ${range%-*} ${range#*-}" ;;
  vsftpd) echo "$sbin/vsftpd $conf/vsftpd.conf" ;;
  proftpd) echo "$sbin/proftpd -n -q -c $conf/proftpd.conf" ;;
  pureftpd) echo "$sbin/pure-ftpd -S 127.0.0.1,$port -l unix -E -H -4 -p ${range%-*}:${range#*-} -c 5000 -C 5000 -L 200000:8 -I 60 -k 99 -u 1 -U 133:022" ;;
  ftpserver) echo "$PERF_BIN/ftpserver -conf $conf/ftpserver.json" ;;
  *) die "unknown server $name" ;;
  esac
}

# start_server NAME: starts it pinned, in its own process group (so stop_server reaches
# forked children), waits until it accepts; sets SRV_PID and SRV_PORT.
start_server() {
  local name=$1 attempt cmd
  # A port taken between free_port's look and the server's bind (another program's
  # socket) makes the server exit at once: try again on other ports, three times at most.
  for attempt in 1 2 3; do
    SRV_PORT=$(free_port)
    # fastftpd's /metrics carries the scheduler-delay histogram that bench() samples.
    SRV_METRICS=
    case $name in fastftpd | base) SRV_METRICS=$(free_port "$SRV_PORT") ;; esac
    write_configs "$name" "$SRV_PORT"
    cmd=$(server_cmd "$name" "$SRV_PORT")
    fix_owner
    # shellcheck disable=SC2086
    ( ulimit -n 20000; exec setsid $(pin_srv) $cmd ) >"$PERF_LOG/$name.out" 2>"$PERF_LOG/$name.err" </dev/null &
    SRV_PID=$!
    SRV_NAME=$name
    for _ in $(seq 100); do
      if ss -Hltn "sport = :$SRV_PORT" | grep -q .; then
        sleep 0.2
        # Someone listens on the port: make sure it is this server.
        kill -0 "$SRV_PID" 2>/dev/null && return 0
        break
      fi
      kill -0 "$SRV_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$SRV_PID" 2>/dev/null && break # alive but not listening: not a port race
    wait "$SRV_PID" 2>/dev/null || true
    grep -q "in use" "$PERF_LOG/$name.err" || break
    log "$name: port $SRV_PORT or $SRV_METRICS was taken (attempt $attempt); trying other ports"
  done
  tail -5 "$PERF_LOG/$name.err" >&2
  die "$name did not start (port $SRV_PORT): $cmd"
}

# stop_server: SIGTERM the server's process group, SIGKILL what is left after 5 s. A server
# that is already gone crashed: its last log lines go to $OUT/crashes.txt (when OUT is set).
stop_server() {
  [ -n "${SRV_PID:-}" ] || return 0
  if ! kill -0 "$SRV_PID" 2>/dev/null; then
    log "$SRV_NAME (pid $SRV_PID) exited before it was stopped"
    if [ -n "${OUT:-}" ]; then
      { echo "== $SRV_NAME ${CRASH_CONTEXT:-}"; grep -A3 -m1 '^panic\|fatal' "$PERF_LOG/$SRV_NAME.err" || tail -3 "$PERF_LOG/$SRV_NAME.err"; } >>"$OUT/crashes.txt" 2>/dev/null || true
    fi
  fi
  # vsftpd's session processes call setsid(): the process group alone does not reach them.
  local kids
  kids=$(tree_pids "$SRV_PID")
  kill -TERM -- "-$SRV_PID" 2>/dev/null || kill -TERM "$SRV_PID" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$SRV_PID" 2>/dev/null || true
  # shellcheck disable=SC2086
  [ -z "$kids" ] || kill -KILL $kids 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
  SRV_PID=
}

# tree_pids PID: every descendant of PID (not PID itself).
tree_pids() {
  ps -eo pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      want[root] = 1
      do { grew = 0
        for (i in pids) { p = pids[i]; if (!(p in want) && (parent[p] in want)) { want[p] = 1; grew = 1 } }
      } while (grew)
      for (p in want) if (p != root) print p
    }'
}

# bench OUT.json SCENARIO ARGS...: ftpbench against the running server, pinned, sampling
# its tree. SCENARIO comes first: ftpbench stops reading flags at the first other word.
bench() {
  local out=$1 scen=$2
  shift 2
  if [ -n "${CMDLOG:-}" ]; then
    echo "$SRV_NAME $(basename "$out" .json): ftpbench $scen -u USER -p PASS -H 127.0.0.1 -P PORT -k SERVER_PID -q -t 30 --json OUT.json $*" >>"$CMDLOG"
  fi
  # Scheduler delay inside fastftpd over the run (issue 10 asks for it per scenario):
  # snapshots of its histogram before and after, the difference in OUT.sched.json.
  local snap=
  if [ -n "${SRV_METRICS:-}" ] && [ -x "$PERF_BIN/schedlat" ]; then
    snap=$(mktemp)
    "$PERF_BIN/schedlat" snap "http://127.0.0.1:$SRV_METRICS/metrics" >"$snap" 2>/dev/null || snap=
  fi
  local rc=0
  # shellcheck disable=SC2046
  $(pin_cli) "$PERF_BIN/ftpbench" "$scen" -u "$PERF_USER" -p "$PERF_PASS" -H 127.0.0.1 -P "$SRV_PORT" \
    -k "$SRV_PID" -q -t 30 --json "$out" "$@" || rc=$?
  if [ -n "$snap" ]; then
    # A server without the histogram (an older base) gives no file, not a zero.
    if "$PERF_BIN/schedlat" snap "http://127.0.0.1:$SRV_METRICS/metrics" >"$snap.after" 2>/dev/null &&
      "$PERF_BIN/schedlat" diff "$snap" "$snap.after" >"${out%.json}.sched.tmp" 2>/dev/null; then
      mv "${out%.json}.sched.tmp" "${out%.json}.sched.json"
    fi
    rm -f "$snap" "$snap.after" "${out%.json}.sched.tmp"
  fi
  return $rc
}
