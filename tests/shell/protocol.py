#!/usr/bin/env python3
"""shell(...) bolts against scripted fake children (children/fake.py, which
speaks the multi-lang protocol by hand): the handshake, emits on streams,
anchors, direct emits, task-id replies, need_task_ids, acks and fails of
unknown ids, malformed and multi-line frames, unicode and numbers, huge
tuples, logs and errors."""
import json
import os

from shellutil import *

FAKE = "python3 %s/fake.py" % WORK  # absolute: `pgrep -f WORK` finds them

# ---- the handshake ------------------------------------------------------------
# A relative path: shell commands run in the .topo file's folder; the command
# line is split like a shell would split it, without a shell.
topo("hs.topo", """  spout s = generate(count: 40)
  bolt  b = shell("python3 fake.py handshake 'a b' c\\"d\\" $HOME") x2 <- s fields(n) -> default(n), other(n, m)
  sink  o = stdout() <- b shuffle
  sink  g = stdout() <- b.other global""")
rc, out, err = run("run", "hs.topo")
eq((rc, err), (0, ""), "handshake topology runs")
eq(sorted(map(int, out.split())), list(range(40)), "every tuple passes the handshake child")
hs = [r for r in records("rec-handshake-") if "hs" in r]
eq(len(hs), 2, "one handshake per instance")
hs.sort(key=lambda r: r["hs"]["context"]["taskid"])
for i, r in enumerate(hs):
    h = r["hs"]
    eq(r["argv"], ["handshake", "a b", "cd", "$HOME"], "argv split like a shell, without a shell")
    eq(r["cwd"], WORK, "the child runs in the .topo file's folder")
    check(r["pid_dir_existed"], "pidDir exists when the child starts", h["pidDir"])
    check(r["pid_file_made"], "the child can create its pid file in pidDir", h["pidDir"])
    eq(h["conf"].get("topology.name"), "t", "conf names the topology")
    check(isinstance(h["conf"].get("topology.message.timeout.secs"), int), "conf has Storm's message timeout", h["conf"])
    eq(h["context"], {
        "task->component": {"1": "s", "2": "b", "3": "b", "4": "o", "5": "g"},
        "taskid": 2 + i,
        "componentid": "b",
        "stream->target->grouping": {"default": {"o": {"type": "SHUFFLE"}},
                                     "other": {"g": {"type": "FIELDS", "fields": []}}},
        "streams": ["default", "other"],
        "stream->outputfields": {"default": ["n"], "other": ["n", "m"]},
        "source->stream->grouping": {"s": {"default": {"type": "FIELDS", "fields": ["n"]}}},
        "source->stream->fields": {"s": {"default": ["n"]}},
    }, "handshake context of instance %d" % i)
eq(len({r["hs"]["pidDir"] for r in hs}), 2, "each instance has a pidDir of its own")
for r in hs:
    check(not os.path.exists(r["hs"]["pidDir"]), "pidDir removed after the run", r["hs"]["pidDir"])

# Two inputs: source->stream->fields and groupings name each source and stream.
topo("hs2.topo", """  spout s = generate(count: 3)
  spout w = random_sentence(count: 3)
  bolt  x = shell("%s emitter") <- s shuffle -> default(n), other(n, m)
  bolt  b = shell("python3 fake.py handshake") <- x.other all, w local, x shuffle -> (v)
  sink  o = null() <- b shuffle""" % FAKE)
clean("rec-")
rc, out, err = run("run", "hs2.topo")
eq((rc, out, err), (0, "", ""), "two-input handshake topology runs")
h = [r for r in records("rec-handshake-") if "hs" in r][0]["hs"]["context"]
eq(h["source->stream->fields"], {"x": {"other": ["n", "m"], "default": ["n"]}, "w": {"default": ["sentence"]}},
   "source->stream->fields with two sources and two streams of one")
eq(h["source->stream->grouping"], {"x": {"other": {"type": "ALL"}, "default": {"type": "SHUFFLE"}},
                                   "w": {"default": {"type": "LOCAL_OR_SHUFFLE"}}},
   "source->stream->grouping with two sources")
