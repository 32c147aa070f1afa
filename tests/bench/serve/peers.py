#!/usr/bin/python3
"""vmterm-serve beside the peers (ttyd, ttyd + deflate, wetty, shellinabox) in ONE run.

A thin driver around ../shared/peers/peerbench.py (the one client and procedure for every peer;
read its README's caveats before quoting a ratio). It takes each peer's path, says
"not installed" for a missing one and runs the others, and adds what peerbench does not record:
- the server's context switches (voluntary + nonvoluntary, all its threads) per 100 MB;
- for the idle-session memory, the RSS split into anonymous memory (heap: what the sessions
  hold) and file pages (code faulted in once, by the first session), and a "warm" figure: one
  session opened and closed before RSS is read at 0, so the code a session runs is already
  mapped. The issue's figure (RSS 0 -> 300, cold) is kept as it is, for every peer alike.
peerbench runs the Node client (peerbench-fast.mjs, with wetty's `ws`) after the Python one;
`--spin` repeats the throughput with two nice-19 busy loops (busy vCPUs).

The SSH row (`--peers vmterm-ssh,ttyd-ssh`): one sshd started here on a free loopback port (its
own host key, client key and known_hosts in a temp dir; stopped at exit). vmterm-serve logs in
with `--ssh`; ttyd runs OpenSSH's `ssh -tt` to the same sshd. Both run the same remote command
(peerbench's shell) with the same cipher and MAC (aes128-ctr, hmac-sha2-256: what libssh2 1.10
picks first; OpenSSH would pick chacha20-poly1305), so the row compares the servers, not the
ciphers. ttyd's server CPU includes its `ssh` child's, since vmterm-serve does that work
in-process. Only the rows where the SSH backend applies run for them: echo and throughput
(`zero`, `seq`); not the idle-session memory (300 SSH logins) nor the Node client.

  /usr/bin/python3 tests/bench/serve/peers.py run --rounds 3 --out var/peers.json \
      [--vmterm build/bin/vmterm-serve] [--ttyd PATH] [--wetty PATH] [--shellinabox PATH] \
      [--peerbench PATH] [--peers vmterm,vmterm-deflate,ttyd,ttyd-deflate,wetty,shellinabox,\
                                  vmterm-ssh,ttyd-ssh] [--sshd PATH] \
      [--memory-only]      (only the idle-session memory: minutes instead of an hour)
      [--suites echo,zero] (only these: mem, zero, seq, echo, fast)
      [--vmterm-base PATH] (an older vmterm-serve as peers "vmterm-base" and
                            "vmterm-base-deflate", run right after "vmterm" / "vmterm-deflate":
                            old and new alternated in one run)
      [--pty-floor]        (also the PTY alone: a shell's 100 MB read straight from the PTY
                            by this script, and the keystroke echo typed by this script on a PTY
                            to the same shell: the kernel's and the shell's share, which no
                            server avoids)
  /usr/bin/python3 tests/bench/serve/peers.py report --out var/peers.json

Run from the project root. Peers: ../shared/peers/setup-peers.sh installs them.
"""
import argparse
import importlib.util
import atexit
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
def default_peerbench():
    """../shared from the project root; from a worktree under /work/wt, /work/shared."""
    for up in (("..",), ("..", "..")):
        p = os.path.abspath(os.path.join(ROOT, *up, "shared", "peers", "peerbench.py"))
        if os.path.isfile(p):
            return p
    return os.path.abspath(os.path.join(ROOT, "..", "shared", "peers", "peerbench.py"))


DEFAULT_PEERBENCH = default_peerbench()
ALL = ["vmterm", "vmterm-deflate", "ttyd", "ttyd-deflate", "wetty", "shellinabox",
       "vmterm-ssh", "ttyd-ssh"]
SSH_PEERS = ("vmterm-ssh", "ttyd-ssh")
# The one cipher and MAC both SSH clients use (libssh2 1.10's first choices).
SSH_CIPHER, SSH_MAC = "aes128-ctr", "hmac-sha2-256"


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


