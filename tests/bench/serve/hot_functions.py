#!/usr/bin/python3
"""Writes tools/vmterm-serve/hot-functions.txt: the functions of vmterm-serve that run when it
starts and serves sessions, which the link places together (tools/vmterm-serve/CMakeLists.txt).

Why: the kernel maps a file's pages around each fault (fault-around, 64 KiB), so code spread
over a 5 MiB .text costs far more resident memory than the code that runs. The list comes from
running the server under callgrind through what a session does (start-up, a session with keys,
a resize and output, a compressed one, idle sessions); its symbols are the ones the binary
defines. A function missing from the list only costs its page; regenerate the list when the
session path changes much:

  /usr/bin/python3 tests/bench/serve/hot_functions.py [--serve build/bin/vmterm-serve]

Needs valgrind and ../shared/peers/peerbench.py (the client every serve benchmark uses).
"""
import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import peers  # noqa: E402  (default_peerbench, load_peerbench)


def record(pb, serve, out_file):
    wrapper = os.path.join(os.path.dirname(out_file), "callgrind.sh")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no "
                f"--callgrind-out-file={out_file} {serve} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    pb.VMTERM = wrapper
    srv = pb.Server("vmterm", os.path.dirname(out_file))
    try:
        srv.wait_ready(120)

        async def session():
            for peer in ("vmterm", "vmterm-deflate"):
                t = pb.make_term(peer, srv)
                await t.open(80, 24)
                await pb.read_until(t, b"#", 120)
                await pb.latency(t, 20, 0)
                await t.ws.send(json.dumps({"type": "resize", "cols": 100, "rows": 30}))
                await pb.throughput(t, "seq 1 20000; echo END-$((2+3))", srv, 120)
                await t.close()
            await pb.suite_mem("vmterm", srv, 40, 1.0)

        asyncio.run(session())
    finally:
        srv.stop()


def ran(profile):
    """Mangled names of the functions with a cost in a callgrind profile."""
    names, hot, current = {}, set(), None
    with open(profile, errors="replace") as f:
        for line in f:
            m = re.match(r"(c?)fn=\((\d+)\)(?: (.+))?$", line.rstrip("\n"))
            if m:
                if m.group(3):
                    names[m.group(2)] = re.sub(r"'\d+$", "", m.group(3))
                if not m.group(1):
                    current = m.group(2)
            elif current and line[:1] in "0123456789+-*":
                hot.add(current)
    return {names[i] for i in hot if i in names}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--serve", default=os.path.join(ROOT, "build", "bin", "vmterm-serve"))
    ap.add_argument("--peerbench", default=peers.DEFAULT_PEERBENCH)
    ap.add_argument("--out", default=os.path.join(ROOT, "tools", "vmterm-serve",
                                                  "hot-functions.txt"))
    a = ap.parse_args()
    if not os.access(a.serve, os.X_OK):
        sys.exit(f"hot_functions.py: --serve {a.serve} is not an executable; build vmterm-serve "
                 "first or pass --serve PATH")
    pb = peers.load_peerbench(a.peerbench)
    nm = subprocess.run(["nm", "--defined-only", a.serve], capture_output=True, text=True,
                        check=True).stdout
    defined = {p[2]: int(p[0], 16) for p in (l.split() for l in nm.splitlines())
               if len(p) == 3 and p[1] in "tTWw"}
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "callgrind.out")
        record(pb, os.path.abspath(a.serve), profile)
        addresses = {defined[n] for n in ran(profile) if n in defined}
    # Every name at those addresses: a constructor's complete and base object names (C1, C2)
    # are one body, which callgrind reports by one name and the compiler's section bears the
    # other.
    hot = sorted((n for n, at in defined.items() if at in addresses),
                 key=lambda n: (defined[n], n))
    if not hot:
        sys.exit("hot_functions.py: the profile named no function of the binary; is it built "
                 "with symbols (RelWithDebInfo)?")
    with open(a.out, "w") as f:
        f.write("# Written by tests/bench/serve/hot_functions.py: what vmterm-serve runs to start and\n"
                "# serve sessions, placed together by the link. Regenerate, do not edit.\n")
        f.write("\n".join(hot) + "\n")
    print(f"hot_functions.py: {len(hot)} functions -> {a.out}")


if __name__ == "__main__":
    main()
