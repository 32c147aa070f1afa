#!/bin/sh
# bench_trace beside opentelemetry-cpp in one run: the same loop (a root SERVER span, 4
# attributes, batch processor with a 65,536-span queue, a discarding exporter; and the
# unsampled case) through vmterm's bench_trace and ../shared/peers/bin/otel_span_bench
# (opentelemetry-cpp 1.28), run alternately (A B A B ...), unpinned and pinned to one core
# (`taskset -c 1`: caller and export thread share it). Prints, per mode, the medians over PAIRS
# runs of CPU ns per span (the figure a loaded machine distorts least) with wall ns beside, and
# otel / vmterm. Also vmterm's loop on 2 threads (per-span CPU, and its ratio to one thread),
# and on 2 threads that share nothing (each its own provider and export thread: the ratio the
# machine alone gives, with no contention in the pipeline).
#
# What is measured, for both sides alike: CPU is Google Benchmark's cpu_time, the CPU time of
# the threads that start and end the spans (CLOCK_THREAD_CPUTIME_ID; on 2 threads their sum
# over all their spans). Neither side's export thread is counted in it: its work shows in the
# wall time, pinned (it takes turns on the caller's core), and on 2 threads, where it competes
# with them for the 2 vCPUs.
#
# Usage: tests/bench/trace/peer.sh [BUILD_DIR] [PAIRS]      (defaults: build 5)
#   VMTERM_OTEL_SPAN_BENCH  the peer binary (default ../shared/peers/bin/otel_span_bench from
#                           the project root); "not installed" when missing
#   VMTERM_BENCH_TRACE_BEFORE  another bench_trace (a previous build) to run in the same
#                           alternation: before/after figures from one run
#   VMTERM_BENCH_MIN_TIME   seconds per benchmark per run (default 0.5)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-build}
pairs=${2:-5}
ours="$build/bench/bench_trace"
peer=${VMTERM_OTEL_SPAN_BENCH:-$root/../shared/peers/bin/otel_span_bench}
before=${VMTERM_BENCH_TRACE_BEFORE:-}
min_time=${VMTERM_BENCH_MIN_TIME:-0.5}
[ -x "$ours" ] || { echo "peer.sh: no $ours; build the target bench_trace (configure with -DVMTERM_BUILD_BENCH=ON)" >&2; exit 2; }
if [ -n "$before" ] && [ ! -x "$before" ]; then
  echo "peer.sh: VMTERM_BENCH_TRACE_BEFORE=$before is not an executable; unset it or point it at a bench_trace" >&2
  exit 2
fi
peer_ok=1
if [ ! -x "$peer" ] || ! "$peer" --benchmark_list_tests >/dev/null 2>&1; then peer_ok=0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one_thread='^BM_span_(sampled_batch|unsampled)$'

run() {  # run OUT_FILE PIN BINARY FILTER
  out=$1 pin=$2 bin=$3 filter=$4
  if [ "$pin" = pinned ]; then
    taskset -c 1 "$bin" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
      --benchmark_format=json > "$out" 2>/dev/null
  else
    "$bin" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
      --benchmark_format=json > "$out" 2>/dev/null
  fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
i=1
while [ "$i" -le "$pairs" ]; do
  for pin in unpinned pinned; do
    run "$tmp/vmterm.$pin.$i.json" "$pin" "$ours" "$one_thread"
    [ -z "$before" ] || run "$tmp/before.$pin.$i.json" "$pin" "$before" "$one_thread"
    [ "$peer_ok" = 0 ] || run "$tmp/otel.$pin.$i.json" "$pin" "$peer" "$one_thread"
  done
  run "$tmp/vmterm.threads.$i.json" unpinned "$ours" 'BM_span_sampled_batch($|_2threads/)'
  [ -z "$before" ] || run "$tmp/before.threads.$i.json" unpinned "$before" 'BM_span_sampled_batch($|_2threads/)'
  run "$tmp/vmterm.unshared.$i.json" unpinned "$ours" 'BM_span_sampled_batch($|_2threads_unshared/)'
  i=$((i + 1))
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "load average before: $load_before; after: $load_after; $(nproc) cores; $pairs runs each, alternated; medians"
echo "peer: $( [ "$peer_ok" = 1 ] && echo "$peer" || echo "opentelemetry-cpp otel_span_bench not installed ($peer)")"
/usr/bin/python3 - "$tmp" "$pairs" "$peer_ok" "$( [ -n "$before" ] && echo 1 || echo 0)" <<'EOF'
import json, statistics, sys
tmp, pairs, peer_ok, has_before = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"

def times(who, mode, name):
    cpu, real = [], []
    for i in range(1, pairs + 1):
        with open(f"{tmp}/{who}.{mode}.{i}.json") as f:
            for b in json.load(f)["benchmarks"]:
                if b["name"].split("/")[0] == name:
                    cpu.append(b["cpu_time"])
                    real.append(b["real_time"])
    return (statistics.median(cpu), statistics.median(real)) if cpu else None

def cell(t):
    return "%.1f (%.1f)" % t if t else "-"

whos = ["vmterm"] + (["before"] if has_before else [])
head = ["mode", "vmterm ns CPU (wall)"] + (["before ns CPU (wall)"] if has_before else [])
head += ["opentelemetry-cpp 1.28 ns CPU (wall)", "otel / vmterm (CPU)"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
rows = [("sampled, unpinned", "unpinned", "BM_span_sampled_batch"),
        ("sampled, taskset -c 1", "pinned", "BM_span_sampled_batch"),
        ("unsampled, unpinned", "unpinned", "BM_span_unsampled"),
        ("unsampled, taskset -c 1", "pinned", "BM_span_unsampled")]
for label, mode, name in rows:
    ts = [times(w, mode, name) for w in whos]
    other = times("otel", mode, name) if peer_ok else None
    ratio = "%.1fx" % (other[0] / ts[0][0]) if other else "not installed"
    print("| " + " | ".join([label] + [cell(t) for t in ts] + [cell(other) if peer_ok else "not installed", ratio]) + " |")
print()
print("| vmterm, sampled, unpinned, same runs | " + " | ".join(w for w in whos) + " |")
print("|---|" + "---|" * len(whos))
one = [times(w, "threads", "BM_span_sampled_batch") for w in whos]
two = [times(w, "threads", "BM_span_sampled_batch_2threads") for w in whos]
print("| 1 thread, ns CPU (wall) | " + " | ".join(cell(t) for t in one) + " |")
print("| 2 threads, ns CPU per span (wall) | " + " | ".join(cell(t) for t in two) + " |")
print("| 2 threads / 1 thread, CPU per span | " + " | ".join("%.2fx" % (b[0] / a[0]) for a, b in zip(one, two)) + " |")
one_u = times("vmterm", "unshared", "BM_span_sampled_batch")
two_u = times("vmterm", "unshared", "BM_span_sampled_batch_2threads_unshared")
if one_u and two_u:
    print()
    print("vmterm, 2 threads sharing nothing (a provider, processor and export thread each; own runs):")
    print("1 thread %s, 2 threads %s ns CPU per span (wall): %.2fx, the machine's share of the ratio"
          % (cell(one_u), cell(two_u), two_u[0] / one_u[0]))
EOF
