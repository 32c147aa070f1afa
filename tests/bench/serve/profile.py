#!/usr/bin/python3
"""Runs vmterm-serve once under valgrind's callgrind through what a session does (start-up, a
session with keys, a resize and output, a compressed one, 40 idle sessions) into DIR/callgrind.1:
the input of scripts/hot_text.py, which links the code it executes together
(cmake/hot_text.cmake). Regenerate every hot list with `scripts/hot_text.py build`.

  /usr/bin/python3 tests/bench/serve/profile.py DIR [--serve build/bin/vmterm-serve]

Needs valgrind and ../shared/peers/peerbench.py (the client every serve benchmark uses).
"""
import argparse
import asyncio
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import peers  # noqa: E402  (load_peerbench, DEFAULT_PEERBENCH)

# The same options as tests/bench/health/run.sh's profiles: every executed instruction's address.
CALLGRIND = "valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no"


def record(pb, serve, out_file):
    wrapper = os.path.join(os.path.dirname(out_file), "callgrind.sh")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec {CALLGRIND} --callgrind-out-file={out_file} {serve} \"$@\"\n")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="where callgrind.1 is written")
    ap.add_argument("--serve", default=os.path.join(ROOT, "build", "bin", "vmterm-serve"))
    ap.add_argument("--peerbench", default=peers.DEFAULT_PEERBENCH)
    a = ap.parse_args()
    if not os.access(a.serve, os.X_OK):
        sys.exit(f"profile.py: --serve {a.serve} is not an executable; build vmterm-serve "
                 "first or pass --serve PATH")
    pb = peers.load_peerbench(a.peerbench)
    os.makedirs(a.dir, exist_ok=True)
    out = os.path.join(os.path.abspath(a.dir), "callgrind.1")
    if os.path.exists(out):
        os.remove(out)
    record(pb, os.path.abspath(a.serve), out)
    if not os.path.isfile(out):
        sys.exit(f"profile.py: callgrind wrote no {out}; see the server's log in {a.dir}")
    print(f"profiled vmterm-serve: {out}")


if __name__ == "__main__":
    main()
