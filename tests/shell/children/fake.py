"""A scripted multi-lang child speaking Storm's protocol by hand (no storm
module): python3 fake.py MODE [ARGS...].

Records what it sees as JSON lines in files named rec-<mode>-<taskid>-<pid> in
its working directory (the .topo file's folder).

Bolt modes (each tuple is acked after its emits unless said otherwise):
  handshake        record the handshake, argv, cwd and pid file; pass tuples on
  pass             emit each tuple's values unchanged (need_task_ids false)
  emitter          emit on default (anchored) and on "other" (unanchored), record
                   the task ids; emitDirect (n, n*10) on "d" to task n % len(d tasks)
                   of the component reading "d"; mode arg "nt" adds
                   need_task_ids false to every emit
  tagger           emit (values..., own task id)
  lists            emit (n, [n, "x", [n]], {"k": n, "l": [1]}) for each tuple's first value n
  types            record the Python types of the values; pass them on
  acks             ack each tuple twice, plus ack/fail of made-up ids
  ackfirst         ack the tuple, then emit it anchored to it
  multiline        emit frames spread over several lines
  logs             log at every level, send an error command, write to stderr
  fail             fail each tuple
  bad N [once]     send a malformed frame at tuple N (once: only the first process)
  kill N [once]    SIGKILL itself at tuple N
  hang N [noterm]  stop answering at tuple N (noterm: ignore SIGTERM too)
  nohandshake      read the handshake and never answer
  exit N           exit with status 3 at tuple N
  exitafterhs [once]  exit with status 0 right after the handshake
  progress         pass tuples on; write the count to prog-<pid> every 1000
  deep N [once]    at tuple N emit a value nested 100,000 lists deep
  deepframe N      at tuple N send a frame that is 100,000 lists deep
  huge N           at tuple N send a log message of 17 MiB
  closeout N       at tuple N close standard output and stay alive
  noack            emit and sync, never ack; count in noack-<pid>
  grandchild       start `sleep 1000` (its pid in gc-<pid>), then pass
Spout modes:
  spout N [exit]   emit 1..N with ids, then answer next with sync done
                   (exit: exit with status 0 instead)
  spouthang        answer one next, then stop answering
"""
import json
import os
import signal
import sys
import time
from collections import deque

MODE = sys.argv[1]
ARGS = sys.argv[2:]
IN = sys.stdin.buffer
OUT = sys.stdout.buffer
pending = deque()
replies_seen = 0
rec_file = None


def read_frame():
    lines = []
    while True:
        l = IN.readline()
        if not l:
            return None
        if l.rstrip(b"\r\n") == b"end":
            return json.loads(b"".join(lines).decode("utf-8"))
        lines.append(l)


def next_msg():
    if pending:
        return pending.popleft()
    m = read_frame()
    if isinstance(m, list):
        fatal("an unexpected task-id reply %r" % (m,))
    return m


def send_raw(text):
    OUT.write(text.encode("utf-8") + b"\nend\n")
    OUT.flush()


def send(obj, **kw):
    send_raw(json.dumps(obj, ensure_ascii=False, **kw))


def fatal(msg):
    sys.stderr.write("fake: " + msg + "\n")
    sys.stderr.flush()
    os._exit(9)


def record(**kw):
    rec_file.write(json.dumps(kw, ensure_ascii=False) + "\n")
    rec_file.flush()


def emit(values, stream=None, anchors=None, task=None, need=True, indent=None, msg_id=None):
    """Sends an emit; returns the task-id reply (None when none is due)."""
    global replies_seen
    m = {"command": "emit", "tuple": values}
    if stream is not None:
        m["stream"] = stream
    if anchors is not None:
        m["anchors"] = anchors
    if task is not None:
        m["task"] = task
    if msg_id is not None:
        m["id"] = msg_id
    if not need:
        m["need_task_ids"] = False
    send(m, indent=indent)
    if task is not None or not need:
        return None
    while True:
        r = read_frame()
        if r is None:
            fatal("input ended while waiting for a task-id reply")
        if isinstance(r, list):
            replies_seen += 1
            return r
        pending.append(r)  # tuples may come before the reply


def marker_once(name):
    """True the first time in this folder (across restarts)."""
    try:
        fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
        return True
    except FileExistsError:
        return False


hs = read_frame()
ctx = hs["context"]
TASK = ctx["taskid"]
rec_file = open("rec-%s-%s-%d" % (MODE, TASK, os.getpid()), "a", encoding="utf-8")
pid_dir_existed = os.path.isdir(hs["pidDir"])
pid_file_made = False
try:
    open(os.path.join(hs["pidDir"], str(os.getpid())), "w").close()
    pid_file_made = True
except OSError:
    pass

if MODE == "nohandshake":
    time.sleep(1000)
    sys.exit(0)
if MODE == "exitafterhs" and ("once" not in ARGS or marker_once("fault-marker")):
    send({"pid": os.getpid()})
    sys.exit(0)