eq(h["stream->target->grouping"], {"default": {"o": {"type": "SHUFFLE"}}}, "stream->target->grouping")

# ---- emits: streams, anchors, direct, task-id replies -------------------------
EMIT_TOPO = """  spout s = generate(count: 12)
  bolt  b  = shell("%s emitter%s") <- s shuffle -> default(n), other(n, m), d(n, m)
  sink  a  = stdout() x2 <- b all
  bolt  f  = shell("%s tagger") x2 <- b fields(n) -> (n, task)
  bolt  dd = shell("%s tagger") x3 <- b.d direct -> (n, m, task)
  sink  o2 = file(path: "other.out") <- b.other shuffle
  sink  o3 = file(path: "direct.out") <- dd shuffle
  sink  o4 = file(path: "fields.out") <- f shuffle"""
topo("emit.topo", EMIT_TOPO % (FAKE, "", FAKE, FAKE))
clean("rec-")
rc, out, err = run("run", "emit.topo", "--metrics", "m.json", "--metrics-format", "json")
eq((rc, err), (0, ""), "emit topology runs")
eq(sorted(out.splitlines()), sorted([str(n) for n in range(12)] * 2),
   "the default stream reaches both instances of an 'all' sink")
eq(sorted(read("other.out").splitlines()), sorted("%d\t%d" % (n, -n) for n in range(12)),
   "the named stream 'other' (unanchored emits) carries its own fields")
direct = sorted(tuple(map(int, l.split("\t"))) for l in read("direct.out").splitlines())
# tasks: s=1, b=2, a=3,4, f=5,6, dd=7,8,9, o2=10, o3=11, o4=12
eq(direct, sorted((n, n * 10, 7 + n % 3) for n in range(12)),
   "a direct subscriber receives exactly the emitDirect tuples sent to its task")
tags = [r for r in records("rec-tagger-") if "stream" in r]
eq(sorted(tuple(r["values"]) for r in tags if r["comp"] == "b" and r["stream"] == "d"),
   sorted((n, n * 10) for n in range(12)), "direct tuples arrive with comp b, stream d")
fields_task = {int(l.split("\t")[0]): int(l.split("\t")[1]) for l in read("fields.out").splitlines()}
eq(sorted(fields_task), list(range(12)), "the fields-grouped bolt saw every tuple once")
em = {r["n"]: r for r in records("rec-emitter-") if "n" in r}
eq(sorted(em), list(range(12)), "the emitter saw every tuple")
for n, r in sorted(em.items()):
    eq(r["default"], sorted([3, 4, fields_task[n]]),
       "task ids of default-stream tuple %d: both tasks of 'a' (all) and the task of 'f' that got it" % n)
    eq(r["other"], [10], "task ids of an 'other' tuple: the one task of o2")
    eq((r["src"], r["src_task"], r["src_stream"]), ("s", 1, "default"), "tuple source comp/task/stream")
end = [r for r in records("rec-emitter-") if r.get("end")]
eq(end, [{"end": True, "count": 12, "replies": 24}], "one reply per non-direct emit, none for direct emits")
m = metrics("m.json")
eq((m["b"]["executed"], m["b"]["emitted"], m["b"]["errors"]), (12, 12 * 3, 0), "emitter metrics")

# need_task_ids false: no reply at all (the fake fails on an unexpected reply).
topo("emit2.topo", EMIT_TOPO % (FAKE, " nt", FAKE, FAKE))
clean("rec-")
rc, out, err = run("run", "emit2.topo")
eq((rc, err), (0, ""), "need_task_ids false runs")
eq([r for r in records("rec-emitter-") if r.get("end")], [{"end": True, "count": 12, "replies": 0}],
   "need_task_ids false: no task-id reply")
eq(len(out.splitlines()) + len(read("other.out").splitlines()) + len(read("direct.out").splitlines()),
   24 + 12 + 12, "need_task_ids false: every emit delivered")

# ---- lists and maps travel as lists and maps -------------------------------------------
topo("lists.topo", """  spout s = generate(count: 5)
  bolt  l = shell("%s lists") <- s shuffle -> (n, l, m)
  bolt  t = shell("%s types") <- l shuffle -> (n, l, m)
  bolt  w = split(field: "l") <- t shuffle
  sink  j = stdout(format: "json") <- t shuffle
  sink  o = file(path: "words.out") <- w shuffle""" % (FAKE, FAKE))