def cpu_ns(pid):
    """CPU time of every thread of `pid` so far, in ns (schedstat: the tick-counted utime and
    stime are 10 ms coarse, a keystroke costs tens of microseconds)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def rss_split(pid):
    """(RssAnon, RssFile) of `pid` in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for ln in f:
            if ln.startswith(("RssAnon:", "RssFile:")):
                out[ln.split(":")[0]] = int(ln.split()[1])
    return out.get("RssAnon"), out.get("RssFile")


def instrument(pb):
    """peerbench.throughput, plus the server's context switches over the same interval: its
    cpu_s(pid) is read just before the command and just after END-5, so are the switches.
    peerbench.suite_mem, plus the anon/file split of both RSS readings and the warm figure."""
    original_cpu, original_throughput = pb.cpu_s, pb.throughput
    original_mem, original_rss = pb.suite_mem, pb.rss_kib
    marks = []
    splits = []

    def rss_kib(pid):
        splits.append(rss_split(pid))
        return original_rss(pid)

    async def suite_mem(peer, srv, nsess, idle_s):
        cold, cold_split = original_rss(srv.pid), rss_split(srv.pid)
        try:  # one session opened and closed: the code it runs is mapped from now on
            t = pb.make_term(peer, srv)
            await t.open(80, 24)
            await pb.read_until(t, b"#", 60)
            await t.close()
            await pb.asyncio.sleep(1.0)
        except Exception as e:  # noqa
            return {"error": f"warm-up session: {e!r}"}
        splits.clear()
        res = await original_mem(peer, srv, nsess, idle_s)
        n = max(1, res.get("opened", 0))
        res["rss_cold_kib"] = cold
        res["kib_per_session_cold"] = (res["rss_n_kib"] - cold) / n
        if len(splits) >= 2 and None not in splits[0] + splits[-1]:
            (a0, f0), (a1, f1) = splits[0], splits[-1]
            res["anon_kib_per_session"] = (a1 - a0) / n
            res["file_kib_per_session"] = (f1 - f0) / n
            res["anon_kib_per_session_cold"] = (a1 - cold_split[0]) / n
            res["file_kib_per_session_cold"] = (f1 - cold_split[1]) / n
        return res

    pb.rss_kib, pb.suite_mem = rss_kib, suite_mem

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


class Sshd:
    """One sshd on a free loopback port, for the SSH row; everything in a temp dir."""

    def __init__(self, sshd):
        self.dir = tempfile.mkdtemp(prefix="vmterm-peers-sshd-")
        self.user = os.environ.get("USER") or __import__("pwd").getpwuid(os.getuid()).pw_name
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege-separation directory
        for name in ("host_ed25519", "id_ed25519"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "peers",
                            "-f", os.path.join(self.dir, name)], check=True)
        shutil.copy(os.path.join(self.dir, "id_ed25519.pub"),
                    os.path.join(self.dir, "authorized_keys"))
        self.identity = os.path.join(self.dir, "id_ed25519")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        with open(os.path.join(self.dir, "host_ed25519.pub")) as f:
            host_key = " ".join(f.read().split()[:2])
        self.known_hosts = os.path.join(self.dir, "known_hosts")
        with open(self.known_hosts, "w") as f:
            f.write(f"[127.0.0.1]:{self.port} {host_key}\n")
        config = os.path.join(self.dir, "sshd_config")
        with open(config, "w") as f:
            f.write(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.dir}/host_ed25519
