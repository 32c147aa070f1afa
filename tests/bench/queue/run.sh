#!/usr/bin/env bash
# vmterm-worker beside stock Celery 5.2.6 on the same redis-server in the same run (2 cores
# shared by Redis, producer and worker): enqueue one round trip each and --bulk, drain of no-op
# tasks without and with Redis results, `call --wait` round trip (in-process: bench/call_bench,
# lib/queue's producer and result waiter, N_RT calls one after another; and a process per call),
# a real Celery client's round trip to vmterm-worker, to Celery and to a trivial redis-py
# responder (the Python client's floor), worker RSS idle and with ETA
# tasks waiting, redelivery after SIGKILL. Medians of RUNS runs.
# Usage: tests/bench/queue/run.sh [BUILD_DIR] [N] [N_CELERY] [RUNS]
#   N tasks for vmterm (default 100000), N_CELERY for Celery (default 5000: it drains ~800/s).
#   N_RT (environment): in-process `call --wait` round trips per run (default 2000, at most N).
set -euo pipefail
build=${1:-build}
n=${2:-100000}
nc=${3:-5000}
runs=${4:-3}
build=$(cd "$build" && pwd)  # absolute: the Celery part runs from a temp dir
worker=$build/bin/vmterm-worker
call_bench=$build/bench/call_bench
n_rt=${N_RT:-$((n < 2000 ? n : 2000))}
. "$(dirname "$0")/redis_env.sh"
rc() { redis-cli -p "$port" "$@"; }
export VMTERM_REDIS_URL=redis://127.0.0.1:$port/0 CELERY_RESULT_BACKEND=redis://127.0.0.1:$port/1
export OTEL_TRACES_EXPORTER=none
now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
drained() { [ "$(rc LLEN celery)" = 0 ] && [ "$(rc HLEN unacked)" = 0 ]; }
wait_drained() { while ! drained; do sleep 0.01; done; }
# CPU seconds (user + system) a process has used so far, and per 10,000 tasks: steadier than
# tasks/s on a machine other work shares.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
per10k() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", c * 10000 / n }'; }

seq "$n" | awk '{print "[" $1 "]"}' > "$tmp/bulk.jsonl"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)  N=$n  N_celery=$nc  runs=$runs"

# --- vmterm: enqueue one by one (call in a loop is process-bound; a pipelined-1 bulk instead
# measures one round trip per task from one client) and --bulk.
declare -A vm
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  t0=$(now); "$worker" call noop --ignore-result --bulk "$tmp/bulk.jsonl" >/dev/null; t1=$(now)
  echo "$(rate "$n" "$(echo "$t1 - $t0" | bc)")" >> "$tmp/vm_bulk"
  # drain without results
  r0=$(cpu_of "$redis_pid")
  "$worker" -c 8 --prefetch 1024 --log-level warn >"$tmp/w.log" 2>&1 &
  wp=$!; pids+=($wp)
  t0=$(now); sleep 0.001; wait_drained; t1=$(now)
  per10k "$(cpu_of "$wp")" "$n" >> "$tmp/vm_drain_cpu"; echo >> "$tmp/vm_drain_cpu"
  per10k "$(echo "$(cpu_of "$redis_pid") - $r0" | bc)" "$n" >> "$tmp/vm_drain_rcpu"; echo >> "$tmp/vm_drain_rcpu"
  kill -TERM "$wp"; wait "$wp" 2>/dev/null || true
  echo "$(rate "$n" "$(echo "$t1 - $t0" | bc)")" >> "$tmp/vm_drain"
  # drain with results
  rc FLUSHALL >/dev/null
  "$worker" call noop --bulk "$tmp/bulk.jsonl" >/dev/null
  r0=$(cpu_of "$redis_pid")
  "$worker" -c 8 --prefetch 1024 --log-level warn >"$tmp/w.log" 2>&1 &
  wp=$!; pids+=($wp)
  t0=$(now); wait_drained; while [ "$(rc -n 1 DBSIZE)" -lt "$n" ]; do sleep 0.01; done; t1=$(now)
  per10k "$(cpu_of "$wp")" "$n" >> "$tmp/vm_drain_results_cpu"; echo >> "$tmp/vm_drain_results_cpu"
  per10k "$(echo "$(cpu_of "$redis_pid") - $r0" | bc)" "$n" >> "$tmp/vm_drain_results_rcpu"; echo >> "$tmp/vm_drain_results_rcpu"
  kill -TERM "$wp"; wait "$wp" 2>/dev/null || true
  echo "$(rate "$n" "$(echo "$t1 - $t0" | bc)")" >> "$tmp/vm_drain_results"
