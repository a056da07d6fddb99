#!/usr/bin/env python3
"""`smc component NAME`: a built-in bolt as a multi-lang child, hosted by a
shell(...) bolt, and driven directly by a scripted parent."""
import json
import os
import signal
import subprocess

from shellutil import *

SENT = 2000

# ---- hosted by shell(...): same counts as the built-in split ---------------------------
write("split.topo", """param smc = "smc"
topology builtin {
  spout s = random_sentence(count: %d, seed: 3)
  bolt  w = split() x2 <- s shuffle
  bolt  c = count(key: "word") x2 <- w fields(word)
  sink  o = stdout() <- c shuffle
}
topology hosted {
  spout s = random_sentence(count: %d, seed: 3)
  bolt  w = shell("${smc} component split") x2 <- s shuffle -> (word)
  bolt  c = count(key: "word") x2 <- w fields(word)
  sink  o = stdout() <- c shuffle
}
""" % (SENT, SENT))
rc, builtin, err = run("run", "--topology", "builtin", "split.topo")
eq((rc, err), (0, ""), "built-in split: run")
rc, hosted, err = run("run", "--topology", "hosted", "-p", "smc=" + SMC, "split.topo", "--metrics", "m.json",
                      "--metrics-format", "json")
eq((rc, err), (0, ""), "smc component split as a shell bolt: run")
check(len(builtin.splitlines()) > 10, "built-in split counted words", builtin[:200])
eq(sorted(hosted.splitlines()), sorted(builtin.splitlines()), "smc component split counts like the built-in split")
m = metrics("m.json")
eq((m["w"]["executed"], m["w"]["errors"]), (SENT, 0), "smc component split: every sentence executed, no error")

# ---- count: its totals come when its input is closed -----------------------------------
write("count.topo", """param smc = "smc"
topology t {
  spout s = random_sentence(count: %d, seed: 3)
  bolt  w = split() <- s shuffle
  bolt  c = shell("${smc} component count --param key=word") x2 <- w fields(word) -> (word, count)
  sink  o = stdout() <- c shuffle
}
""" % SENT)
rc, out, err = run("run", "-p", "smc=" + SMC, "count.topo")
eq((rc, err), (0, ""), "smc component count as a shell bolt: run")
eq(sorted(out.splitlines()), sorted(builtin.splitlines()), "smc component count emits its totals at the end")

# ---- driven directly -----------------------------------------------------------------------


def frame(obj):
    return json.dumps(obj) + "\nend\n"


def parse_frames(text):
    msgs, cur = [], []
    for l in text.split("\n"):
        if l == "end":
            msgs.append(json.loads("\n".join(cur)))
            cur = []
        else:
            cur.append(l)
    eq(cur, [""], "the output ends with a whole frame")
    return msgs


os.makedirs("pids", exist_ok=True)
hs = {"conf": {}, "pidDir": os.path.join(WORK, "pids"),
      "context": {"task->component": {"1": "s", "2": "w"}, "taskid": 2, "componentid": "w",
                  "stream->target->grouping": {}, "streams": ["default"], "stream->outputfields": {"default": ["word"]},
                  "source->stream->grouping": {"s": {"default": {"type": "SHUFFLE"}}},
                  "source->stream->fields": {"s": {"default": ["sentence"]}}}}
