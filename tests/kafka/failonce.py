#!/usr/bin/env python3
"""A multi-lang bolt for the kafka test (the protocol by hand): it passes
each tuple (key, value, partition, offset) on, anchored to it, and acks it,
but fails each tuple whose offset is divisible by 3 the first time it sees
it (its record is replayed by the kafka spout). With the argument `always`
it fails partition 0's offset 5 every time instead (given up after
max.replays)."""
import json
import os
import sys


def read():
    lines = []
    while True:
        l = sys.stdin.readline()
        if not l:
            sys.exit(0)
        if l.rstrip("\r\n") == "end":
            return json.loads("".join(lines))
        lines.append(l)


def send(m):
    sys.stdout.write(json.dumps(m) + "\nend\n")
    sys.stdout.flush()


always = len(sys.argv) > 1 and sys.argv[1] == "always"
hs = read()
open(os.path.join(hs["pidDir"], str(os.getpid())), "w").close()
send({"pid": os.getpid()})
seen = set()
while True:
    m = read()
    if m.get("stream") in ("__heartbeat",):
        send({"command": "sync"})
        continue
    if m.get("stream") == "__tick":
        send({"command": "ack", "id": m["id"]})
        continue
    key, value, partition, offset = m["tuple"]
    if always:
        failed = (partition, offset) == (0, 5)
    else:
        failed = offset % 3 == 0 and (partition, offset) not in seen
    if failed:
        seen.add((partition, offset))
        send({"command": "fail", "id": m["id"]})
        continue
    send({"command": "emit", "anchors": [m["id"]], "tuple": m["tuple"], "need_task_ids": False})
    send({"command": "ack", "id": m["id"]})
