#!/usr/bin/env bash
# vmterm-beat beside stock Celery beat 5.2.6 on one redis-server, in the same run: duplicates
# with three beats running, failover after SIGKILL of the leader, tick lateness (due time to
# the message in the queue, read by a BLPOP consumer), 10,000 entries at 1 s (ticks sent of
# those due, lateness from the beat's own histogram, CPU), and RSS. Medians of RUNS runs.
# Usage: tests/bench/beat/run.sh [BUILD_DIR] [SECONDS] [RUNS] [ENTRIES]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
secs=${2:-10}
runs=${3:-3}
entries=${4:-10000}
beat=$build/bin/vmterm-beat
tmp=$(mktemp -d)
pids=()
# A child forked for `cmd &` and signalled before it execs runs the EXIT trap as a copy of this
# shell (bash's handler is still installed): only the script's own shell cleans up.
main_shell=$BASHPID
cleanup() { [ "$BASHPID" = "$main_shell" ] || return 0; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
rc() { redis-cli -p "$port" "$@"; }
export VMTERM_REDIS_URL=redis://127.0.0.1:$port/0 CELERY_BROKER_URL=redis://127.0.0.1:$port/0
export OTEL_TRACES_EXPORTER=none VMTERM_LOG_FORMAT=text
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
start_beat() {  # schedule-file metrics-port [lease] -> pid on stdout
  "$beat" --schedule "$1" --metrics-listen "127.0.0.1:$2" --lease "${3:-5s}" --log-level warn \
    >>"$tmp/beat.log" 2>&1 &
  echo $!
}
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
# The sum of a family's samples over all label values (e.g. ticks sent by every entry).
metric_sum() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk -v m="$2" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%.0f\n", s}'
}
# The p-th percentile of a Prometheus histogram, as the upper bound of its bucket.
hist_p() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2_bucket" -v p="$3" '
    index($1, m "{") == 1 { split($1, a, "\""); le[++n] = a[2]; c[n] = $2 }
    END { for (i = 1; i <= n; i++) if (c[i] >= p / 100 * c[n]) { print le[i]; exit } }'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)  seconds: $secs  runs: $runs  entries: $entries"

# --- 1. duplicates: three beats, one entry every 50 ms (vmterm) / every 1 s (Celery beat).
printf '[t]\ntask = "t"\nevery = "50ms"\n' > "$tmp/fast.toml"
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  b=(); for i in 1 2 3; do b+=("$(start_beat "$tmp/fast.toml" "$(free_port)" 1s)"); done
  pids+=("${b[@]}")
  sleep "$secs"
  kill -9 "${b[@]}"; wait "${b[@]}" 2>/dev/null || true
  rc LRANGE celery 0 -1 | python3 -c '
import sys, json, collections
c = collections.Counter(json.loads(l)["headers"]["x-vmterm-beat-tick"] for l in sys.stdin if l.strip())
ticks = sorted(int(t) for t in c)
span = (ticks[-1] - ticks[0]) // 50 + 1 if ticks else 0
print(sum(n - 1 for n in c.values()), span - len(ticks), len(ticks))' >> "$tmp/vm_dup"
done
cat > "$tmp/benchapp.py" <<'PY'
from celery import Celery
app = Celery("benchapp")
app.conf.beat_schedule = {"t": {"task": "t", "schedule": 1.0}}
app.conf.beat_max_loop_interval = 1
PY
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  c=()
  for i in 1 2 3; do
    (cd "$tmp" && exec /usr/bin/python3 -m celery -A benchapp beat -s "$tmp/cb$i" --loglevel=error \
      >>"$tmp/celerybeat.log" 2>&1) &
    c+=($!)
  done
  pids+=("${c[@]}")
  for i in $(seq 300); do [ "$(rc LLEN celery)" -gt 2 ] && break; sleep 0.1; done  # all started
  n0=$(rc LLEN celery); sleep "$secs"; n1=$(rc LLEN celery)
  kill -9 "${c[@]}"; wait "${c[@]}" 2>/dev/null || true
  echo "$((n1 - n0)) $secs" >> "$tmp/celery_dup"
done

# --- 2. failover: three beats with the default 5 s lease; SIGKILL the leader, time until
# another holds the lease.
printf '[t]\ntask = "t"\nevery = "1s"\n' > "$tmp/slow.toml"
rc FLUSHALL >/dev/null
b=(); for i in 1 2 3; do b+=("$(start_beat "$tmp/slow.toml" "$(free_port)")"); done
pids+=("${b[@]}")
for r in $(seq "$runs"); do
  until leader=$(rc GET vmterm.beat:leader) && [ -n "$leader" ]; do sleep 0.05; done
  lp=$(echo "$leader" | cut -d: -f2)
  t0=$(date +%s.%N); kill -9 "$lp"
  while now=$(rc GET vmterm.beat:leader); [ -z "$now" ] || [ "$now" = "$leader" ]; do sleep 0.01; done
  echo "$(date +%s.%N) - $t0" | bc >> "$tmp/failover"
  b+=("$(start_beat "$tmp/slow.toml" "$(free_port)")"); pids+=("${b[-1]}")
  sleep 1
done
kill -9 "${b[@]}" 2>/dev/null || true; wait "${b[@]}" 2>/dev/null || true

# --- 3. lateness: one entry every 100 ms; a BLPOP consumer notes arrival − due time.
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  printf '[t]\ntask = "t"\nevery = "100ms"\n' > "$tmp/late.toml"
  /usr/bin/python3 - "$port" "$secs" > "$tmp/late_$r" <<'PY' &