clean("rec-")
rc, out, err = run("run", "lists.topo")
eq((rc, err), (0, ""), "lists topology runs")
eq(sorted(r["types"] for r in records("rec-types-") if "types" in r), [["int", "list", "dict"]] * 5,
   "a list and a map emitted by one shell bolt reach the next as a list and a map")
eq(sorted(json.loads(l)["n"] for l in out.splitlines()), list(range(5)), "json output: every tuple")
eq(sorted((json.loads(l)["l"], json.loads(l)["m"]) for l in out.splitlines()),
   sorted(([n, "x", [n]], {"k": n, "l": [1]}) for n in range(5)), "json output writes lists and maps unquoted")
eq(sorted(read("words.out").split()), sorted(['[%d,"x",[%d]]' % (n, n) for n in range(5)]),
   "built-in bolts see a list as its JSON text")

# Across a channel (another process) too.
write("lists_channel.topo", """topology a {
  spout s = generate(count: 5)
  bolt  l = shell("%s lists") <- s shuffle -> (n, l, m)
  sink  c = channel("lists") <- l shuffle
}
topology b {
  spout c = channel("lists")
  bolt  t = shell("%s types") <- c shuffle -> (n, l, m)
  sink  o = null() <- t shuffle
}
""" % (FAKE, FAKE))
clean("rec-")
rc, out, err = run("run", "lists_channel.topo")
eq((rc, err), (0, ""), "lists across a channel: runs")
eq(sorted(r["types"] for r in records("rec-types-") if "types" in r), [["int", "list", "dict"]] * 5,
   "a list and a map stay a list and a map across a channel")

# ---- tuple.task is the emitting instance's task ---------------------------------------
topo("task.topo", """  spout s = generate(count: 40)
  bolt  t = shell("%s tagger") x2 <- s shuffle -> (n, task)
  bolt  u = shell("%s tagger") <- t shuffle -> (n, task, task2)
  sink  o = null() <- u shuffle""" % (FAKE, FAKE))
clean("rec-")
rc, out, err = run("run", "task.topo")
eq((rc, err), (0, ""), "tuple.task topology runs")
got = [r for r in records("rec-tagger-") if r.get("comp") == "t"]
eq(len(got), 40, "u saw every tuple of t")
check(all(r["task"] == r["values"][1] for r in got), "tuple.task is the task of the instance of t that emitted it",
      got[:5])
eq(sorted(set(r["task"] for r in got)), [2, 3], "both instances of t (tasks 2 and 3) emitted")

# ---- a direct emit on a stream read with another grouping fails the run ---------------
topo("direct_shuffle.topo", """  spout s = generate(count: 3)
  bolt  b = shell("%s emitter") <- s shuffle -> default(n), other(n, m), d(n, m)
  sink  a = null() <- b shuffle
  sink  o2 = null() <- b.other shuffle
  sink  o3 = null() <- b.d shuffle""" % FAKE)
rc, out, err = run("run", "direct_shuffle.topo")
eq((rc, out), (70, ""), "emitDirect to a shuffle reader: exit 70", err)
has_line(err, "smc: error: bolt 'b' (direct_shuffle.topo:3:9) failed: emitted direct to task 5 on stream 'd', but "
         "'o3' reads it with 'shuffle', not 'direct'", "emitDirect to a shuffle reader: the message")

