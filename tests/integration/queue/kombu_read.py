#!/usr/bin/python3
"""Reads one message from a Redis list with kombu 5.2.4's own Redis transport (as a Celery
worker does) and prints what Celery would see, as JSON: the decoded body, headers, properties
and delivery_info. Usage: kombu_read.py REDIS_URL QUEUE"""
import json
import sys

from kombu import Connection

url, queue = sys.argv[1], sys.argv[2]
with Connection(url) as conn:
    ch = conn.default_channel
    msg = ch.basic_get(queue, no_ack=True)
    if msg is None:
        print(json.dumps({"error": "no message"}))
        sys.exit(1)
    msg.accept = ["application/json"]
    body = msg.decode()  # kombu's JSON deserializer on the base64-decoded body
    print(json.dumps({"body": body, "headers": msg.headers, "properties": msg.properties,
                      "content_type": msg.content_type, "delivery_info": msg.delivery_info}))