done
# one round trip each: in-process (call_bench: one send after another, each waiting for its
# LPUSH's reply, no worker running, as Celery's enqueue below), and `call` processes in a loop.
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  "$call_bench" enqueue "$VMTERM_REDIS_URL" "$((n < 20000 ? n : 20000))" >> "$tmp/vm_enqueue"
  "$call_bench" enqueue "$VMTERM_REDIS_URL" "$((n < 20000 ? n : 20000))" 0 >> "$tmp/vm_enqueue_block"
done
rc FLUSHALL >/dev/null
t0=$(now); for i in $(seq 200); do "$worker" call noop --ignore-result >/dev/null; done; t1=$(now)
vm_call_loop=$(rate 200 "$(echo "$t1 - $t0" | bc)")
# call --wait round trip (process included) and idle RSS
"$worker" -c 4 --log-level warn >"$tmp/w.log" 2>&1 &
wp=$!; pids+=($wp)
sleep 1
idle_rss=$(awk '/VmRSS/ {print $2}' "/proc/$wp/status")
: > "$tmp/rt"
for i in $(seq 200); do
  t0=$(now); "$worker" call noop --wait >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >> "$tmp/rt"
done
rt_p50=$(sort -g "$tmp/rt" | awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.5)]*1000}')
rt_p99=$(sort -g "$tmp/rt" | awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.99)]*1000}')
# call --wait in-process: RUNS runs of N_RT calls (after 20 unmeasured), medians of p50 and p99;
# alternated: the result channels subscribed once (roundtrip) and per call as `call --wait`
# and Celery do (roundtrip-each), both busy-polling 250us before blocking (call --wait's
# default), and subscribed once but blocking at once (busy-poll 0). Context switches per call
# of the worker and redis-server. tests/bench/queue/roundtrip.sh runs this row alone.
ctxsw() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/"$1"/task/*/status; }
for r in $(seq "$runs"); do
  w0=$(ctxsw "$wp"); r0=$(ctxsw "$redis_pid")
  "$call_bench" roundtrip "$VMTERM_REDIS_URL" "$CELERY_RESULT_BACKEND" "$n_rt" >> "$tmp/vm_inproc"
  awk -v a="$w0" -v b="$(ctxsw "$wp")" -v c="$r0" -v d="$(ctxsw "$redis_pid")" -v n="$n_rt" \
    'BEGIN { printf "%.2f %.2f\n", (b - a) / n, (d - c) / n }' >> "$tmp/vm_inproc_cs"
  "$call_bench" roundtrip-each "$VMTERM_REDIS_URL" "$CELERY_RESULT_BACKEND" "$n_rt" >> "$tmp/vm_inproc_each"
  "$call_bench" roundtrip "$VMTERM_REDIS_URL" "$CELERY_RESULT_BACKEND" "$n_rt" 20 0 >> "$tmp/vm_inproc_block"
done
inproc_p50=$(awk '{print $1}' "$tmp/vm_inproc" | median)
inproc_p99=$(awk '{print $2}' "$tmp/vm_inproc" | median)
inproc_cs="$(awk '{print $1}' "$tmp/vm_inproc_cs" | median) / $(awk '{print $2}' "$tmp/vm_inproc_cs" | median)"
each_p50=$(awk '{print $1}' "$tmp/vm_inproc_each" | median)
each_p99=$(awk '{print $2}' "$tmp/vm_inproc_each" | median)
block_p50=$(awk '{print $1}' "$tmp/vm_inproc_block" | median)
block_p99=$(awk '{print $2}' "$tmp/vm_inproc_block" | median)
# RSS with N ETA tasks waiting
"$worker" call noop --ignore-result --countdown 1h --bulk "$tmp/bulk.jsonl" >/dev/null
while [ "$(rc LLEN celery)" != 0 ]; do sleep 0.1; done
sleep 1
eta_rss=$(awk '/VmRSS/ {print $2}' "/proc/$wp/status")
# redelivery after SIGKILL: a task running when the worker is killed runs again on another.
# Measured on its own: the ETA backlog above is given back and flushed first (with 100,000
# held messages in the queue ahead of it, the marked task is recovered after all of them, and
# the figure measures how fast 100,000 messages are recovered and taken again, not how soon a
# dead worker is noticed).
kill -TERM "$wp"; wait "$wp" 2>/dev/null || true
rc FLUSHALL >/dev/null
"$worker" -n celery@other -c 4 --log-level warn --task "mark=date +%s.%N >> $tmp/marks; sleep 30" >"$tmp/w2.log" 2>&1 &
wp2=$!; pids+=($wp2)
"$worker" -n celery@victim -c 4 --log-level warn --task "mark=date +%s.%N >> $tmp/marks; sleep 30" >"$tmp/w3.log" 2>&1 &
wp3=$!; pids+=($wp3)
sleep 1
kill -STOP "$wp2"  # only the victim takes it
"$worker" call mark --ignore-result >/dev/null
while [ ! -s "$tmp/marks" ]; do sleep 0.01; done
kill -CONT "$wp2"
tk=$(now); kill -KILL "$wp3"
while [ "$(wc -l < "$tmp/marks")" -lt 2 ]; do sleep 0.05; done
redeliver=$(echo "$(tail -1 "$tmp/marks") - $tk" | bc)
kill -TERM "$wp2"; wait "$wp2" 2>/dev/null || true

echo "vmterm (medians so far): call --wait in-process p50/p99 $inproc_p50/$inproc_p99 ms, bulk $(median < "$tmp/vm_bulk")/s, drain $(median < "$tmp/vm_drain")/s, drain+results $(median < "$tmp/vm_drain_results")/s, call loop ${vm_call_loop}/s, call --wait p50/p99 $rt_p50/$rt_p99 ms, RSS idle $idle_rss KiB, with ETA $eta_rss KiB, redelivery ${redeliver} s"

# --- stock Celery 5.2.6, same redis-server
cat > "$tmp/app.py" <<PY
import os
from celery import Celery
app = Celery("app", broker="redis://127.0.0.1:$port/0", backend=os.environ.get("BENCH_BACKEND") or None)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_ignore_result=not os.environ.get("BENCH_BACKEND"), worker_hijack_root_logger=False)
@app.task(name="noop")
def noop(): return None
PY
cat > "$tmp/enqueue.py" <<'PY'
import sys, time
from app import noop
n = int(sys.argv[1]); noop.delay()
t0 = time.perf_counter()
for _ in range(n): noop.delay()
print(n / (time.perf_counter() - t0))
PY
cat > "$tmp/rt.py" <<'PY'
import time
from app import noop
for _ in range(20): noop.delay().get(timeout=30)
ts = []
for _ in range(200):
    t0 = time.perf_counter(); noop.delay().get(timeout=30); ts.append(time.perf_counter() - t0)
ts.sort(); print("%.2f %.2f" % (ts[len(ts)//2] * 1000, ts[int(len(ts)*0.99)] * 1000))
PY
# The floor of a Celery client's round trip: the same loop against the least a worker can do,
# in Python with redis-py (BRPOP, then SETEX + PUBLISH of the SUCCESS in one pipeline), and
# the client's own CPU per call (process time over the 200 calls).
sed -e 's/^ts = \[\]$/ts = []; c0 = time.process_time()/' \
    -e 's/^ts.sort(); print("%.2f %.2f" % (\(.*\)))$/c1 = time.process_time(); ts.sort(); print("%.2f %.2f %.3f" % (\1, (c1 - c0) * 1000 \/ len(ts)))/' \
    "$tmp/rt.py" > "$tmp/rt_cpu.py"
cat > "$tmp/responder.py" <<PY
import datetime, json, redis
broker = redis.Redis(host="127.0.0.1", port=$port, db=0)
results = redis.Redis(host="127.0.0.1", port=$port, db=1)
while True:
    _, raw = broker.brpop(["celery"], 0)
    tid = json.loads(raw)["headers"]["id"]
    meta = json.dumps({"status": "SUCCESS", "result": None, "traceback": None, "children": [],
                       "date_done": datetime.datetime.utcnow().isoformat(), "task_id": tid})
    p = results.pipeline(transaction=False)
    p.setex("celery-task-meta-" + tid, 86400, meta); p.publish("celery-task-meta-" + tid, meta)
    p.execute()
PY
cd "$tmp"
for r in $(seq "$runs"); do
  for backend in "" "redis://127.0.0.1:$port/1"; do
    rc FLUSHALL >/dev/null
    BENCH_BACKEND=$backend /usr/bin/python3 enqueue.py "$nc" >> "$tmp/c_enqueue"
    BENCH_BACKEND=$backend /usr/bin/python3 -m celery -A app worker --pool=solo --without-mingle \
      --without-gossip --loglevel=WARNING >"$tmp/cw.log" 2>&1 &
    cp=$!; pids+=($cp)
    while [ "$(rc LLEN celery)" = "$((nc + 1))" ]; do sleep 0.01; done
    if [ -z "$backend" ]; then f=c_drain; else f=c_drain_results; fi
    c0=$(cpu_of "$cp"); r0=$(cpu_of "$redis_pid")
    t0=$(now); wait_drained; t1=$(now)
    per10k "$(echo "$(cpu_of "$cp") - $c0" | bc)" "$nc" >> "$tmp/${f}_cpu"; echo >> "$tmp/${f}_cpu"
    per10k "$(echo "$(cpu_of "$redis_pid") - $r0" | bc)" "$nc" >> "$tmp/${f}_rcpu"; echo >> "$tmp/${f}_rcpu"
    kill -TERM "$cp"; wait "$cp" 2>/dev/null || true
    echo "$(rate "$nc" "$(echo "$t1 - $t0" | bc)")" >> "$tmp/$f"
  done
done
rc FLUSHALL >/dev/null
BENCH_BACKEND=redis://127.0.0.1:$port/1 /usr/bin/python3 -m celery -A app worker --pool=solo \
  --without-mingle --without-gossip --loglevel=WARNING >"$tmp/cw.log" 2>&1 &
cp=$!; pids+=($cp); sleep 3
# A failed Celery run (e.g. a timeout under load) is reported as such, not the end of the table.
for r in $(seq "$runs"); do
  BENCH_BACKEND=redis://127.0.0.1:$port/1 /usr/bin/python3 rt.py 2>>"$tmp/rt.err" >> "$tmp/c_rt" || echo "failed failed" >> "$tmp/c_rt"
done
c_p50=$(awk '{print $1}' "$tmp/c_rt" | median); c_p99=$(awk '{print $2}' "$tmp/c_rt" | median)
c_rss=$(awk '/VmRSS/ {print $2}' "/proc/$cp/status")
kill -TERM "$cp"; wait "$cp" 2>/dev/null || true
# a real Celery client -> vmterm-worker round trip
"$worker" -c 4 --log-level warn >"$tmp/w.log" 2>&1 &
wp=$!; pids+=($wp); sleep 1
for r in $(seq "$runs"); do
  BENCH_BACKEND=redis://127.0.0.1:$port/1 /usr/bin/python3 rt.py 2>>"$tmp/rt.err" >> "$tmp/x_rt" || echo "failed failed" >> "$tmp/x_rt"
done
for r in $(seq "$runs"); do
  BENCH_BACKEND=redis://127.0.0.1:$port/1 /usr/bin/python3 rt_cpu.py 2>>"$tmp/rt.err" >> "$tmp/x_rt_cpu" || echo "failed failed failed" >> "$tmp/x_rt_cpu"
done
x_p50=$(awk '{print $1}' "$tmp/x_rt" | median); x_p99=$(awk '{print $2}' "$tmp/x_rt" | median)
x_cpu=$(awk '{print $3}' "$tmp/x_rt_cpu" | median)
kill -TERM "$wp"; wait "$wp" 2>/dev/null || true
# ... and against the trivial responder (the client's floor), the same runs
/usr/bin/python3 responder.py 2>>"$tmp/rt.err" &
rp=$!; pids+=($rp); sleep 1
for r in $(seq "$runs"); do
  BENCH_BACKEND=redis://127.0.0.1:$port/1 /usr/bin/python3 rt_cpu.py 2>>"$tmp/rt.err" >> "$tmp/f_rt" || echo "failed failed failed" >> "$tmp/f_rt"
done
f_p50=$(awk '{print $1}' "$tmp/f_rt" | median); f_p99=$(awk '{print $2}' "$tmp/f_rt" | median)
f_cpu=$(awk '{print $3}' "$tmp/f_rt" | median)
kill "$rp"; wait "$rp" 2>/dev/null || true

# Redis restarted under an idle worker: from Redis answering again to the worker consuming a
# task sent then (its reconnect backoff is capped at 1 s), RUNS times.
"$worker" -c 4 --log-level warn >"$tmp/w.log" 2>&1 &
wp=$!; pids+=($wp); sleep 1
for r in $(seq "$runs"); do
  kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
  sleep 0.5
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
  redis_pid=$!; pids+=($redis_pid)
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.01; done
  t0=$(now)
  "$worker" call noop --ignore-result >/dev/null
  while [ "$(rc LLEN celery)" != 0 ] || [ "$(rc HLEN unacked)" != 0 ]; do sleep 0.01; done
  t1=$(now)
  echo "$t1 - $t0" | bc >> "$tmp/restart"
done
kill -TERM "$wp"; wait "$wp" 2>/dev/null || true

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-58s %-22s %-22s\n' "measure (median of $runs)" "vmterm-worker" "Celery 5.2.6 (solo)"
printf '%-58s %-22s %-22s\n' "drain no-op, no results (tasks/s)" "$(median < "$tmp/vm_drain")" "$(median < "$tmp/c_drain")"
printf '%-58s %-22s %-22s\n' "  CPU s per 10,000: worker / redis-server" "$(median < "$tmp/vm_drain_cpu") / $(median < "$tmp/vm_drain_rcpu")" "$(median < "$tmp/c_drain_cpu") / $(median < "$tmp/c_drain_rcpu")"
printf '%-58s %-22s %-22s\n' "drain no-op, Redis results (tasks/s)" "$(median < "$tmp/vm_drain_results")" "$(median < "$tmp/c_drain_results")"
printf '%-58s %-22s %-22s\n' "  CPU s per 10,000: worker / redis-server" "$(median < "$tmp/vm_drain_results_cpu") / $(median < "$tmp/vm_drain_results_rcpu")" "$(median < "$tmp/c_drain_results_cpu") / $(median < "$tmp/c_drain_results_rcpu")"
printf '%-58s %-22s %-22s\n' "enqueue --bulk, pipelined (tasks/s)" "$(median < "$tmp/vm_bulk")" "-"
printf '%-58s %-22s %-22s\n' "enqueue one round trip each, in-process, busy-poll 250us (tasks/s)" "$(median < "$tmp/vm_enqueue")" "$(median < "$tmp/c_enqueue")"
printf '%-58s %-22s %-22s\n' "  blocking at once (busy-poll 0) (tasks/s)" "$(median < "$tmp/vm_enqueue_block")" "-"
printf '%-58s %-22s %-22s\n' "enqueue, a \`call\` process each (tasks/s)" "$vm_call_loop" "-"
printf '%-58s %-22s %-22s\n' "call --wait in-process (busy-poll 250us), p50/p99 ms" "$inproc_p50 / $inproc_p99" "$c_p50 / $c_p99 (Celery->Celery)"
printf '%-58s %-22s %-22s\n' "  context switches per call: worker / redis-server" "$inproc_cs" "-"
printf '%-58s %-22s %-22s\n' "  subscribing per call (as call --wait), p50/p99 ms" "$each_p50 / $each_p99" "-"
printf '%-58s %-22s %-22s\n' "  blocking at once (busy-poll 0), p50/p99 ms" "$block_p50 / $block_p99" "-"
printf '%-58s %-22s %-22s\n' "call --wait round trip, a process each, p50/p99 ms" "$rt_p50 / $rt_p99" "-"
printf '%-58s %-22s %-22s\n' "Celery client -> vmterm-worker round trip p50/p99 ms" "$x_p50 / $x_p99" "$c_p50 / $c_p99 (Celery->Celery)"
printf '%-58s %-22s %-22s\n' "  Celery client's CPU per call (ms)" "$x_cpu" "-"
printf '%-58s %-22s %-22s\n' "Celery client -> trivial redis-py responder p50/p99 ms" "$f_p50 / $f_p99" "(client floor; CPU $f_cpu ms/call)"
printf '%-58s %-22s %-22s\n' "worker RSS idle (KiB)" "$idle_rss" "$c_rss (after 220 tasks)"
printf '%-58s %-22s %-22s\n' "worker RSS with $n ETA tasks waiting (KiB)" "$eta_rss" "-"
printf '%-58s %-22s %-22s\n' "redelivery after SIGKILL (s)" "$redeliver" "kombu: 3600 + ~100"
printf '%-58s %-22s %-22s\n' "Redis restarted: answering -> a task consumed (s)" "$(median < "$tmp/restart")" "-"
