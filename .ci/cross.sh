#!/usr/bin/env bash
# Portability check: the module builds for darwin and FreeBSD (the Apple Silicon build
# too), and darwin vet, which also type-checks every test file, is clean. Cross-compiling
# only: nothing runs, so behaviour off Linux rests on the Linux tests of the shared code
# (vfs's os.Root fallback runs there as well) and on review. A few minutes on a cold cache.
set -euo pipefail
cd "$(dirname "$0")/.."

run() { echo "cross: $*"; env "$@"; }
run GOOS=darwin go build ./...
run GOOS=darwin GOARCH=arm64 go build ./...
run GOOS=freebsd go build ./...
run GOOS=darwin go vet ./...
echo "cross: ok"