PidFile {self.dir}/sshd.pid
AuthorizedKeysFile {self.dir}/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers {self.user}
Ciphers {SSH_CIPHER}
MACs {SSH_MAC}
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 100
""")
        self.log = open(os.path.join(self.dir, "sshd.log"), "wb")
        self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", config], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        atexit.register(self.stop)
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"peers.py: sshd exited with {self.proc.returncode}; its log: "
                         f"{os.path.join(self.dir, 'sshd.log')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    if c.recv(8).startswith(b"SSH-2.0-"):
                        break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit(f"peers.py: sshd did not answer on 127.0.0.1:{self.port} in 20 s")
            time.sleep(0.1)

    def ssh_argv(self, command):
        """OpenSSH's client, as ttyd runs it: a terminal, the same cipher and MAC as libssh2."""
        return ["ssh", "-tt", "-F", "/dev/null", "-i", self.identity, "-p", str(self.port),
                "-c", SSH_CIPHER, "-m", SSH_MAC,
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                f"{self.user}@127.0.0.1"] + command.split()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def ssh_peers(pb, sshd_path):
    """Teach peerbench the two SSH peers: how to start them, which client protocol each speaks,
    and whose CPU is the server's (ttyd's `ssh` child counts: vmterm-serve does that work in
    its own process). Started before `instrument`, which wraps the CPU reading again."""
    sshd = Sshd(sshd_path)
    base = pb.Server
    counted = set()  # pids of ttyd-ssh servers: their `ssh` children count as server CPU

    class Server(base):
        def __init__(self, peer, logdir):
            if peer not in SSH_PEERS:
                base.__init__(self, peer, logdir)
                return
            self.peer, self.port = peer, pb.free_port()
            self.token = pb.secrets.token_hex(32)
            env = dict(os.environ)
            env.pop("VMTERM_TOKEN", None)
            env.pop("SSH_AUTH_SOCK", None)  # only the fixture's key, never the user's agent
            if peer == "vmterm-ssh":
                env.update(VMTERM_TOKEN=self.token, OTEL_TRACES_EXPORTER="none")
                argv = [pb.VMTERM, "--listen", f"127.0.0.1:{self.port}",
                        "--ssh", f"{sshd.user}@127.0.0.1:{sshd.port}", "-i", sshd.identity,
                        "--known-hosts", sshd.known_hosts, "--command", pb.SHELL,
                        "--max-sessions", "400"]
            else:
                argv = [pb.TTYD, "-p", str(self.port), "-i", "127.0.0.1", "-W"] + \
                    sshd.ssh_argv(pb.SHELL)
            self.argv = argv
            self.log = open(os.path.join(logdir, f"{peer}-{self.port}.log"), "wb")
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                         stdout=self.log, stderr=subprocess.STDOUT,
                                         cwd=pb.PEERS_CACHE, start_new_session=True)
            self.pid = self.proc.pid
            if peer == "ttyd-ssh":
                counted.add(self.pid)

    pb.Server = Server
    make_term = pb.make_term

    def make_term_ssh(peer, srv):
        return make_term({"vmterm-ssh": "vmterm", "ttyd-ssh": "ttyd"}.get(peer, peer), srv)

    pb.make_term = make_term_ssh

    def with_ssh_children(read):
        def total(pid):
            pids = [pid] + ([c for c in pb.descendants(pid) if pb._comm(c) == "ssh"]
                            if pid in counted else [])
            return sum(read(p) for p in pids)
        return total

    pb.cpu_s = with_ssh_children(pb.cpu_s)
    global cpu_ns, ctx_switches
    cpu_ns, ctx_switches = with_ssh_children(cpu_ns), with_ssh_children(ctx_switches)


def memory_only(pb):
    """peerbench.run_peer's first part alone: a fresh server, its RSS with 0 sessions, then 300
    idle ones (a few minutes for every peer instead of an hour: for memory changes)."""
    def run_peer(peer, sizes, logdir, spin=False):
        out = {"peer": peer, "load_before": pb.loadavg()}
        srv = pb.Server(peer, logdir)
        out["argv"] = srv.argv
        try:
            srv.wait_ready()
            out["mem"] = pb.asyncio.run(pb.suite_mem(peer, srv, sizes["sessions"], sizes["idle"]))
        except Exception as e:  # noqa
            out["mem"] = {"error": repr(e)}
        finally:
            out["mem_leftover_killed"] = srv.stop()
        out["load_after"] = pb.loadavg()
        pb.wait_quiet()
        return out

    pb.run_peer = run_peer


SUITES = ["mem", "zero", "seq", "echo", "fast"]