# ---- acks and fails ----------------------------------------------------------------
topo("acks.topo", """  spout s = generate(count: 5)
  bolt  b = shell("%s acks") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
rc, out, err = run("run", "acks.topo", "--metrics", "m.json", "--metrics-format", "json")
eq((rc, sorted(out.split())), (0, ["0", "1", "2", "3", "4"]), "acks: output")
eq(sorted(err.splitlines()), sorted([
    "[b#0] error: ack of an unknown or already acked tuple id '1'",
    "[b#0] error: ack of an unknown or already acked tuple id 'no-such-id'",
    "[b#0] error: fail of an unknown or already acked tuple id '424242'",
    # The runtime shows the first errors of a component without an errors stream.
    "smc: error: bolt 'b' (acks.topo:3:9): ack of an unknown or already acked tuple id (input: 1)",
    "smc: error: bolt 'b' (acks.topo:3:9): ack of an unknown or already acked tuple id (input: no-such-id)",
    "smc: error: bolt 'b' (acks.topo:3:9): fail of an unknown or already acked tuple id (input: 424242)",
    "smc: warning: bolt 'b' (acks.topo:3:9) reported 3 errors (see above)",
]), "acks of unknown and already-acked ids are reported on stderr")
eq(metrics("m.json")["b"]["errors"], 3, "acks of unknown ids are counted as errors of the component")

topo("fail.topo", """  spout s = generate(count: 5)
  bolt  b = shell("%s fail") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
rc, out, err = run("run", "fail.topo", "--metrics", "m.json", "--metrics-format", "json")
eq((rc, out, err), (0, "", "".join("smc: error: bolt 'b' (fail.topo:3:9): failed by the bolt (input: %d)\n" % i
                                   for i in range(1, 6)) +
                    "smc: warning: bolt 'b' (fail.topo:3:9) reported 5 errors (see above)\n"),
   "a bolt failing every tuple: the run completes, each failure shown")
eq(metrics("m.json")["b"]["errors"], 5, "each failed tuple counts as an error")

topo("ackfirst.topo", """  spout s = generate(count: 50)
  bolt  b = shell("%s ackfirst") x2 <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
rc, out, err = run("run", "ackfirst.topo", "--metrics", "m.json", "--metrics-format", "json")
eq((rc, err), (0, ""), "emits after the ack: run")
eq(sorted(map(int, out.split())), list(range(50)), "emits after the ack are delivered")
eq(metrics("m.json")["b"]["errors"], 0, "emits after the ack are no error")

# ---- malformed frames --------------------------------------------------------------
bad = topo("bad.topo", """  spout s = generate(count: 20)
  bolt  b = shell("%s bad 3") x2 <- s shuffle -> (n) { on.failure = "fail" }
  sink  o = null() <- b shuffle""" % FAKE)
rc, out, err = run("run", bad)
eq(rc, 70, "malformed JSON with on.failure fail: exit 70")
matches(r"^smc: error: bolt 'b' \(bad\.topo:3:9, instance [01]\) failed: subprocess 'python3 %s/fake\.py bad 3' "
        r"\(pid \d+\) sent malformed JSON \(.+\): \{\"command\": \"emit\", \"tuple\": \[1, 2$" % re.escape(WORK),
        err, "malformed JSON: the message names component, location, instance, subprocess and pid")
clean("fault-marker")
topo("bad2.topo", """  spout s = generate(count: 20)
  bolt  b = shell("%s bad 3 once") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
rc, out, err = run("run", "bad2.topo")
eq(rc, 0, "malformed JSON with restart: the run completes", err)
eq(sorted(set(map(int, out.split()))), list(range(20)), "malformed JSON with restart: every tuple at least once")
matches(r"^smc: warning: bolt 'b' \(bad2\.topo:3:9\) instance 0: subprocess 'python3 \S+/fake\.py bad 3 once' "
        r"\(pid \d+\) sent malformed JSON [\s\S]*?; restarting it \(1 of 3\)$", err, "the restart is reported")
eq(len(re.findall("restarting it", err)), 1, "one restart")
topo("bad3.topo", """  spout s = generate(count: 20)
  bolt  b = shell("%s bad 1") <- s shuffle -> (n) { max.restarts = 2 }
  sink  o = null() <- b shuffle""" % FAKE)
rc, out, err, secs = timed_run("run", "bad3.topo")
eq(rc, 70, "malformed every time: the run fails after max.restarts")
eq(len(re.findall(r"restarting it \(\d of 2\)", err)), 2, "two restarts, then the run fails")
# With one instance the error names none (the runtime's choice, as for built-ins).
matches(r"^smc: error: bolt 'b' \(bad3\.topo:3:9\) failed: subprocess .*sent malformed JSON", err,
        "the final failure")

# ---- frames over several lines; unicode and numbers -------------------------------------
topo("ml.topo", """  spout s = stdin(format: "json", fields: ["a", "b"])
  bolt  b = shell("%s multiline") <- s shuffle -> (a, b)
  sink  o = stdout(format: "json") <- b shuffle""" % FAKE)
ROWS = [
    '{"a": 1, "b": -7}',
    '{"a": 0, "b": -1}',
    '{"a": 9223372036854775807, "b": -9223372036854775808}',
    '{"a": 0.1, "b": 1e+300}',
    '{"a": 1.5e-07, "b": -0.25}',
    '{"a": 3.141592653589793, "b": 2.5e-300}',
    '{"a": true, "b": false}',
    '{"a": null, "b": ""}',
    '{"a": "日本語 中文 한국어", "b": "😀 🎉 👍🏽 ü é ß"}',
    '{"a": "tab\\there \\"q\\" \\\\ back\\nslash", "b": "\\u0001 ctrl"}',
    '{"a": "end", "b": "end\\nend"}',
]
inp = "\n".join(ROWS) + "\n"
rc, out, err = run("run", "ml.topo", stdin=inp)
eq((rc, err), (0, ""), "multi-line frames: run")
eq(out, inp, "frames spanning several lines; unicode and numbers of every kind round-trip exactly")
topo("pass.topo", """  spout s = stdin(format: "json", fields: ["a", "b"])
  bolt  b = shell("%s pass") x2 <- s fields(a) -> (a, b)
  sink  o = stdout(format: "json") <- b shuffle""" % FAKE)
rc, out, err = run("run", "pass.topo", stdin=inp * 20)
eq((rc, err), (0, ""), "passthrough: run")
eq(sorted(out.splitlines()), sorted(ROWS * 20), "unicode and numbers round-trip through a passthrough x2")
# Values equal as JSON too (not only as text).
eq(sorted(json.dumps(json.loads(l), sort_keys=True) for l in out.splitlines()),
   sorted(json.dumps(json.loads(l), sort_keys=True) for l in ROWS * 20), "round trip as JSON values")

# ---- huge tuples -----------------------------------------------------------------------
big = "".join(chr(0x61 + (i * 7) % 26) for i in range(1 << 20))
topo("big.topo", """  spout s = stdin()
  bolt  b = shell("%s pass") <- s shuffle -> (line)
  sink  o = stdout(format: "lines") <- b shuffle""" % FAKE)
inp = big + "\nsmall\n" + big[::-1] + "é" * 1000 + "\n"
rc, out, err = run("run", "big.topo", stdin=inp)
eq((rc, err), (0, ""), "1 MB tuples: run")
check(out == inp, "1 MB tuples pass through a shell bolt unchanged", len(out), len(inp))

# ---- logs, errors, stderr --------------------------------------------------------------
topo("logs.topo", """  spout s = generate(count: 3)
  bolt  b = shell("%s logs") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
rc, out, err = run("run", "logs.topo", "--metrics", "m.json", "--metrics-format", "json")
eq((rc, out), (0, "0\n1\n2\n"), "logs: run")
eq(sorted(err.splitlines()), sorted([
    "[b#0] TRACE: level 0", "[b#0] DEBUG: level 1", "[b#0] INFO: level 2", "[b#0] WARN: level 3",
    "[b#0] ERROR: level 4", "[b#0] INFO: no level", "[b#0] error: something broke", "[b#0] a line on stderr",
    "smc: error: bolt 'b' (logs.topo:3:9): something broke",
    "smc: warning: bolt 'b' (logs.topo:3:9) reported 1 error (see above)"]),
   "log levels, the error command and the child's stderr are forwarded with component and instance")
eq([l for l in err.splitlines() if "level" in l][:5],
   ["[b#0] TRACE: level 0", "[b#0] DEBUG: level 1", "[b#0] INFO: level 2", "[b#0] WARN: level 3",
    "[b#0] ERROR: level 4"], "log lines keep their order")
eq(metrics("m.json")["b"]["errors"], 1, "the error command is counted")

done()
