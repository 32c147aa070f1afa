#!/usr/bin/env bash
# The runtime image of compose/Dockerfile, measured without a container engine: its root file
# system is built the way debian:12-slim is (mmdebstrap --variant=minbase, /usr merged as
# debootstrap does it, not by the usrmerge package, which would pull in perl; the dpkg
# path excludes of debuerreotype's slimify: /usr/share/{doc,man,info,locale,groff,linda,
# lintian/overrides}, copyrights and locale.alias kept, apt lists removed), then the
# Dockerfile's runtime packages are installed into it and the built tools installed over it
# (`cmake --install --strip --component tools`, as the build stage does). Sizes are apparent
# bytes (`du -sbx`, hard links once; /proc, /sys and /dev, mounted while hooks run, left
# out), what `docker image ls` reports for the uncompressed layers give or take tar headers.
# Needs root (mmdebstrap --mode=root), mmdebstrap (`apt-get install mmdebstrap`) and Debian's
# registry (about 60 MB downloaded once, then kept in ~/.cache/vmterm-image-debs).
# Usage: tests/bench/image/run.sh [BUILD_DIR]      (BUILD_DIR: a built tree, default build)
# Exit codes: 0 measured and printed; 1 mmdebstrap failed (its log is printed); 2 a
# precondition is missing (mmdebstrap, root, or the built tools: the message names the fix);
# 3 compose/Dockerfile's runtime stage is not shaped as this script reads it (update both).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
command -v mmdebstrap >/dev/null ||
  { echo "tests/bench/image/run.sh: mmdebstrap is missing; apt-get install mmdebstrap" >&2; exit 2; }
[ "$(id -u)" = 0 ] ||
  { echo "tests/bench/image/run.sh: mmdebstrap --mode=root needs root; run it with sudo" >&2; exit 2; }
[ -x "$build/bin/vmterm-serve" ] ||
  { echo "tests/bench/image/run.sh: $build/bin/vmterm-serve is missing; build first (cmake --build $build)" >&2; exit 2; }