def only(pb, suites):
    """peerbench.run_peer with only the chosen suites: "mem" (a fresh server, 0 then 300 idle
    sessions), "zero" / "seq" (100 MB of `a`, `seq 1 5000000`: MB/s, server CPU, context
    switches; after the warm-up stream), "echo" (500 keys with 10 ms between them, then back to
    back), "fast" (the Node client's throughput). One fresh server for all but "mem", as
    peerbench does; minutes instead of an hour when a change touches one row."""
    def run_peer(peer, sizes, logdir, spin=False):
        out = {"peer": peer, "load_before": pb.loadavg(), "suites": sorted(suites)}
        if "mem" in suites and peer not in SSH_PEERS:
            srv = pb.Server(peer, logdir)
            out["argv"] = srv.argv
            try:
                srv.wait_ready()
                out["mem"] = pb.asyncio.run(
                    pb.suite_mem(peer, srv, sizes["sessions"], sizes["idle"]))
            except Exception as e:  # noqa
                out["mem"] = {"error": repr(e)}
            finally:
                out["mem_leftover_killed"] = srv.stop()
            pb.wait_quiet()
        if suites & {"zero", "seq", "echo", "fast"}:
            srv = pb.Server(peer, logdir)
            out["argv"] = srv.argv
            spinners = []
            try:
                srv.wait_ready()
                if spin:
                    spinners = [pb.subprocess.Popen(["nice", "-n", "19", "/usr/bin/python3",
                                                     "-c", "while True: pass"])
                                for _ in range(2)]
                    pb.time.sleep(0.5)
                out["io"] = pb.asyncio.run(suite_io(peer, srv, sizes))
                if "fast" in suites and peer not in SSH_PEERS:
                    out["fast"] = pb.fast_io(peer, srv, sizes)
            except Exception as e:  # noqa
                out["io"] = {"error": repr(e)}
            finally:
                for sp in spinners:
                    os.kill(sp.pid, pb.signal.SIGKILL)
                    sp.wait()
                out["io_leftover_killed"] = srv.stop()
            pb.wait_quiet()
        out["load_after"] = pb.loadavg()
        return out

    async def suite_io(peer, srv, sizes):
        term = pb.make_term(peer, srv)
        await term.open(pb.COLS, pb.ROWS)
        res = {}
        try:
            await pb.read_until(term, b"#", 30)
            await pb.drain_idle(term)
            if suites & {"zero", "seq"}:
                await pb.throughput(term, sizes["warm"], srv, sizes["timeout"])  # not reported
            for key in ("zero", "seq"):
                if key in suites:
                    res[key] = await pb.throughput(term, sizes[key], srv, sizes["timeout"])
            if "echo" in suites and sizes["keys"]:
                for key, pause in (("lat_typing", 0.010), ("lat_b2b", 0)):
                    # the server's CPU and context switches per key beside the latency (the
                    # sync lines before and after are in it too: a few keys' worth of 500)
                    c0, x0 = cpu_ns(srv.pid), ctx_switches(srv.pid)
                    res[key] = await pb.latency(term, sizes["keys"], pause)
                    c1, x1 = cpu_ns(srv.pid), ctx_switches(srv.pid)
                    res[key]["server_cpu_us_per_key"] = (c1 - c0) / 1e3 / sizes["keys"]
                    res[key]["server_ctx_per_key"] = (x1 - x0) / sizes["keys"]
        finally:
            try:
                await pb.asyncio.wait_for(term.close(), 5)
            except Exception:  # noqa
                pass
        return res

    pb.run_peer = run_peer


def ab_base(pb, base):
    """Peers "vmterm-base" and "vmterm-base-deflate": the same procedure as "vmterm" /
    "vmterm-deflate" with the vmterm-serve at `base` (an A/B in one run)."""
    original = pb.run_peer

    def run_peer(peer, *args, **kwargs):
        if not peer.startswith("vmterm-base"):
            return original(peer, *args, **kwargs)
        saved = pb.VMTERM
        pb.VMTERM = base
        try:
            out = original(peer.replace("vmterm-base", "vmterm"), *args, **kwargs)
        finally:
            pb.VMTERM = saved
        out["peer"] = peer
        return out

    pb.run_peer = run_peer


