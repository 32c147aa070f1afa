#!/usr/bin/python3
"""vmterm-serve beside the peers (ttyd, ttyd + deflate, wetty, shellinabox) in ONE run.

A thin driver around ../shared/peers/peerbench.py (the one client and procedure for every peer;
read its README's caveats before quoting a ratio). It takes each peer's path, says
"not installed" for a missing one and runs the others, and adds what peerbench does not record:
the server's context switches (voluntary + nonvoluntary, all its threads) per 100 MB.

  /usr/bin/python3 tests/bench/serve/peers.py run --rounds 3 --out var/peers.json \
      [--vmterm build/bin/vmterm-serve] [--ttyd PATH] [--wetty PATH] [--shellinabox PATH] \
      [--peerbench PATH] [--peers vmterm,vmterm-deflate,ttyd,ttyd-deflate,wetty,shellinabox]
  /usr/bin/python3 tests/bench/serve/peers.py report --out var/peers.json

Run from the project root. Peers: ../shared/peers/setup-peers.sh installs them.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_PEERBENCH = os.path.abspath(os.path.join(ROOT, "..", "shared", "peers", "peerbench.py"))
ALL = ["vmterm", "vmterm-deflate", "ttyd", "ttyd-deflate", "wetty", "shellinabox"]


def load_peerbench(path):
    if not os.path.isfile(path):
        sys.exit(f"peers.py: peerbench not found at {path}; pass --peerbench PATH")
    spec = importlib.util.spec_from_file_location("peerbench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ctx_switches(pid):
    """Voluntary + nonvoluntary context switches of every thread of `pid` so far."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for ln in f:
                    if ln.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(ln.split()[1])
        except OSError:
            pass
    return total


def instrument(pb):
    """peerbench.throughput, plus the server's context switches over the same interval: its
    cpu_s(pid) is read just before the command and just after END-5, so are the switches."""
    original_cpu, original_throughput = pb.cpu_s, pb.throughput
    marks = []

    def cpu_s(pid):
        marks.append(ctx_switches(pid))
        return original_cpu(pid)

    async def throughput(term, cmd, srv, timeout):
        marks.clear()
        res = await original_throughput(term, cmd, srv, timeout)
        if len(marks) == 2:
            res["server_ctx_switches"] = marks[1] - marks[0]
        return res

    pb.cpu_s, pb.throughput = cpu_s, throughput


def paths(a):
    return {
        "vmterm": a.vmterm, "vmterm-deflate": a.vmterm, "ttyd": a.ttyd,
        "ttyd-deflate": a.ttyd, "wetty": a.wetty, "shellinabox": a.shellinabox,
    }


def run(a):
    pb = load_peerbench(a.peerbench)
    instrument(pb)
    pb.VMTERM, pb.TTYD = os.path.abspath(a.vmterm), os.path.abspath(a.ttyd)
    pb.WETTY, pb.SIAB = os.path.abspath(a.wetty), os.path.abspath(a.shellinabox)
    if not os.path.isdir(pb.PEERS_CACHE):  # the servers' working directory
        pb.PEERS_CACHE = tempfile.mkdtemp(prefix="vmterm-peers-")
    where = paths(a)
    peers = []
    for p in a.peers.split(","):
        if p not in where:
            sys.exit(f"peers.py: unknown peer {p!r} in --peers; choose from {','.join(ALL)}")
        if os.path.isfile(where[p]):
            peers.append(p)
        else:
            print(f"{p}: not installed ({where[p]}); ../shared/peers/setup-peers.sh installs it",
                  flush=True)
    if not peers:
        sys.exit("peers.py: no peer to run")
    argv = ["peerbench", a.mode, "--rounds", str(a.rounds), "--peers", ",".join(peers),
            "--out", os.path.abspath(a.out)] + (["--spin"] if a.spin else [])
    sys.argv = argv
    pb.main()


def report(a):
    pb = load_peerbench(a.peerbench)
    pb.report(a.out)
    with open(a.out) as f:
        res = json.load(f)
    print()
    print(f"started {res.get('started')}, load {res.get('load_start')} -> {res.get('load_end')}")
    print()
    print("| per 100 MB (median of the runs) | " + " | ".join(
        p for p in ALL if any(t["peer"] == p for t in res["trials"])) + " |")
    print("|---|" + "---|" * len({t["peer"] for t in res["trials"]}))
    for label, key in (("server context switches per 100 MB", "server_ctx_switches"),
                       ("server CPU s per 100 MB", "server_cpu_s")):
        cells = []
        for p in ALL:
            v = []
            for t in res["trials"]:
                if t["peer"] != p:
                    continue
                try:
                    z = t["io"]["zero"]
                    v.append(z[key] * 1e8 / z["bytes"])
                except (KeyError, TypeError, ZeroDivisionError):
                    pass
            if any(t["peer"] == p for t in res["trials"]):
                cells.append(f"{statistics.median(v):.{2 if 'cpu' in key else 0}f}" if v
                             else "n/a")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main():
    cache = os.environ.get("VMTERM_PEERS_DIR", os.path.expanduser("~/.cache/vmterm-peers"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["smoke", "run", "report"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--peers", default="vmterm,ttyd,ttyd-deflate,wetty,shellinabox")
    ap.add_argument("--out", default=os.path.join(ROOT, "var", "peers.json"))
    ap.add_argument("--spin", action="store_true")
    ap.add_argument("--peerbench", default=DEFAULT_PEERBENCH)
    ap.add_argument("--vmterm", default=os.environ.get(
        "VMTERM_SERVE", os.path.join(ROOT, "build", "bin", "vmterm-serve")))
    ap.add_argument("--ttyd", default=os.path.join(os.path.dirname(DEFAULT_PEERBENCH), "bin/ttyd"))
    ap.add_argument("--wetty", default=os.path.join(cache, "wetty/node_modules/wetty/build/main.js"))
    ap.add_argument("--shellinabox", default="/usr/bin/shellinaboxd")
    a = ap.parse_args()
    if a.mode == "report":
        report(a)
    else:
        run(a)


if __name__ == "__main__":
    main()