dockerfile=$(cd "$(dirname "$0")/../../.." && pwd)/compose/Dockerfile
# the runtime stage's packages, read from the Dockerfile so the two cannot drift apart: always
# installed, and those installed only with --build-arg VMTERM_WITH_GRPC=ON ($(... && echo PKG))
install_lines=$(awk '/^FROM debian:12-slim$/ {rt=1} rt && /apt-get install/ {on=1; next}
  on && /^ *&&/ {exit} on {print}' "$dockerfile")
runtime_pkgs=$(echo "$install_lines" | grep -v 'echo' | tr -d '\\' | xargs)
grpc_pkgs=$(echo "$install_lines" | sed -n 's/.*echo \([^)]*\)).*/\1/p' | xargs)
[ -n "$runtime_pkgs" ] && [ -n "$grpc_pkgs" ] ||
  { echo "tests/bench/image/run.sh: the runtime stage's apt-get install in $dockerfile is not as expected (packages '$runtime_pkgs', gRPC '$grpc_pkgs')" >&2; exit 3; }
main_shell=$BASHPID
tmp=$(mktemp -d)
cleanup() { [ "$BASHPID" = "$main_shell" ] || return 0; rm -rf "$tmp"; }
trap cleanup EXIT
root=$tmp/rootfs
# du of the tree as the image would hold it: apt's lists and caches are removed by the
# Dockerfile (and by slim) before the layer is written
size_of() { (cd "$1" && du -sbx --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./var/lib/apt/lists --exclude=./var/cache/apt . | cut -f1); }
size() { size_of "$root"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
slim=()
for p in /usr/share/doc/'*' /usr/share/groff/'*' /usr/share/info/'*' /usr/share/linda/'*' \
  /usr/share/lintian/overrides/'*' /usr/share/locale/'*' /usr/share/man/'*'; do
  slim+=(--dpkgopt="path-exclude=$p")
done
for p in /usr/share/doc/'*'/copyright /usr/share/locale/locale.alias; do slim+=(--dpkgopt="path-include=$p"); done
# the essential packages are unpacked before dpkg's excludes apply: remove what they left, as
# debuerreotype-slimify does (copyright files and locale.alias kept)
slimify='cd "$1" && find usr/share/doc usr/share/groff usr/share/info usr/share/linda usr/share/lintian/overrides usr/share/locale usr/share/man -mindepth 1 -depth ! -type d ! -path "usr/share/doc/*/copyright" ! -path usr/share/locale/locale.alias -delete 2>/dev/null; find usr/share/doc usr/share/groff usr/share/info usr/share/linda usr/share/lintian/overrides usr/share/locale usr/share/man -mindepth 1 -depth -type d -empty -delete 2>/dev/null; true'
# downloaded packages are kept between runs (mmdebstrap's sync-in/sync-out recipe)
debs=${XDG_CACHE_HOME:-$HOME/.cache}/vmterm-image-debs
mkdir -p "$debs"
mmdebstrap --quiet --mode=root --variant=minbase "${slim[@]}" --skip=download/empty \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' --setup-hook="sync-in $debs /var/cache/apt/archives/" \
  --customize-hook="$slimify" \
  --customize-hook="cd \"\$1\" && du -sbx --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./var/lib/apt/lists --exclude=./var/cache/apt . | cut -f1 > $tmp/base" \
  --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends $runtime_pkgs >/dev/null" \
  --customize-hook="cd \"\$1\" && du -sbx --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./var/lib/apt/lists --exclude=./var/cache/apt . | cut -f1 > $tmp/nogrpc" \
  --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends $grpc_pkgs >/dev/null" \
  --customize-hook="sync-out /var/cache/apt/archives $debs" \
  bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main" >"$tmp/mmdebstrap.log" 2>&1 ||
  { cat "$tmp/mmdebstrap.log" >&2; echo "tests/bench/image/run.sh: mmdebstrap failed (log above)" >&2; exit 1; }
base=$(cat "$tmp/base") nogrpc=$(cat "$tmp/nogrpc") pkgs=$(size)
DESTDIR=$root cmake --install "$build" --prefix /usr --strip --component tools >/dev/null
full=$(size)
grpc_module=$(find "$root/usr/lib" -name 'libvmterm_otlp_grpc.so*' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
tools=$((full - pkgs))
echo "runtime image of compose/Dockerfile, root file system built without an engine ($(date -u +%F), bookworm as of today)"
echo "  runtime packages: $runtime_pkgs; with VMTERM_WITH_GRPC=ON also $grpc_pkgs"
printf '  %-62s %8s MiB\n' "debian:12-slim equivalent (minbase, merged /usr, slimify)" "$(mib "$base")"
printf '  %-62s %8s MiB\n' "+ runtime packages" "$(mib $((nogrpc - base)))"
printf '  %-62s %8s MiB\n' "+ the five tools and man pages (stripped)" "$(mib $((tools - grpc_module)))"
printf '  %-62s %8s MiB   %s MB\n' "image as built by default (no gRPC export)" "$(mib $((full - (pkgs - nogrpc) - grpc_module)))" \
  "$(awk -v b=$((full - (pkgs - nogrpc) - grpc_module)) 'BEGIN { printf "%.1f", b / 1e6 }')"
printf '  %-62s %8s MiB\n' "+ grpc++ and its dependencies (VMTERM_WITH_GRPC=ON)" "$(mib $((pkgs - nogrpc)))"
printf '  %-62s %8s MiB\n' "+ libvmterm_otlp_grpc.so (VMTERM_WITH_GRPC=ON)" "$(mib "$grpc_module")"
printf '  %-62s %8s MiB   %s MB\n' "image built with --build-arg VMTERM_WITH_GRPC=ON" "$(mib "$full")" \
  "$(awk -v b="$full" 'BEGIN { printf "%.1f", b / 1e6 }')"