def pty_floor(n=100_000_000):
    """A shell's `n` bytes of `a` read straight from a PTY by this process (poll, then read to
    EAGAIN): this process's CPU s per 100 MB (mostly the kernel's PTY path) and context
    switches, the floor under every server's figure."""
    import pty
    import resource
    import select
    import time

    def switches():
        with open("/proc/self/status") as f:
            return sum(int(ln.split()[1]) for ln in f if "ctxt_switches" in ln)

    load = open("/proc/loadavg").read().split()[:3]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv("/bin/sh", ["sh", "-c", "stty raw -echo; sleep 0.3; "
                             f"head -c {n} /dev/zero | tr '\\0' a"])
    r0, x0, t0, got = resource.getrusage(resource.RUSAGE_SELF), switches(), time.time(), 0
    os.set_blocking(fd, False)
    p = select.poll()
    p.register(fd, select.POLLIN)
    while got < n:
        p.poll(10_000)
        try:
            while True:
                b = os.read(fd, 65536)
                if not b:
                    raise OSError
                got += len(b)
        except BlockingIOError:
            continue
        except OSError:
            break
    r1, x1, dt = resource.getrusage(resource.RUSAGE_SELF), switches(), time.time() - t0
    os.close(fd)
    os.waitpid(pid, 0)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    return {"bytes": got, "cpu_s_per_100MB": cpu * 1e8 / max(got, 1),
            "sys_s_per_100MB": (r1.ru_stime - r0.ru_stime) * 1e8 / max(got, 1),
            "ctx_per_100MB": (x1 - x0) * 1e8 / max(got, 1), "MBps": got / dt / 1e6,
            "load_before": " ".join(load)}


