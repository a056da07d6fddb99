# feed.py: the multi-lang messages smc sends a bolt, for timing the bolt alone.
#   python3 feed.py PIDDIR < lines > messages
# Writes the handshake, then one tuple message per input line (as smc's shell
# bolt writes them), so that `python3 passthrough.py < messages > /dev/null`
# runs the bolt's whole Python side (read, parse, emit, ack) with no parent:
# the limit of the protocol in Python.  Only for need_task_ids=False bolts
# (nobody answers emits).
import json
import sys

out = sys.stdout
out.write(json.dumps({"conf": {}, "context": {"componentid": "pass", "taskid": 1},
                      "pidDir": sys.argv[1]}) + "\nend\n")
enc = json.JSONEncoder(separators=(",", ":")).encode
for i, line in enumerate(sys.stdin.buffer):
    s = line.decode("utf-8", "surrogateescape").rstrip("\n")
    out.write('{"id":"%d","comp":"lines","stream":"default","task":2,"tuple":[%s]}\nend\n' % (i + 1, enc(s)))