inp = frame(hs)
inp += frame({"id": "7", "comp": "s", "stream": "default", "task": 1, "tuple": ["the cow jumped"]})
inp += frame({"id": "8", "comp": "s", "stream": "default", "task": 1, "tuple": ["  über  日本 "]})
inp += frame({"id": "-1", "comp": None, "stream": "__heartbeat", "task": -1, "tuple": []})
inp += frame({"id": "9", "comp": "s", "stream": "default", "task": 1, "tuple": [""]})
p = subprocess.Popen([SMC, "component", "split"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
pout, perr = p.communicate(inp, timeout=10)
eq((p.returncode, perr), (0, ""), "smc component split driven directly: exit 0 at EOF")
msgs = parse_frames(pout)
eq(msgs[0], {"pid": p.pid}, "the handshake answer carries the pid")
check(os.path.exists(os.path.join(WORK, "pids", str(p.pid))), "the pid file is created in pidDir", os.listdir("pids"))


def emit(word, anchor):
    return {"command": "emit", "stream": "default", "anchors": [anchor], "tuple": [word], "need_task_ids": False}


eq(msgs[1:], [
    emit("the", "7"), emit("cow", "7"), emit("jumped", "7"), {"command": "ack", "id": "7"},
    emit("über", "8"), emit("日本", "8"), {"command": "ack", "id": "8"},
    {"command": "sync"},
    {"command": "ack", "id": "9"},
], "emits anchored to their tuple, then its ack; a heartbeat answered with sync")

# count driven directly: totals after EOF, no anchors.
inp = frame(dict(hs, context=dict(hs["context"], **{"source->stream->fields": {"w": {"default": ["word"]}}})))
for i, wd in enumerate(["a", "b", "a", "a"]):
    inp += frame({"id": str(i), "comp": "w", "stream": "default", "task": 1, "tuple": [wd]})
p = subprocess.run([SMC, "component", "count", "--param", "key=word"], input=inp, capture_output=True, text=True,
                   timeout=10)
eq((p.returncode, p.stderr), (0, ""), "smc component count driven directly: exit 0")
msgs = parse_frames(p.stdout)[1:]
eq(msgs[:4], [{"command": "ack", "id": str(i)} for i in range(4)], "count acks each tuple")
eq(sorted(json.dumps(m, sort_keys=True) for m in msgs[4:]), sorted(json.dumps(m, sort_keys=True) for m in [
    {"command": "emit", "stream": "default", "tuple": ["a", 3], "need_task_ids": False},
    {"command": "emit", "stream": "default", "tuple": ["b", 1], "need_task_ids": False}]),
   "count emits its totals after its input ends")

# --param values typed by the parameter's declared type: `equals=2` is the
# string "2" (it was refused as an integer), `invert=true` a boolean, `n=2` an
# integer; a value of the wrong type is still refused.
inp = frame(dict(hs, context=dict(hs["context"], **{"source->stream->fields": {"s": {"default": ["n"]}}})))
for i, v in enumerate(["1", "2", 2, "22"]):
    inp += frame({"id": str(i), "comp": "s", "stream": "default", "task": 1, "tuple": [v]})
p = subprocess.run([SMC, "component", "filter", "--param", "equals=2"], input=inp, capture_output=True, text=True,
                   timeout=10)
eq((p.returncode, p.stderr), (0, ""), "--param equals=2 (a string parameter): accepted")
eq([m["tuple"] for m in parse_frames(p.stdout) if m.get("command") == "emit"], [["2"], [2]],
   "filter equals=2 keeps the tuples whose text is 2")
p = subprocess.run([SMC, "component", "filter", "--param", "equals=2", "--param", "invert=true"], input=inp,
                   capture_output=True, text=True, timeout=10)
eq([m["tuple"] for m in parse_frames(p.stdout) if m.get("command") == "emit"], [["1"], ["22"]],
   "--param invert=true (a boolean parameter)")
p = subprocess.run([SMC, "component", "top", "--param", "key=n", "--param", "n=two"], input=inp, capture_output=True,
                   text=True, timeout=10)
eq(p.returncode, 64, "--param n=two (an integer parameter): refused", p.stderr)
check("'n'" in p.stderr and "integer" in p.stderr, "--param n=two: the error names the parameter and its type",
      p.stderr)

# Under Storm's ShellBolt the input never closes: count with emit "tick"
# emits on each tick tuple, which it acks like any tuple; SIGTERM (how Storm
# ends its subprocesses) flushes what it holds and exits 143.
inp = frame(dict(hs, context=dict(hs["context"], **{"source->stream->fields": {"w": {"default": ["word"]}}})))
inp += frame({"id": "1", "comp": "w", "stream": "default", "task": 1, "tuple": ["a"]})
inp += frame({"id": "2", "comp": "w", "stream": "default", "task": 1, "tuple": ["b"]})
inp += frame({"id": "t1", "comp": "__system", "stream": "__tick", "task": -1, "tuple": [1]})
inp += frame({"id": "3", "comp": "w", "stream": "default", "task": 1, "tuple": ["a"]})
inp += frame({"id": "-1", "comp": None, "stream": "__heartbeat", "task": -1, "tuple": []})
p = subprocess.Popen([SMC, "component", "count", "--param", "key=word", "--param", "emit=tick"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdin.write(inp.encode())
p.stdin.flush()  # and left open, as Storm does
got = b""
while b'{"command": "sync"}\nend\n' not in got:
    chunk = os.read(p.stdout.fileno(), 65536)
    check(chunk, "smc component count: output until the sync", got)
    got += chunk
p.send_signal(signal.SIGTERM)
rest, perr = p.communicate(timeout=10)
msgs = parse_frames((got + rest).decode())[1:]
eq(p.returncode, 143, "smc component on SIGTERM: exits 143 after flushing", perr)
tick = msgs.index({"command": "ack", "id": "t1"})
eq(sorted(json.dumps(m, sort_keys=True) for m in msgs[2:tick]), sorted(json.dumps(m, sort_keys=True) for m in [
    {"command": "emit", "stream": "default", "tuple": ["a", 1], "need_task_ids": False},
    {"command": "emit", "stream": "default", "tuple": ["b", 1], "need_task_ids": False}]),
   "emit tick: the totals so far on the tick, then the tick's ack")
eq(msgs[tick + 1:], [{"command": "ack", "id": "3"}, {"command": "sync"},
                     {"command": "emit", "stream": "default", "tuple": ["a", 2], "need_task_ids": False}],
   "SIGTERM: what changed since the last tick is flushed before the exit")

# Errors of the direct use.
p = subprocess.run([SMC, "component", "split"], input="", capture_output=True, text=True, timeout=10)
eq((p.returncode, p.stdout, p.stderr), (65, "", "smc component: error: expected the multi-lang handshake on standard input\n"),
   "no handshake: exit 65")
p = subprocess.run([SMC, "component", "nosuch"], input=frame(hs), capture_output=True, text=True, timeout=10)
eq(p.returncode, 64, "an unknown component: exit 64")
check("nosuch" in p.stderr, "an unknown component is named", p.stderr)
p = subprocess.run([SMC, "component", "split", "--param", "x"], input=frame(hs), capture_output=True, text=True,
                   timeout=10)
eq((p.returncode, p.stderr), (64, "smc component: error: --param expects KEY=VALUE, got 'x'\n"), "--param without =")
# A tuple nested 100,000 deep, a deep handshake, a message over 16 MiB: a
# clear error and exit 65, never a crash.
deep = '{"id": "1", "comp": "s", "stream": "default", "task": 1, "tuple": [' + "[" * 100000 + "]" * 100000 + "]}"
p = subprocess.run([SMC, "component", "split"], input=frame(hs) + deep + "\nend\n", capture_output=True, text=True,
                   timeout=10)
eq(p.returncode, 65, "smc component reading a deep tuple: exit 65 (no crash)", p.stderr[-300:])
check(p.stderr.startswith("smc component: error: malformed message (nested deeper than 128 levels): "
                          '{"id": "1", "comp": "s", "stream": "default", "task": 1, "tuple": [[[[') and
      p.stderr.endswith("...\n"), "a deep tuple: the error says why, with an excerpt", p.stderr[:300])
p = subprocess.run([SMC, "component", "split"], input="[" * 100000 + "\nend\n", capture_output=True, text=True,
                   timeout=10)
eq((p.returncode, p.stderr), (65, "smc component: error: the handshake is not a JSON object "
                                  "(nested deeper than 128 levels)\n"), "a deep handshake: exit 65")
p = subprocess.run([SMC, "component", "split"], input=frame(hs) + "x" * (17 << 20), capture_output=True, text=True,
                   timeout=20)
eq((p.returncode, p.stderr), (65, "smc component: error: a message on standard input is larger than 16 MiB\n"),
   "a message over 16 MiB: exit 65")
no_leftovers("after smc component")

pgrep_none(SMC + " component")
done()
