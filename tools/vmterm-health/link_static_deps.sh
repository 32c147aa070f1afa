#!/usr/bin/env bash
# The link launcher of vmterm-health (RULE_LAUNCH_LINK, VMTERM_HEALTH_STATIC_DEPS): runs the link
# command CMake wrote with OpenSSL, libssh2, hiredis, Boost.URL and zlib taken from their static
# archives (Debian's -dev packages ship them) instead of their shared objects. A cron probe is
# mostly start-up: the dynamic loader's symbol look-ups for these libraries (libcrypto and
# libssl are BIND_NOW: ~4,900 look-ups; ~9,000 in all) cost ~2.8 ms of every run. A library
# without its archive stays shared.
set -euo pipefail
args=()
for a in "$@"; do
  case "$a" in
    */libssl.so | */libcrypto.so | */libssh2.so | */libhiredis.so | */libz.so | */libboost_url.so*)
      static="${a%%.so*}.a"
      if [ -f "$static" ]; then args+=("$static"); else args+=("$a"); fi
      ;;
    *) args+=("$a") ;;
  esac
done
exec "${args[@]}"