def echo_floor(keys=500, rounds=3):
    """The keystroke echo with no server: peerbench's latency procedure (send "a", wait for its
    echo; 10 ms apart, then back to back) straight on a PTY to the same shell, `rounds` times.
    What any server's echo adds to: the kernel's PTY path both ways and bash's readline."""
    import pty
    import select
    import time

    load = open("/proc/loadavg").read().split()[:3]
    env = dict(os.environ, TERM="xterm-256color")
    out = {"lat_typing": [], "lat_b2b": [], "load_before": " ".join(load)}
    for _ in range(rounds):
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe("/bin/bash", ["/bin/bash", "--norc", "--noprofile"], env)

        def read_until(token, timeout=10.0):
            seen, end = b"", time.time() + timeout
            while token not in seen:
                r, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
                if not r:
                    raise TimeoutError(f"echo floor: no {token!r} from the shell")
                seen += os.read(fd, 65536)
            return seen

        read_until(b"$" if os.getuid() else b"#")
        time.sleep(0.2)
        while select.select([fd], [], [], 0.05)[0]:  # drain what the prompt left
            os.read(fd, 65536)
        for key, pause in (("lat_typing", 0.010), ("lat_b2b", 0)):
            lat = []
            for _ in range(keys):
                t0 = time.perf_counter()
                os.write(fd, b"a")
                read_until(b"a")
                lat.append((time.perf_counter() - t0) * 1e3)
                if pause:
                    time.sleep(pause)
            os.write(fd, b"\x15")  # ^U: kill the line
            time.sleep(0.05)
            while select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 65536)
            lat.sort()
            out[key].append({"p50_ms": lat[len(lat) // 2], "p99_ms": lat[int(len(lat) * 0.99) - 1]})
        os.write(fd, b"exit\r")
        os.close(fd)
        os.waitpid(pid, 0)
    return out


def paths(a):
    return {
        "vmterm": a.vmterm, "vmterm-deflate": a.vmterm, "ttyd": a.ttyd,
        "ttyd-deflate": a.ttyd, "wetty": a.wetty, "shellinabox": a.shellinabox,
        "vmterm-ssh": a.vmterm, "ttyd-ssh": a.ttyd,
        "vmterm-base": a.vmterm_base or "", "vmterm-base-deflate": a.vmterm_base or "",
    }


def skip_for_ssh(pb):
    """The SSH peers run only the suites where the SSH backend applies (module docstring)."""
    inner, fast_io = pb.run_peer, pb.fast_io

    def run_peer(peer, sizes, logdir, spin=False):
        if peer in SSH_PEERS:
            sizes = dict(sizes, sessions=0)  # peerbench's own procedure: no memory suite
        return inner(peer, sizes, logdir, spin)

    def fast(peer, srv, sizes):
        if peer in SSH_PEERS:
            return {"error": "not run for the SSH row"}
        return fast_io(peer, srv, sizes)

    pb.run_peer, pb.fast_io = run_peer, fast


def run(a):
    pb = load_peerbench(a.peerbench)
    wanted = a.peers.split(",")
    if set(wanted) & set(SSH_PEERS):
        if a.memory_only:
            sys.exit("peers.py: --memory-only has no SSH row; drop vmterm-ssh,ttyd-ssh from "
                     "--peers")
        if not os.path.isfile(a.sshd):
            sys.exit(f"peers.py: sshd not found at {a.sshd}; install openssh-server or pass "
                     "--sshd PATH")
        ssh_peers(pb, a.sshd)
    instrument(pb)
    if a.memory_only:
        memory_only(pb)
    elif a.suites:
        chosen = set(a.suites.split(","))
        if not chosen <= set(SUITES):
            sys.exit(f"peers.py: unknown suite in --suites {a.suites!r}; choose from "
                     f"{','.join(SUITES)}")
        only(pb, chosen)
    skip_for_ssh(pb)
    pb.VMTERM, pb.TTYD = os.path.abspath(a.vmterm), os.path.abspath(a.ttyd)
    pb.WETTY, pb.SIAB = os.path.abspath(a.wetty), os.path.abspath(a.shellinabox)
    if not os.path.isdir(pb.PEERS_CACHE):  # the servers' working directory
        pb.PEERS_CACHE = tempfile.mkdtemp(prefix="vmterm-peers-")
    where = paths(a)
    if a.vmterm_base:
        ab_base(pb, os.path.abspath(a.vmterm_base))
    peers = []
    if a.vmterm_base:  # each base right after its new build
        wanted = [q for p in wanted for q in ([p, p.replace("vmterm", "vmterm-base", 1)]
                                             if p in ("vmterm", "vmterm-deflate") else [p])]
    for p in wanted:
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
    if a.pty_floor:
        floors = {"pty_floor": pty_floor(), "echo_floor": echo_floor()}
        with open(a.out) as f:
            res = json.load(f)
        res.update(floors)
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
        print(f"PTY alone: {floors['pty_floor']}\necho, no server: {floors['echo_floor']}",
              flush=True)


def report(a):
    pb = load_peerbench(a.peerbench)
    pb.report(a.out)
    with open(a.out) as f:
        res = json.load(f)
    print()
    print(f"started {res.get('started')}, load {res.get('load_start')} -> {res.get('load_end')}")
    print()
    if "pty_floor" in res:
        fl = res["pty_floor"]
        print(f"PTY alone (no server, this script reads it; load {fl['load_before']}): "
              f"{fl['cpu_s_per_100MB']:.2f} s CPU per 100 MB ({fl['sys_s_per_100MB']:.2f} in the "
              f"kernel), {fl['ctx_per_100MB']:.0f} context switches, {fl['MBps']:.0f} MB/s")
        print()
    if "echo_floor" in res:
        ef = res["echo_floor"]

        def med(key, q):
            v = sorted(r[q] for r in ef[key])
            return v[len(v) // 2]

        print(f"echo with no server (the same shell on a PTY, this script types; load "
              f"{ef['load_before']}; median of {len(ef['lat_b2b'])}): back to back p50 / p99 "
              f"{med('lat_b2b', 'p50_ms'):.3f} / {med('lat_b2b', 'p99_ms'):.3f} ms, 10 ms apart "
              f"{med('lat_typing', 'p50_ms'):.3f} / {med('lat_typing', 'p99_ms'):.3f} ms")
        print()
    order = ALL + [p for p in ("vmterm-base", "vmterm-base-deflate")
                   if any(t["peer"] == p for t in res["trials"])]
    ALL[:] = order
    print("| measure (median of the runs) | " + " | ".join(
        p for p in ALL if any(t["peer"] == p for t in res["trials"])) + " |")
    print("|---|" + "---|" * len({t["peer"] for t in res["trials"]}))
    def mem_row(label, key, digits=1):
        cells = []
        for p in ALL:
            v = [t["mem"][key] for t in res["trials"]
                 if t["peer"] == p and isinstance(t.get("mem"), dict) and key in t["mem"]]
            if any(t["peer"] == p for t in res["trials"]):
                cells.append(f"{statistics.median(v):.{digits}f}" if v else "n/a")
        print(f"| {label} | " + " | ".join(cells) + " |")

    if any("mem" in t for t in res["trials"]):
        mem_row("KiB per idle session, RSS 0 -> 300 (cold: the issue's figure)",
                "kib_per_session_cold")
        mem_row("  of which anonymous (heap)", "anon_kib_per_session_cold")
        mem_row("  of which file pages (code mapped once)", "file_kib_per_session_cold")
        mem_row("KiB per idle session, warm (one session opened and closed first)",
                "kib_per_session")
        mem_row("  of which anonymous (heap)", "anon_kib_per_session")
    for label, lat, key in (
            ("server CPU us per key, 10 ms between keys", "lat_typing", "server_cpu_us_per_key"),
            ("server CPU us per key, back to back", "lat_b2b", "server_cpu_us_per_key"),
            ("server context switches per key, back to back", "lat_b2b", "server_ctx_per_key")):
        cells = []
        for p in ALL:
            v = [t["io"][lat][key] for t in res["trials"] if t["peer"] == p
                 and isinstance(t.get("io"), dict) and key in t["io"].get(lat, {})]
            if any(t["peer"] == p for t in res["trials"]):
                cells.append(f"{statistics.median(v):.1f}" if v else "n/a")
        print(f"| {label} | " + " | ".join(cells) + " |")
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
    ap.add_argument("--peers", default=",".join(p for p in ALL if p not in SSH_PEERS),
                    help="comma-separated, from: " + ",".join(ALL) + " (default: all but the "
                    "SSH row)")
    ap.add_argument("--out", default=os.path.join(ROOT, "var", "peers.json"))
    ap.add_argument("--spin", action="store_true")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the idle-session memory suite (fresh server, 0 then 300 sessions)")
    ap.add_argument("--suites", default="",
                    help="only these suites, comma-separated: " + ",".join(SUITES) +
                    " (default: peerbench's whole procedure)")
    ap.add_argument("--peerbench", default=DEFAULT_PEERBENCH)
    ap.add_argument("--vmterm-base", default="",
                    help="an older vmterm-serve, run as vmterm-base[-deflate] after each vmterm")
    ap.add_argument("--pty-floor", action="store_true",
                    help="also the PTY read directly by this script (CPU and switches per 100 MB) "
                    "and the keystroke echo typed on a PTY to the same shell (no server)")
    ap.add_argument("--vmterm", default=os.environ.get(
        "VMTERM_SERVE", os.path.join(ROOT, "build", "bin", "vmterm-serve")))
    ap.add_argument("--ttyd", default=os.path.join(os.path.dirname(DEFAULT_PEERBENCH), "bin/ttyd"))
    ap.add_argument("--wetty", default=os.path.join(cache, "wetty/node_modules/wetty/build/main.js"))
    ap.add_argument("--shellinabox", default="/usr/bin/shellinaboxd")
    ap.add_argument("--sshd", default="/usr/sbin/sshd",
                    help="the sshd for the SSH row (vmterm-ssh, ttyd-ssh)")
    a = ap.parse_args()
    if a.mode == "report":
        report(a)
    else:
        run(a)


if __name__ == "__main__":
    main()
