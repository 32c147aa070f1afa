#!/bin/sh
# vmterm-trace end to end on a generated 100,000-span trace read from a file: over 5 runs of
# `vmterm-trace show ID --file FILE`, the median wall time, the median CPU time (user + sys, the
# figure a loaded machine distorts least) and the peak RSS, for OTLP JSON lines and Jaeger v1
# JSON. Usage: tests/bench/trace_cli/run.sh [BUILD_DIR] [SPANS]
# (BUILD_DIR configured with -DVMTERM_BUILD_BENCH=ON; targets vmterm-trace generate_big_trace)
set -eu
build=${1:-build}
spans=${2:-100000}
trace_id=4bf92f3577b34da6a3ce929d0e0e4736
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
for format in otlp v1; do
  file="$tmp/big.$format.json"
  "$build/bench/generate_big_trace" "$format" "$spans" "$file"
  size=$(du -m "$file" | cut -f1)
  : > "$tmp/times"
  for run in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/one" \
      "$build/bin/vmterm-trace" --file "$file" --color never --width 120 show "$trace_id" \
      > "$tmp/out" 2> "$tmp/err"
    cat "$tmp/one" >> "$tmp/times"
  done
  lines=$(wc -l < "$tmp/out")
  cpu=$(awk '{ print $3 + $4 }' "$tmp/times" | sort -n | sed -n 3p)
  sort -n "$tmp/times" | awk -v f="$format" -v s="$spans" -v mb="$size" -v l="$lines" -v cpu="$cpu" \
    'NR==3 { printf "%-5s %d spans (%d MB file, %d lines out): median %.2f s wall, %.2f s CPU", f, s, mb, l, $1, cpu }
     { if ($2 > rss) rss = $2 } END { printf ", peak RSS %.0f MB\n", rss / 1024 }'
done
