#!/usr/bin/env bash
# The `call --wait` round trip with the in-process client alone (run.sh's row, without the rest
# of the table), as an A/B of busy-polling: each configuration "CLIENT/WORKER" (the busy-poll
# windows in microseconds of call_bench and of vmterm-worker --busy-poll; 0 = block at once)
# runs in turn, RUNS times, on one redis-server. Per configuration: medians over the runs of p50
# and p99, CPU per call of the client, the worker and redis-server, and context switches per call.
# The load average is printed before and after: on a machine others use, latency is noise.
# Usage: tests/bench/queue/roundtrip.sh [BUILD_DIR] [N] [RUNS] [CONFIG...]
#   N calls per run (default 2000), RUNS (default 5), CONFIG (default: 0/0 250/0 250/250).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
n=${2:-2000}
runs=${3:-5}
shift $(($# < 3 ? $# : 3))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(0/0 250/0 250/250)
worker=$build/bin/vmterm-worker
call_bench=$build/bench/call_bench
. "$(dirname "$0")/redis_env.sh"
broker=redis://127.0.0.1:$port/0 backend=redis://127.0.0.1:$port/1
export OTEL_TRACES_EXPORTER=none
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ctxsw() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/"$1"/task/*/status; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)  N=$n  runs=$runs"
for r in $(seq "$runs"); do
  for c in "${configs[@]}"; do
    client_us=${c%/*} worker_us=${c#*/}
    VMTERM_REDIS_URL=$broker CELERY_RESULT_BACKEND=$backend "$worker" -c 4 --log-level warn \
      --busy-poll "${worker_us}us" >"$tmp/w.log" 2>&1 &
    wp=$!; pids+=($wp)
    # ready once its blocking waits are in (connections named vmterm-wait), then settled
    until redis-cli -p "$port" CLIENT LIST | grep -q name=vmterm-wait; do sleep 0.05; done
    sleep 0.5
    w0=$(ticks "$wp"); r0=$(ticks "$redis_pid"); wc0=$(ctxsw "$wp"); rc0=$(ctxsw "$redis_pid")
    out=$(/usr/bin/time -f '%U %S %w %c' -o "$tmp/time" "$call_bench" roundtrip "$broker" "$backend" "$n" 20 "$client_us")
    w1=$(ticks "$wp"); r1=$(ticks "$redis_pid"); wc1=$(ctxsw "$wp"); rc1=$(ctxsw "$redis_pid")
    kill -TERM "$wp"; wait "$wp" 2>/dev/null || true
    read -r cu cs cv ci < "$tmp/time"
    # p50 p99 (ms), CPU us per call of client worker redis, context switches per call of the same
    awk -v o="$out" -v cu="$cu" -v cs="$cs" -v cv="$cv" -v ci="$ci" -v w="$((w1 - w0))" \
      -v rr="$((r1 - r0))" -v wc="$((wc1 - wc0))" -v rc="$((rc1 - rc0))" -v n="$n" -v hz="$hz" \
      'BEGIN { printf "%s %.0f %.0f %.0f %.2f %.2f %.2f\n", o, (cu + cs) * 1e6 / n,
               w * 1e6 / hz / n, rr * 1e6 / hz / n, (cv + ci) / n, wc / n, rc / n }' >> "$tmp/$r.${c/\//_}"
    cat "$tmp/$r.${c/\//_}" >> "$tmp/all.${c/\//_}"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-22s %-16s %-26s %-22s\n' "busy-poll client/worker" "p50 / p99 ms" "CPU us/call client/worker/redis" "ctx switches/call c/w/r"
for c in "${configs[@]}"; do
  f="$tmp/all.${c/\//_}"
  col() { awk -v k="$1" '{print $k}' "$f" | median; }
  printf '%-22s %-16s %-26s %-22s\n' "${c%/*}us / ${c#*/}us" "$(col 1) / $(col 2)" \
    "$(col 3) / $(col 4) / $(col 5)" "$(col 6) / $(col 7) / $(col 8)"
done
