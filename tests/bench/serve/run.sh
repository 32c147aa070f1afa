#!/bin/sh
# vmterm-serve end to end, for the README's figures: builds vmterm-serve and serve_bench in
# BUILD_DIR, then runs serve_bench, which starts a fresh vmterm-serve per run and prints one
# table of medians over the runs beside the PTY driven directly and the peers' reference
# figures. Extra arguments go to serve_bench (--runs 5, --only echo, --megabytes 100, ...).
# Usage: tests/bench/serve/run.sh [BUILD_DIR] [serve_bench options]
# Peers (ttyd, ttyd + deflate, wetty, shellinabox) in the same run: tests/bench/serve/peers.py.
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cmake --build "$build" --target vmterm-serve serve_bench >"$log" 2>&1 || {
  cat "$log" >&2
  echo "run.sh: the build failed (above)" >&2
  exit 1
}
echo "$(nproc) cores; $(bash --version | head -1)"
"$build/bench/serve_bench" --serve "$build/bin/vmterm-serve" "$@"
