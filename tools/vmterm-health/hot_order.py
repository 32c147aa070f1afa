#!/usr/bin/env python3
"""Write the lists of hot input sections that vmterm-health's linker script (hot_text.ld) and its
lazy TLS module's (hot_text_tls.ld) place first in .text, from callgrind profiles of its runs.

Why: the kernel maps a file's pages around each page fault (fault-around, 64 KiB here), so code
executed once in a run costs its 64 KiB window of resident memory. A run of the issue's three
probes executed ~1.3 MiB of the binary's input sections but touched 43 of its 64 KiB windows
(2.9 MiB resident), and ~0.65 MiB of the module's but 36 windows (2.2 MiB). The lists put the
sections the runs execute first in .text, so those windows are few.

Usage (tests/bench/health/run.sh profiles every vmterm-health row of the bench):
  VMTERM_HEALTH_PROFILE=/tmp/prof tests/bench/health/run.sh build
  tools/vmterm-health/hot_order.py build /tmp/prof
The linker maps (build/vmterm-health.map, build/libvmterm_health_tls.map) are written by the
tool's link when its hot code is ordered (tools/vmterm-health/CMakeLists.txt); profile that
same build. A stale list is harmless: a line
naming a section that no longer exists matches nothing, and the section it missed lands in .text
as before (so only resident memory grows back). Regenerate after large changes to what the
probes call.
"""
import bisect
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = [  # (file name in the build's bin/, its map, the script written)
    ("vmterm-health", "vmterm-health.map", "hot_text.ld"),
    ("libvmterm_health_tls.so", "libvmterm_health_tls.map", "hot_text_tls.ld"),
]


def map_sections(path):
    """Input sections of the output section .text: (address, size, input section name, input
    file) from a GNU ld map file."""
    out, current, pending = [], None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"^(\.\S+)(\s+0x[0-9a-f]+\s+0x[0-9a-f]+)?\s*$", line)
        if m:  # an output section's header
            current = m.group(1)
            continue
        if current != ".text":
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:  # a long input section name: its address and file on the next line
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m:
            name = m.group(1) or pending
            pending = None
            if name and int(m.group(3), 16):
                out.append((int(m.group(2), 16), int(m.group(3), 16), name, m.group(4)))
    out.sort()
    return out


def executed(profile, object_name):
    """Addresses of the instructions a callgrind profile (--dump-instr=yes
    --compress-strings=no --compress-pos=no) executed in the object of that file name."""
    addrs, inside = set(), False
    for line in open(profile, encoding="utf-8", errors="replace"):
        if line.startswith("ob="):
            inside = os.path.basename(line[3:].strip()) == object_name
        elif inside and line.startswith("0x"):
            addrs.add(int(line.split(None, 1)[0], 16))
    return addrs


# Section names every object file may have: those are named with their file.
SHARED_NAMES = {".text", ".text.unlikely", ".text.startup", ".text.exit", ".text.hot"}


def pattern(name, where):
    """The linker-script input section description of one input section."""
    if name not in SHARED_NAMES:
        return f"*({name})"  # its own section (a COMDAT or -ffunction-sections one): its name is enough
    m = re.match(r"^(.*\.a)\((.*)\)$", where)
    if m:
        return f"*{os.path.basename(m.group(1))}:{m.group(2)}({name})"
    return f"*/{'/'.join(where.split('/')[-2:])}({name})"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: hot_order.py BUILD_DIR PROFILE_DIR")
    build, profiles = sys.argv[1], sorted(glob.glob(os.path.join(sys.argv[2], "callgrind.*")))
    if not profiles:
        sys.exit(f"hot_order.py: no callgrind.* files in {sys.argv[2]}; run the bench with VMTERM_HEALTH_PROFILE first")
    for binary, mapname, script in TARGETS:
        mapfile = os.path.join(build, mapname)
        if not os.path.isfile(mapfile):
            sys.exit(f"hot_order.py: no linker map {mapfile}; build vmterm-health in {build} "
                     "with -DVMTERM_HEALTH_HOT_ORDER=ON (the default) first")
        secs = map_sections(mapfile)
        starts = [s[0] for s in secs]
        runs = {}  # pattern -> (number of runs that executed it, first address)
        for prof in profiles:
            seen = {}  # pattern -> its lowest address in this run
            for a in executed(prof, binary):
                i = bisect.bisect_right(starts, a) - 1
                if i >= 0 and a < secs[i][0] + secs[i][1]:
                    p = pattern(secs[i][2], secs[i][3])
                    seen[p] = min(seen.get(p, secs[i][0]), secs[i][0])
            for p, at in seen.items():
                n, first = runs.get(p, (0, at))
                runs[p] = (n + 1, min(first, at))
        if not runs:
            sys.exit(f"hot_order.py: the profiles in {sys.argv[2]} executed nothing of {binary} "
                     f"as linked in {build} (profiled another build?); {script} left as it was")
        # What every run executes (start-up) first, then what fewer runs do: each run's code
        # stays close together.
        order = sorted(runs, key=lambda p: (-runs[p][0], runs[p][1]))
        size = sum(s[1] for s in secs if pattern(s[2], s[3]) in runs)
        with open(os.path.join(HERE, script), "w", encoding="utf-8") as f:
            f.write(f"/* Written by tools/vmterm-health/hot_order.py from {len(profiles)} callgrind profiles of\n"
                    f"   tests/bench/health's runs: the {len(order)} input sections of {binary} they execute\n"
                    f"   ({size // 1024} KiB), INCLUDEd at the top of .text in its linker script\n"
                    "   (tools/vmterm-health/CMakeLists.txt). Do not edit by hand. */\n")
            for p in order:
                f.write(f"{p}\n")
        print(f"{script}: {len(order)} sections, {size // 1024} KiB, from {len(profiles)} profiles")


if __name__ == "__main__":
    main()
