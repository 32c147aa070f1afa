#!/usr/bin/python3
"""Golden task messages from real Celery 5.2.6 / kombu 5.2.4 (Debian bookworm), for
tests/unit/queue/message_test.cpp. Run with /usr/bin/python3 from this directory; it writes
golden.jsonl: one case per line, {"name", "inputs", "envelope"} where envelope is the exact list
element kombu's Redis transport would LPUSH (its _put is `lpush(q, dumps(message))`; the memory
transport keeps the same dict, dumped here with kombu's dumps)."""
import json
from datetime import datetime, timezone, timedelta
from celery import Celery
from kombu.utils.json import dumps

app = Celery("app", broker="memory://")
app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
NOW = datetime(2026, 11, 21, 9, 33, 23, 588312, tzinfo=timezone.utc)

CASES = [
    dict(name="add", task="app.add", args=[2, 3], kwargs={"z": 4}),
    dict(name="noop", task="app.noop", args=[], kwargs={}),
    dict(name="one_arg", task="app.echo", args=["it's"], kwargs={}),
    dict(name="countdown_expires_prio", task="app.add", args=[1, 2], kwargs={}, countdown=60,
         expires=3600, priority=3, time_limit=30, soft_time_limit=20),
    dict(name="types", task="app.echo",
         args=[1.5, None, True, False, "é\n\"x\"", [1, {"a": [[]]}], 1e16, 1e-05, 123456789012],
         kwargs={"k": {"n": None}, "ü": "日本"}),
    dict(name="long_args", task="app.echo", args=["word " * 300], kwargs={"s": "x" * 1100}),
    dict(name="many_args", task="app.echo", args=list(range(400)), kwargs={}),
    dict(name="ignore_result_queue", task="app.noop", args=[], kwargs={}, queue="jobs",
         ignore_result=True, priority=9),
    dict(name="headers_traceparent", task="app.add", args=[2, 3], kwargs={},
         headers={"custom": {"x": 1},
                  "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}),
    dict(name="parent_root", task="app.add", args=[], kwargs={}, parent_id="p-1", root_id="r-1",
         group_id="g-1", group_index=2, retries=2, shadow="alias"),
]

out = []
for i, c in enumerate(CASES):
    task_id = "00000000-0000-4000-8000-%012d" % i
    kw = dict(countdown=c.get("countdown"), expires=c.get("expires"),
              time_limit=c.get("time_limit"), soft_time_limit=c.get("soft_time_limit"),
              parent_id=c.get("parent_id"), root_id=c.get("root_id"),
              group_id=c.get("group_id"), group_index=c.get("group_index"),
              retries=c.get("retries", 0), shadow=c.get("shadow"),
              ignore_result=c.get("ignore_result", False),
              now=NOW, origin="gen42@vm", reply_to="c18161c3-4872-311c-a278-459a6b2e4729")
    msg = app.amqp.as_task_v2(task_id, c["task"], tuple(c["args"]), c["kwargs"], **kw)
    queue = c.get("queue", "celery")
    with app.connection_for_write() as conn:
        prod = app.amqp.Producer(conn)
        # As app.send_task: expires (seconds) becomes options["expiration"]; priority and
        # headers only when given.
        opts = {}
        if c.get("expires") is not None:
            opts["expiration"] = c["expires"]
        if c.get("priority") is not None:
            opts["priority"] = c["priority"]
        app.amqp.send_task_message(prod, c["task"], msg, queue=queue, headers=c.get("headers"),
                                   **opts)
        m = conn.default_channel._get(queue)  # the memory transport has no priority lists
    out.append({"name": c["name"], "inputs": {**{k: v for k, v in c.items() if k != "name"},
                                              "id": task_id}, "envelope": dumps(m)})

with open("golden.jsonl", "w") as f:
    for o in out:
        f.write(json.dumps(o) + "\n")
print("wrote", len(out), "cases")
