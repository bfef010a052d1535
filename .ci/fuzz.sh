#!/usr/bin/env bash
# .ci/fuzz.sh: runs every fuzz target of the module for FUZZTIME each (default 10s), one
# after the other, and fails on the first crasher (go test saves it under the package's
# testdata/fuzz/, where it becomes a regression seed once committed). The seed corpora live
# in the fuzz tests themselves (real client traffic) and in each package's testdata/fuzz/
# (inputs earlier runs found interesting, which go test also runs as regression cases).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
n=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target ($FUZZTIME)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz-out.$$ 2>&1 || {
      cat /tmp/fuzz-out.$$
      rm -f /tmp/fuzz-out.$$
      echo "fuzz target $target in $pkg failed" >&2
      exit 1
    }
    n=$((n + 1))
  done
done
rm -f /tmp/fuzz-out.$$
echo "$n fuzz targets ran for $FUZZTIME each, no crasher"
