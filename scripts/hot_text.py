#!/usr/bin/python3
"""scripts/hot_text.py: rewrite the hot lists (the input sections a benchmark's runs execute,
which cmake/hot_text.cmake links first in .text) from callgrind profiles of those runs.

  scripts/hot_text.py [BUILD_DIR] [--only health,serve] [--keep DIR]

BUILD_DIR (default build) is a lean, non-sanitizer build with its hot-text targets built
(vmterm-health, vmterm_health_tls, vmterm-serve, and vmterm-worker, which the health benchmark's
--task row calls): each such target's link writes a map and
BUILD_DIR/hot_text/<target>.txt (its file, map, list and benchmark). For each benchmark this
profiles that same build under callgrind, once:
  health: VMTERM_HEALTH_PROFILE=DIR tests/bench/health/run.sh BUILD_DIR (every vmterm-health row)
  serve:  tests/bench/serve/profile.py DIR --serve BUILD_DIR/bin/vmterm-serve (a session's work)
maps every executed instruction to its input section through the link map, and writes the list:
what every run executes first (start-up), then what fewer runs do. Then rebuild: the lists are
configure dependencies. Regenerate after changes to what the runs call (a stale list only costs
memory: see cmake/hot_text.cmake). --keep DIR keeps the profiles in DIR/<benchmark>/.
Exit codes: 0 lists written, 1 a profile run failed, 2 usage or a build without maps.
"""
import argparse
import bisect
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PROFILERS = {  # benchmark -> the command that writes DIR/callgrind.* for BUILD_DIR
    "health": lambda build, d: ([os.path.join(ROOT, "tests/bench/health/run.sh"), build],
                                {"VMTERM_HEALTH_PROFILE": d}),
    "serve": lambda build, d: (["/usr/bin/python3", os.path.join(ROOT, "tests/bench/serve/profile.py"),
                                d, "--serve", os.path.join(build, "bin", "vmterm-serve")], {}),
}
# Programs a benchmark runs besides the profiled ones: without them it profiles fewer rows.
NEEDS = {"health": ["vmterm-worker"], "serve": []}
# Section names every object file may have: those are named with their file.
SHARED_NAMES = {".text", ".text.unlikely", ".text.startup", ".text.exit", ".text.hot"}


def fail(code, text):
    print(f"scripts/hot_text.py: {text}", file=sys.stderr)
    sys.exit(code)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        m = re.match(r"unrecognized arguments: (\S+)", message)
        if m and m.group(1).startswith("-"):
            fail(2, f"unknown option '{m.group(1)}'; see scripts/hot_text.py --help")
        if m:
            fail(2, f"unexpected argument '{m.group(1)}' (one BUILD_DIR); see scripts/hot_text.py --help")
        fail(2, f"{message}; see scripts/hot_text.py --help")


def map_sections(path):
    """Input sections of the output section .text: (address, size, input section name, input
    file) from a GNU ld map file."""
    out, current, pending = [], None, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
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


