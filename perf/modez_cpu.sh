#!/bin/bash
# MODE Z cost on the fastftpd binary (BENCHMARKS.md "MODE Z"): server CPU seconds per GiB
# (utime+stime from /proc, 10 ms ticks) of one lftp RETR and one lftp STOR of a 256 MiB
# log-like text file and a 256 MiB random file, in MODE S and in MODE Z (level 6), twice.
# Uploads are compared byte for byte. Linux only; needs lftp, python3, bc.
# Usage: perf/modez_cpu.sh [port]   (from the repository root; builds the binary)
set -eu
PORT=${1:-2199}
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
go build -o "$WORK/fastftpd" ./cmd/fastftpd
mkdir "$WORK/root" "$WORK/up"
python3 - "$WORK/root" <<'PY'
import os, sys
d = sys.argv[1]
with open(os.path.join(d, "text.log"), "wb") as f:
    i, size, chunk = 0, 0, []
    while size < 256 << 20:
        line = b"%06d 2026-12-06T14:%02d:%02dZ GET /pub/dist/pkg-%d.tar.xz 200 %d\n" % (i % 1000000, i % 60, i % 59, i % 977, i * 7919 % 100000)
        chunk.append(line); size += len(line); i += 1
        if len(chunk) >= 10000:
            f.write(b"".join(chunk)); chunk = []
    f.write(b"".join(chunk))
with open(os.path.join(d, "rand.bin"), "wb") as f:
    for _ in range(256):
        f.write(os.urandom(1 << 20))
PY
"$WORK/fastftpd" -i 127.0.0.1 -p "$PORT" -u u -P p -d "$WORK/up" -w --mode-z 2>/dev/null &
PID=$!
sleep 1
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
per_gib() { echo "($2-$1)/100/($3/1073741824)" | bc -l | cut -c1-5; }
for rep in 1 2; do
  for f in text.log rand.bin; do
    size=$(stat -c %s "$WORK/root/$f")
    for z in false true; do
      a=$(cpu)
      lftp -c "set net:max-retries 1; set ftp:use-mode-z $z; set ftp:mode-z-level 6; open -u u,p -p $PORT ftp://127.0.0.1; put $WORK/root/$f -o $f" >/dev/null
      b=$(cpu)
      cmp -s "$WORK/root/$f" "$WORK/up/$f" || { echo "STOR $f mode_z=$z: the upload differs"; exit 1; }
      lftp -c "set net:max-retries 1; set ftp:use-mode-z $z; open -u u,p -p $PORT ftp://127.0.0.1; cat $f" >/dev/null
      c=$(cpu)
      echo "$f mode_z=$z STOR $(per_gib "$a" "$b" "$size") RETR $(per_gib "$b" "$c" "$size") server CPU-s/GiB"
    done
  done
done
