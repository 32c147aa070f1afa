#!/usr/bin/env bash
# The link launcher of vmterm_lean_link (cmake/lean_link.cmake; RULE_LAUNCH_LINK): runs the link
# command CMake wrote with the named libraries taken from their static archives (Debian's -dev
# packages ship them) instead of their shared objects, so --gc-sections keeps only the code the
# tool calls and the loader neither maps nor relocates the rest. A library without its archive
# stays shared.
# Usage: link_static.sh LIB[,LIB...] COMMAND...   (LIB as in lib<LIB>.so: ssl,crypto,boost_url)
set -euo pipefail
IFS=, read -r -a libs <<<"$1"
shift
args=()
for a in "$@"; do
  replaced=
  for l in "${libs[@]}"; do
    case "$a" in
      */lib"$l".so | */lib"$l".so.*)
        if [ -f "${a%%.so*}.a" ]; then
          args+=("${a%%.so*}.a")
          replaced=1
        fi
        ;;
    esac
  done
  [ -n "$replaced" ] || args+=("$a")
done
exec "${args[@]}"