def executed(profile, file_name):
    """Addresses of the instructions a callgrind profile (--dump-instr=yes --compress-strings=no
    --compress-pos=no) executed in the object of that file name."""
    addrs, inside = set(), False
    with open(profile, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                inside = os.path.basename(line[3:].strip()) == file_name
            elif inside and line.startswith("0x"):
                addrs.add(int(line.split(None, 1)[0], 16))
    return addrs


def pattern(name, where):
    """The linker-script input section description of one input section."""
    if name not in SHARED_NAMES:
        return f"*({name})"  # its own section (a function section or COMDAT): its name is enough
    m = re.match(r"^(.*\.a)\((.*)\)$", where)
    if m:
        return f"*{os.path.basename(m.group(1))}:{m.group(2)}({name})"
    return f"*/{'/'.join(where.split('/')[-2:])}({name})"


def read_manifest(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            out[key] = value
    return out


def write_list(target, m, profiles, bench):
    if not os.path.isfile(m["map"]):
        fail(2, f"no link map {m['map']} for {target}; build {target} in this build directory first")
    secs = map_sections(m["map"])
    starts = [s[0] for s in secs]
    runs = {}  # pattern -> (number of runs that executed it, its lowest address)
    for prof in profiles:
        seen = {}
        for a in executed(prof, m["file"]):
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < secs[i][0] + secs[i][1]:
                p = pattern(secs[i][2], secs[i][3])
                seen[p] = min(seen.get(p, secs[i][0]), secs[i][0])
        for p, at in seen.items():
            n, first = runs.get(p, (0, at))
            runs[p] = (n + 1, min(first, at))
    if not runs:
        fail(1, f"the {bench} profiles executed nothing of {m['file']} as linked in its map "
                f"{m['map']} (a build other than the one profiled?); {m['list']} left as it was")
    order = sorted(runs, key=lambda p: (-runs[p][0], runs[p][1]))
    size = sum(s[1] for s in secs if pattern(s[2], s[3]) in runs)
    rel = os.path.relpath(m["list"], ROOT)
    with open(m["list"], "w", encoding="utf-8") as f:
        f.write(f"# {rel}: the {len(order)} input sections of {m['file']} ({size // 1024} KiB) that\n"
                f"# {len(profiles)} callgrind profile(s) of the {bench} benchmark executed, linked first in\n"
                "# .text by cmake/hot_text.cmake. Written by `scripts/hot_text.py BUILD_DIR`; do not edit.\n")
        for p in order:
            f.write(f"{p}\n")
    print(f"{rel}: {len(order)} sections, {size // 1024} KiB, from {len(profiles)} profile(s)")


def main():
    ap = Parser(prog="scripts/hot_text.py", description=__doc__.split("\n\n")[0].split(": ", 1)[1],
                epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--only", help="comma-separated benchmarks: " + ",".join(PROFILERS))
    ap.add_argument("--keep", help="keep the profiles in KEEP/<benchmark>/")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    manifests = sorted(glob.glob(os.path.join(build, "hot_text", "*.txt")))
    if not manifests:
        fail(2, f"no {build}/hot_text/*.txt; configure {a.build} as a lean build (no "
                "VMTERM_SANITIZE, VMTERM_HOT_TEXT=ON) and build its tools first")
    targets = {}  # benchmark -> [(target, manifest)]
    for path in manifests:
        m = read_manifest(path)
        target = os.path.basename(path)[:-len(".txt")]
        if m.get("profile") not in PROFILERS or not all(m.get(k) for k in ("file", "map", "list")):
            fail(2, f"{path} is not a hot_text manifest of a known benchmark ({','.join(PROFILERS)}); "
                    "reconfigure the build")
        targets.setdefault(m["profile"], []).append((target, m))
    only = a.only.split(",") if a.only else sorted(targets)
    for bench in only:
        if bench not in targets:
            fail(2, f"--only {bench}: no target of {a.build} is profiled by it; choose from "
                    f"{','.join(sorted(targets))}")
    for bench in only:
        for tool in NEEDS[bench]:
            if not os.access(os.path.join(build, "bin", tool), os.X_OK):
                fail(2, f"no {a.build}/bin/{tool}: the {bench} benchmark runs it; build it first")
        for target, m in targets[bench]:
            if not os.path.isfile(m["map"]):
                fail(2, f"no link map {m['map']} for {target}; build {target} in {a.build} first")
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(os.path.abspath(a.keep), bench) if a.keep else tmp
            os.makedirs(d, exist_ok=True)
            for old in glob.glob(os.path.join(d, "callgrind.*")):
                os.remove(old)
            cmd, env = PROFILERS[bench](build, d)
            print(f"scripts/hot_text.py: profiling {bench}: {' '.join(cmd)}", flush=True)
            r = subprocess.run(cmd, env={**os.environ, **env}, cwd=ROOT)
            profiles = sorted(p for p in glob.glob(os.path.join(d, "callgrind.*"))
                              if re.fullmatch(r"callgrind\.\d+", os.path.basename(p)))
            if r.returncode != 0 or not profiles:
                fail(1, f"profiling {bench} failed (exit {r.returncode}, {len(profiles)} profiles); "
                        "its output above says why")
            for target, m in targets[bench]:
                write_list(target, m, profiles, bench)
    print(f"scripts/hot_text.py: rebuild ({a.build}) to link with the new lists")


if __name__ == "__main__":
    main()
