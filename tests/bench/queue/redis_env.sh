# Sourced by run.sh and roundtrip.sh: a temp dir ($tmp), a cleanup trap that stops every pid in
# $pids and removes $tmp, a redis-server on a free loopback port ($port, $redis_pid) that is
# answering, and median (of numbers on stdin).
tmp=$(mktemp -d)
pids=()
# A child forked for `cmd &` and signalled before it execs runs the EXIT trap as a copy of this
# shell (bash's handler is still installed): only the script's own shell cleans up.
main_shell=$BASHPID
cleanup() { [ "$BASHPID" = "$main_shell" ] || return 0; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
redis_pid=$!
pids+=($redis_pid)
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