import json, sys, time, redis
r = redis.Redis(port=int(sys.argv[1]))
end = time.time() + float(sys.argv[2])
late = []
while time.time() < end:
    got = r.blpop("celery", timeout=1)
    if got:
        late.append(time.time() * 1000 - int(json.loads(got[1])["headers"]["x-vmterm-beat-tick"]))
late = sorted(late[5:])  # the first ticks wait for the lease
print(f"{late[len(late) // 2]:.2f} {late[int(len(late) * 0.99)]:.2f} {len(late)}")
PY
  cons=$!
  sleep 0.2
  p=$(start_beat "$tmp/late.toml" "$(free_port)")
  pids+=("$p")
  wait "$cons"
  kill -9 "$p"; wait "$p" 2>/dev/null || true
done

# --- 4. many entries at 1 s each, one beat. Every due tick is sent, skipped (already sent) or
# coalesced (folded into a later one after falling more than three leases behind); what is
# left is the backlog, `behind` seconds of ticks not yet taken when the window closes.
python3 -c "
for i in range($entries): print(f'[e{i}]\ntask = \"noop\"\nevery = \"1s\"\n')" > "$tmp/many.toml"
snap() {  # metrics-port -> "sent skipped coalesced failed cpu"
  echo "$(metric_sum "$1" vmterm_beat_ticks_sent_total) $(metric_sum "$1" vmterm_beat_ticks_skipped_total)" \
    "$(metric_sum "$1" vmterm_beat_ticks_coalesced_total) $(metric_sum "$1" vmterm_beat_send_failures_total)" \
    "$(metric "$1" process_cpu_seconds_total)"
}
for r in $(seq "$runs"); do
  rc FLUSHALL >/dev/null
  mp=$(free_port)
  p=$(start_beat "$tmp/many.toml" "$mp")
  pids+=("$p")
  until [ "$(metric "$mp" vmterm_beat_leader)" = 1 ]; do sleep 0.05; done
  sleep 2
  read -r s0 k0 o0 f0 c0 <<<"$(snap "$mp")"
  sleep "$secs"
  read -r s1 k1 o1 f1 c1 <<<"$(snap "$mp")"
  behind=$(metric "$mp" vmterm_beat_behind_seconds)
  due=$((entries * secs))
  echo "$(echo "($s1 - $s0) / $due" | bc -l) $(hist_p "$mp" vmterm_beat_tick_lateness_seconds 50) $(hist_p "$mp" vmterm_beat_tick_lateness_seconds 99) $(echo "($c1 - $c0) / $secs" | bc -l) $(hwm_kib "$p") $(echo "($k1 - $k0) / $due" | bc -l) $(echo "($o1 - $o0) / $due" | bc -l) $((f1 - f0)) $behind" >> "$tmp/many"
  kill -9 "$p"; wait "$p" 2>/dev/null || true
done

# --- 5. idle RSS, one entry: vmterm-beat and Celery beat.
rc FLUSHALL >/dev/null
p=$(start_beat "$tmp/slow.toml" "$(free_port)"); pids+=("$p")
(cd "$tmp" && exec /usr/bin/python3 -m celery -A benchapp beat -s "$tmp/cbidle" --loglevel=error >>"$tmp/celerybeat.log" 2>&1) &
cp=$!; pids+=("$cp")
sleep 3
vm_idle=$(hwm_kib "$p"); celery_idle=$(hwm_kib "$cp")
kill -9 "$p" "$cp"; wait "$p" "$cp" 2>/dev/null || true

col() { awk -v c="$1" '{print $c}' "$2" | median; }
echo
echo "| measure (medians of $runs) | vmterm-beat | Celery beat 5.2.6 |"
echo "|---|---|---|"
echo "| 3 beats for ${secs} s: duplicate sends / ticks missing / ticks sent | $(col 1 "$tmp/vm_dup") / $(col 2 "$tmp/vm_dup") / $(col 3 "$tmp/vm_dup") (every 50 ms) | $(col 1 "$tmp/celery_dup") sends of ${secs} ticks (every 1 s): $(awk '{print $1 - $2}' "$tmp/celery_dup" | median) duplicates |"
echo "| failover after SIGKILL of the leader (lease 5 s) | $(median < "$tmp/failover" | xargs printf '%.2f') s | (no failover: every beat sends) |"
echo "| tick lateness p50 / p99 (due → in the queue), one entry every 100 ms | $(cat "$tmp"/late_* | awk '{print $1}' | median) / $(cat "$tmp"/late_* | awk '{print $2}' | median) ms | not measured (polls every max_interval) |"
echo "| $entries entries every 1 s: share of due ticks sent / lateness p50 / p99 (bucket bound) / CPU / peak RSS | $(col 1 "$tmp/many" | xargs printf '%.3f') / ≤ $(col 2 "$tmp/many") s / ≤ $(col 3 "$tmp/many") s / $(col 4 "$tmp/many" | xargs printf '%.2f') CPU s per s / $(col 5 "$tmp/many" | awk '{printf "%.1f", $1 / 1024}') MiB | — |"
echo "| $entries entries: share of due ticks skipped / coalesced, send failures, behind at the end (backlog) | $(col 6 "$tmp/many" | xargs printf '%.3f') / $(col 7 "$tmp/many" | xargs printf '%.3f'), $(col 8 "$tmp/many") failures, $(col 9 "$tmp/many" | xargs printf '%.3f') s | — |"
echo "| peak RSS, one entry, idle | $(awk -v k="$vm_idle" 'BEGIN {printf "%.1f", k / 1024}') MiB | $(awk -v k="$celery_idle" 'BEGIN {printf "%.1f", k / 1024}') MiB |"
