#!/usr/bin/env bash
# vmterm-health beside the tools it replaces, the same invocations in one run, round-robin
# (tests/bench/health/spawn_bench.c: posix_spawn to reap, peak RSS from wait4): check_http
# and check_tcp (Debian's monitoring-plugins-basic), curl, redis-cli, the `curl && redis-cli`
# script, /bin/true; for SSH check_ssh (banner only) and ssh-keyscan (key fetch, no
# comparison) beside vmterm-health --ssh (banner, key exchange, known_hosts comparison).
# --task noop against a vmterm-worker beside `vmterm-worker call noop --wait`.
# Targets on loopback: a python HTTP server answering /health-check/ with {"status":"ok"}, a
# redis-server, an sshd with its own host key and config, an openssl s_server for https (check_http
# -S beside it); tracing to a file.
# Usage: tests/bench/health/run.sh [BUILD_DIR] [RUNS]     (default RUNS 100)
# VMTERM_HEALTH_BEFORE=/path/to/an/older/vmterm-health adds its --http, --ssh, http+redis+ssh,
# --task and --version rows ("before ...") to the same round robin: a change measured against its parent in
# one run, as the README's figures require (the binary, and its libvmterm_health_tls.so when one
# is beside it, are first rewritten into a temporary directory: see below).
# VMTERM_HEALTH_PROFILE=DIR: no timing; each vmterm-health row runs once under valgrind's callgrind
# into DIR/callgrind.N, for scripts/hot_text.py (which runs this itself: `scripts/hot_text.py build`).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
runs=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
health=$build/bin/vmterm-health
plugins=/usr/lib/nagios/plugins
tmp=$(mktemp -d)
pids=()
# A child forked for `cmd &` and signalled before it execs runs the EXIT trap as a copy of this
# shell (bash's handler is still installed): only the script's own shell cleans up.
main_shell=$BASHPID
cleanup() { [ "$BASHPID" = "$main_shell" ] || return 0; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

hport=$(freeport)
cat > "$tmp/srv.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$tmp/srv.py" "$hport" & pids+=($!)
rport=$(freeport)
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$rport" ping >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$hport/health-check/" >/dev/null 2>&1; do
  sleep 0.05
done
# An sshd of our own, as tests/support/sshd_server does (root needs /run/sshd).
sport=$(freeport)
ssh-keygen -q -t ed25519 -N "" -f "$tmp/host_ed25519"
mkdir -p /run/sshd 2>/dev/null || true
cat > "$tmp/sshd_config" <<CFG
Port $sport
ListenAddress 127.0.0.1
HostKey $tmp/host_ed25519
PidFile $tmp/sshd.pid
UsePAM no
StrictModes no
UseDNS no
MaxStartups 1000
PasswordAuthentication no
KbdInteractiveAuthentication no
CFG
/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" & pids+=($!)
echo "[127.0.0.1]:$sport $(cut -d' ' -f1-2 "$tmp/host_ed25519.pub")" > "$tmp/known_hosts"
until ssh-keyscan -T 1 -p "$sport" 127.0.0.1 >/dev/null 2>&1; do sleep 0.05; done
# A TLS server (openssl s_server -www, one connection at a time) with a certificate made here,
# for the https row: the TLS module's handshake code.
tport=$(freeport)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
openssl s_server -quiet -accept "127.0.0.1:$tport" -cert "$tmp/tls.crt" -key "$tmp/tls.key" -www \
  </dev/null >/dev/null 2>&1 & pids+=($!)
until curl -fsS --cacert "$tmp/tls.crt" "https://127.0.0.1:$tport/" >/dev/null 2>&1; do sleep 0.05; done
# A vmterm-worker on that Redis for the --task round trip (its built-in noop).
worker=$build/bin/vmterm-worker
if [ -x "$worker" ]; then
  OTEL_TRACES_EXPORTER=none "$worker" --broker "redis://127.0.0.1:$rport/0" --log-format text \
    2>"$tmp/worker.log" & pids+=($!)
  until grep -q ready "$tmp/worker.log" 2>/dev/null; do sleep 0.05; done
fi
url=http://127.0.0.1:$hport/health-check/
export OTEL_TRACES_EXPORTER=file VMTERM_TRACES_FILE=$tmp/traces.jsonl
cat > "$tmp/script.sh" <<SH
#!/bin/sh
/usr/bin/curl -fsS --max-time 5 $url >/dev/null && /usr/bin/redis-cli -p $rport ping >/dev/null
SH
chmod +x "$tmp/script.sh"

cmds=(
  "vmterm-health http+redis|$health --nagios --http $url --redis redis://127.0.0.1:$rport"
  "curl&&redis-cli script|$tmp/script.sh"
  "vmterm-health http|$health --nagios --http $url"
  "vmterm-health --version|$health --version"
  "/bin/true|/bin/true"
  "curl -fsS|/usr/bin/curl -fsS --max-time 5 $url"
  "redis-cli ping|/usr/bin/redis-cli -p $rport ping"
  "vmterm-health ssh|$health --nagios --ssh 127.0.0.1:$sport --known-hosts $tmp/known_hosts"
  "vmterm-health http+redis+ssh|$health --nagios --http $url --redis redis://127.0.0.1:$rport --ssh 127.0.0.1:$sport --known-hosts $tmp/known_hosts"
  "ssh-keyscan|/usr/bin/ssh-keyscan -T 5 -t ed25519 -p $sport 127.0.0.1"
  "vmterm-health https|$health --nagios --http https://127.0.0.1:$tport/ --cacert $tmp/tls.crt"
)
if [ -x "$worker" ]; then
  cmds+=("vmterm-health task noop|$health --nagios --task noop --broker redis://127.0.0.1:$rport/0")
  cmds+=("vmterm-worker call --wait|$worker call noop --wait --broker redis://127.0.0.1:$rport/0")
fi
before=${VMTERM_HEALTH_BEFORE:-}
if [ -n "$before" ]; then
  [ -x "$before" ] || { echo "VMTERM_HEALTH_BEFORE: '$before' is not an executable; give the path of an older vmterm-health" >&2; exit 2; }
  # Rewritten in 4 KiB writes, as the linker writes a binary: a file made by cp (copy_file_range)
  # sits in the page cache in large folios, and the loader's faults then map more of it (Linux
  # 6.18 here: --version 5.6 MiB peak RSS from a cp'd binary, 4.8 from the same binary written
  # by dd bs=4k or the linker), which would flatter whichever build was copied. Its lazy TLS
  # module, when it has one, goes beside it.
  mkdir -p "$tmp/before"
  for f in "$before" "$(dirname "$before")/libvmterm_health_tls.so"; do
    [ -f "$f" ] || continue
    dd if="$f" of="$tmp/before/$(basename "$f")" bs=4096 status=none
    chmod +x "$tmp/before/$(basename "$f")"
  done
  before=$tmp/before/$(basename "$before")
  cmds+=("before http|$before --nagios --http $url")
  cmds+=("before --version|$before --version")
  cmds+=("before ssh|$before --nagios --ssh 127.0.0.1:$sport --known-hosts $tmp/known_hosts")
  cmds+=("before https|$before --nagios --http https://127.0.0.1:$tport/ --cacert $tmp/tls.crt")
  cmds+=("before http+redis+ssh|$before --nagios --http $url --redis redis://127.0.0.1:$rport --ssh 127.0.0.1:$sport --known-hosts $tmp/known_hosts")
  if [ -x "$worker" ]; then
    cmds+=("before task noop|$before --nagios --task noop --broker redis://127.0.0.1:$rport/0")
  fi
fi
if [ -x $plugins/check_http ]; then
  cmds+=("check_http|$plugins/check_http -I 127.0.0.1 -p $hport -u /health-check/ -s ok")
  cmds+=("check_tcp redis|$plugins/check_tcp -H 127.0.0.1 -p $rport")
  cmds+=("check_ssh|$plugins/check_ssh -H 127.0.0.1 -p $sport")
  cmds+=("check_http https|$plugins/check_http -I 127.0.0.1 -p $tport -S -u /")
else
  echo "check_http/check_tcp missing: install monitoring-plugins-basic (scripts/setup)" >&2
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)  runs=$runs  $(date -u +%FT%TZ)"
cc -O2 -o "$tmp/spawn_bench" "$here/spawn_bench.c"
# Each tool must succeed once before it is timed: a bench of failures measures nothing.
for c in "${cmds[@]}"; do
  name=${c%%|*}
  ${c#*|} >/dev/null 2>&1 || { echo "$name failed: ${c#*|}" >&2; exit 1; }
done
profile=${VMTERM_HEALTH_PROFILE:-}
if [ -n "$profile" ]; then
  # Instead of timing: each vmterm-health row once under callgrind, the input of
  # scripts/hot_text.py (which code the runs execute, packed by the linker: cmake/hot_text.cmake).
  mkdir -p "$profile"
  rm -f "$profile"/callgrind.*
  i=0
  for c in "${cmds[@]}"; do
    case ${c%%|*} in vmterm-health*) ;; *) continue ;; esac
    i=$((i + 1))
    valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \
      --callgrind-out-file="$profile/callgrind.$i" ${c#*|} >/dev/null 2>"$profile/valgrind.$i.log" ||
      { echo "${c%%|*} failed under callgrind: see $profile/valgrind.$i.log" >&2; exit 1; }
    echo "profiled ${c%%|*}: $profile/callgrind.$i"
  done
  exit 0
fi
"$tmp/spawn_bench" "$runs" "${cmds[@]}"
