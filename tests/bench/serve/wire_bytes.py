#!/usr/bin/python3
"""Bytes on the wire for one command's output through vmterm-serve, without and with
permessage-deflate (the issue 15 row "bytes on the wire for `ls -lR /usr`").

  /usr/bin/python3 tests/bench/serve/wire_bytes.py [build/bin/vmterm-serve] ["ls -lR /usr"]

Starts vmterm-serve on a free loopback port (stopped by PID), opens one session, runs the
command, and counts what the client's socket received until the command's end marker.
"""
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time

import websockets

SERVE = sys.argv[1] if len(sys.argv) > 1 else "build/bin/vmterm-serve"
CMD = sys.argv[2] if len(sys.argv) > 2 else "ls -lR /usr"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


async def run(deflate):
    port, token = free_port(), secrets.token_hex(32)
    env = dict(os.environ, VMTERM_TOKEN=token, OTEL_TRACES_EXPORTER="none")
    proc = subprocess.Popen([SERVE, "--listen", f"127.0.0.1:{port}", "--command",
                             "/bin/bash --norc --noprofile"], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/terminal/",
            extra_headers={"Authorization": f"Bearer {token}"},
            origin=f"http://127.0.0.1:{port}",
            compression="deflate" if deflate else None, max_size=None)
        negotiated = ws.response_headers.get("Sec-WebSocket-Extensions") or "none"
        await ws.send(json.dumps({"type": "resize", "cols": 120, "rows": 40}))
        await asyncio.sleep(1.0)
        while True:  # the prompt
            try:
                await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                break
        wire = [0]
        received = ws.data_received

        def counted(data):
            wire[0] += len(data)
            received(data)

        ws.data_received = counted
        await ws.send(f"{CMD}; echo END-$((2+3))\r".encode())
        got = acked = 0
        while True:
            m = await ws.recv()
            if isinstance(m, bytes):
                got += len(m)
                if got - acked > 65536:
                    acked = got
                    await ws.send(json.dumps({"type": "ack", "bytes": got}))
                if b"END-5" in m:
                    break
        await ws.close()
        return negotiated, got, wire[0]
    finally:
        proc.terminate()
        proc.wait()


async def main():
    for deflate in (False, True):
        negotiated, got, wire = await run(deflate)
        print(f"deflate {'on ' if deflate else 'off'}: {got} bytes of output, {wire} on the wire "
              f"({got / max(1, wire):.2f}x); extensions: {negotiated}")


asyncio.run(main())
