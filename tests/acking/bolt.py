#!/usr/bin/env python3
"""A multi-lang bolt for the acking tests (no module needed: the protocol by
hand). It passes each tuple's value on, anchored to the tuple, and then acks
it, except as its mode says:

  failthird   fails each value divisible by 3 the first time it sees it
  failseven   always fails the value 7 (its tree is given up after max.replays)
  kill N      kills itself with SIGKILL when it first sees N (marker file)
  hang N      stops answering when it first sees N (marker file)
  async       answers each heartbeat (sync) before it emits and acks the
              tuples it holds, as storm-starter's asyncSplitsentence.js does
"""
import json
import os
import signal
import sys
import time

mode = sys.argv[1]
arg = int(sys.argv[2]) if len(sys.argv) > 2 else 0
MARK = "marker-%s-%d" % (mode, arg)


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


hs = read()
open(os.path.join(hs["pidDir"], str(os.getpid())), "w").close()
send({"pid": os.getpid()})
seen = set()
held = []
while True:
    m = read()
    if m.get("stream") == "__heartbeat":
        send({"command": "sync"})
        for t in held:  # async: after the sync
            send({"command": "emit", "anchors": [t["id"]], "tuple": t["tuple"], "need_task_ids": False})
            send({"command": "ack", "id": t["id"]})
        held = []
        continue
    if m.get("stream") == "__tick":
        send({"command": "ack", "id": m["id"]})
        continue
    n = int(m["tuple"][0])  # lines from stdin or file are text
    if mode == "kill" and n == arg and not os.path.exists(MARK):
        open(MARK, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "hang" and n == arg and not os.path.exists(MARK):
        open(MARK, "w").close()
        time.sleep(3600)
    if mode == "async":
        held.append(m)
        continue
    if (mode == "failthird" and n % 3 == 0 and n not in seen) or (mode == "failseven" and n == 7):
        seen.add(n)
        send({"command": "fail", "id": m["id"]})
        continue
    send({"command": "emit", "anchors": [m["id"]], "tuple": [n], "need_task_ids": False})
    send({"command": "ack", "id": m["id"]})