if MODE == "grandchild":
    import subprocess
    gc = subprocess.Popen(["sleep", "1000"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open("gc-%d" % os.getpid(), "w") as f:
        f.write(str(gc.pid))
if MODE == "handshake":
    record(hs=hs, argv=sys.argv[1:], cwd=os.getcwd(), pid_dir_existed=pid_dir_existed, pid_file_made=pid_file_made)
send({"pid": os.getpid()})


def tasks_of(component):
    return sorted(int(t) for t, c in ctx["task->component"].items() if c == component)


# ---- spouts ------------------------------------------------------------------
if MODE.startswith("spout"):
    n = int(ARGS[0]) if ARGS else 0
    sent = 0
    answered = 0
    while True:
        m = next_msg()
        if m is None:
            sys.exit(0)
        cmd = m.get("command")
        record(cmd=cmd, id=m.get("id"))
        if MODE == "spouthang" and cmd == "next":
            answered += 1
            if answered > 1:
                time.sleep(1000)
        if cmd == "next" and MODE == "spout":
            if sent < n:
                sent += 1
                emit([sent], msg_id=sent)
            elif "exit" in ARGS:
                sys.exit(0)
            else:
                send({"command": "sync", "done": True})
                continue
        send({"command": "sync"})

# ---- bolts -------------------------------------------------------------------
count = 0
while True:
    m = next_msg()
    if m is None:
        break
    if m["stream"] == "__heartbeat":
        if m["task"] != -1 or m["tuple"] != []:
            fatal("odd heartbeat %r" % (m,))
        send({"command": "sync"})
        continue
    if m["stream"] == "__tick":
        continue
    count += 1
    tid, vals = m["id"], m["tuple"]
    if MODE == "handshake":
        emit(vals[:1], anchors=[tid], need=False)
    elif MODE in ("pass", "exitafterhs", "grandchild"):
        emit(vals, anchors=[tid], need=False)
    elif MODE == "progress":
        emit(vals, anchors=[tid], need=False)
        if count % 1000 == 0:
            with open("prog-%d.tmp" % os.getpid(), "w") as f:
                f.write(str(count))
            os.replace("prog-%d.tmp" % os.getpid(), "prog-%d" % os.getpid())
    elif MODE == "noack":
        emit(vals, anchors=[tid], need=False)
        with open("noack-%d.tmp" % os.getpid(), "w") as f:
            f.write(str(count))
        os.replace("noack-%d.tmp" % os.getpid(), "noack-%d" % os.getpid())
        continue
    elif MODE in ("deep", "deepframe", "huge", "closeout"):
        at = int(ARGS[0])
        if count == at and ("once" not in ARGS or marker_once("fault-marker")):
            if MODE == "deep":
                send_raw('{"command": "emit", "tuple": [' + "[" * 100000 + "]" * 100000 + '], "need_task_ids": false}')
            elif MODE == "deepframe":
                send_raw("[" * 100000 + "]" * 100000)
            elif MODE == "huge":
                send_raw('{"command": "log", "msg": "' + "x" * (17 << 20) + '"}')
            else:
                os.close(1)
                with open("closed-%d" % os.getpid(), "w"):
                    pass
                time.sleep(1000)
        emit(vals, anchors=[tid], need=False)
    elif MODE == "emitter":
        need = "nt" not in ARGS
        r1 = emit(vals, anchors=[tid], need=need)
        r2 = emit(vals + [-vals[0]], stream="other", need=need)
        d = tasks_of([c for c, s in ctx["stream->target->grouping"].get("d", {}).items()][0]) \
            if ctx["stream->target->grouping"].get("d") else []
        if d:
            emit([vals[0], vals[0] * 10], stream="d", task=d[vals[0] % len(d)])
        record(n=vals[0], default=r1, other=r2, direct=d[vals[0] % len(d)] if d else None, src=m["comp"],
               src_task=m["task"], src_stream=m["stream"])
    elif MODE == "types":
        record(types=[type(v).__name__ for v in vals], values=vals)
        emit(vals, anchors=[tid], need=False)
    elif MODE == "lists":
        emit([vals[0], [vals[0], "x", [vals[0]]], {"k": vals[0], "l": [1]}], anchors=[tid], need=False)
    elif MODE == "tagger":
        emit(vals + [TASK], anchors=[tid], need=False)
        record(stream=m["stream"], comp=m["comp"], task=m["task"], values=vals)
    elif MODE == "acks":
        emit(vals, anchors=[tid], need=False)
        send({"command": "ack", "id": tid})
        if count == 1:
            send({"command": "ack", "id": tid})  # already acked
            send({"command": "ack", "id": "no-such-id"})
            send({"command": "fail", "id": "424242"})
        continue
    elif MODE == "ackfirst":
        send({"command": "ack", "id": tid})
        emit(vals, anchors=[tid])
        continue
    elif MODE == "fail":
        send({"command": "fail", "id": tid})
        continue
    elif MODE == "multiline":
        send({"command": "emit", "anchors": [tid], "tuple": vals, "need_task_ids": False}, indent=4)
        send_raw('{"command":\n"ack",\n\n"id":\n' + json.dumps(tid) + "\n}")
        continue
    elif MODE == "logs":
        if count == 1:
            for lv in range(5):
                send({"command": "log", "msg": "level %d" % lv, "level": lv})
            send({"command": "log", "msg": "no level"})
            send({"command": "error", "msg": "something broke"})
            send({"command": "metrics", "name": "m", "params": 1})
            sys.stderr.write("a line on stderr\n")
            sys.stderr.flush()
        emit(vals, anchors=[tid], need=False)
    elif MODE in ("bad", "kill", "hang", "exit"):
        at = int(ARGS[0])
        if count == at and ("once" not in ARGS or marker_once("fault-marker")):
            if MODE == "bad":
                send_raw('{"command": "emit", "tuple": [1, 2')
            elif MODE == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            elif MODE == "hang":
                if "noterm" in ARGS:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                with open("hanging-%d" % os.getpid(), "w"):
                    pass
                time.sleep(1000)
            else:
                sys.exit(3)
        emit(vals, anchors=[tid], need=False)
    else:
        fatal("unknown mode " + MODE)
    send({"command": "ack", "id": tid})

record(end=True, count=count, replies=replies_seen)
