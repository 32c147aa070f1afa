#!/usr/bin/env bash
# The link launcher of vmterm-serve (RULE_LAUNCH_LINK, VMTERM_SERVE_LEAN_LINK): runs the link
# command CMake wrote with the C++ libraries taken from their static archives (Boost.URL: a
# shared one would load the shared libstdc++ too, 0.8 MiB of it resident in every server).
# Usage: link_static.sh LIB[,LIB...] COMMAND...; a library without its archive stays shared.
set -euo pipefail
IFS=, read -r -a libs <<<"$1"
shift
args=()
for a in "$@"; do
  replaced=
  for l in "${libs[@]}"; do
    case "$a" in
      */lib"$l".so | */lib"$l".so.*)
        if [ -f "${a%%.so*}.a" ]; then args+=("${a%%.so*}.a"); replaced=1; fi
        ;;
    esac
  done
  [ -n "$replaced" ] || args+=("$a")
done
exec "${args[@]}"
