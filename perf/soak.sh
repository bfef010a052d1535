#!/usr/bin/env bash
# perf/soak.sh: fastftpd under a mixed load (logins, 300 idle sessions, RETR, STOR, LIST,
# ABOR, clients vanishing mid-transfer, FTPS) for DURATION, its descriptors, threads,
# goroutines, sessions and memory sampled every second; fails when they grow or do not come
# back (see perf/soak/main.go for the rules).
#
#   bash perf/soak.sh                 # 2 minutes (what CI runs)
#   DURATION=30m bash perf/soak.sh    # the long soak
#
# Needs no root. Works in a temporary directory under /dev/shm, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-2m}
work=$(mktemp -d /dev/shm/fastftp-soak.XXXXXX)
srv=
cleanup() {
  [ -z "$srv" ] || kill "$srv" 2>/dev/null || true
  [ -z "$srv" ] || wait "$srv" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/fastftpd" ./cmd/fastftpd
go build -o "$work/soak" ./perf/soak
mkdir -p "$work/root"
"$work/soak" -gencert "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
mport=$(free_port)
# Passive range below the ephemeral ports (see DESIGN.md: TIME_WAIT collisions).
( ulimit -n 20000; exec "$work/fastftpd" -i 127.0.0.1 -p "$port" -d "$work/root" -u soak -P soak-pw -w \
  -r 24000-25999 --timeout 3600 --metrics "127.0.0.1:$mport" \
  --tls --certfile "$work/cert.pem" --keyfile "$work/key.pem" ) >"$work/server.log" 2>&1 &
srv=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
echo "soak: fastftpd pid $srv on 127.0.0.1:$port for $DURATION"
"$work/soak" -addr "127.0.0.1:$port" -u soak -p soak-pw -pid "$srv" -metrics "127.0.0.1:$mport" \
  -duration "$DURATION" -tls -json "${SOAK_JSON:-$work/soak.json}" || {
  echo "soak failed; the server's last log lines:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}
