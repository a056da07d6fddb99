#!/usr/bin/env python3
"""Apache Storm's own multi-lang adapters (storm.py, storm.rb, storm.js) and
storm-starter's components, unchanged, hosted by smc's shell(...) components.

They are read from ../shared/storm (relative to the repository root) or from
$SMC_STORM_DIR, and copied into this test's temporary folder (their
`require "./storm"` needs them side by side); never into the project. When
the folder is missing the test is skipped (exit 77) with the reason printed;
Ruby and Node parts are skipped, with the reason, when `ruby` or `node` is
not installed (scripts/install-deps installs both).

Checked, each against an independent computation in this script:
- lists and maps inside tuples stay lists and maps from a Python spout through
  Python, Ruby and Node bolts (each appends to them, which fails on a string);
- `tuple.task` is the task id of the spout instance that emitted the tuple;
- the handshake's conf: `set topology.*` and `set conf.*` pass through, and
  the Storm keys smc knows are filled in;
- `metrics` messages in --metrics and in `smc ps JOB` while the job runs;
- `deactivate` reaches a Storm spout on --for and on `smc abort`, and an idle
  spout is asked for tuples at most about once a millisecond;
- the adapters' "Read EOF from stdin" at the end is not counted as an error;
- storm-starter's split sentence in Python, Ruby and Node count words right;
- a direct emit to a reader that does not read with 'direct' fails the run.
"""
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from shellutil import *

STORM = os.environ.get("SMC_STORM_DIR") or os.path.join(ROOT, "..", "shared", "storm")
if not os.path.isfile(os.path.join(STORM, "multilang", "storm.py")):
    print("SKIP: Apache Storm's adapters are not at %s (set SMC_STORM_DIR)" % os.path.abspath(STORM))
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(77)
for sub in ("multilang", "starter"):
    for f in os.listdir(os.path.join(STORM, sub)):
        shutil.copy(os.path.join(STORM, sub, f), WORK)
HAVE_RUBY = shutil.which("ruby") is not None
HAVE_NODE = shutil.which("node") is not None or shutil.which("nodejs") is not None
NODE = "node" if shutil.which("node") else "nodejs"
for what, have in (("ruby", HAVE_RUBY), ("node", HAVE_NODE)):
    if not have:
        print("SKIP (part): %s is not installed; its parts are not checked" % what)
SLOW = float(os.environ.get("SMC_TEST_SLOWDOWN", "1"))

# ---- components written for the test, on Storm's adapters ----------------------------
write("spout.py", """
import json, sys, time
import storm

N = int(sys.argv[1])

class S(storm.Spout):
    def initialize(self, conf, context):
        self.task = context["taskid"]
        self.n = 0
        keys = ["greeting", "topology.test.number", "topology.test.list", "topology.name",
                "topology.message.timeout.secs", "topology.tick.tuple.freq.secs", "topology.acker.executors",
                "topology.workers"]
        if self.task == 1:
            storm.logInfo("conf " + json.dumps({k: conf.get(k) for k in keys}, sort_keys=True))

    def nextTuple(self):
        if self.n == N:
            sys.exit(0)  # the end of the stream
        self.n += 1
        storm.emit([self.task, self.n, [self.n, "x", [self.n, self.n + 1]],
                    {"k": self.n, "l": [1, {"m": str(self.n)}]}])

S().run()
""")
write("bolt.py", """
import storm

class B(storm.BasicBolt):
    def process(self, tup):
        task, n, l, m = tup.values
        m = dict(m)
        m["py"] = True
        storm.rpcMetrics("py.seen", 1)
        storm.rpcMetrics("py.last", {"n": n})
        storm.emit([task, tup.task, n, l + ["py"], m])

B().run()
""")
write("bolt.rb", """
require "./storm"

class B < Storm::Bolt
  def process(tup)
    task, seen, n, l, m = tup.values
    emit([task, seen, n, l + ["rb"], m.merge({"rb" => true})], :anchor => tup)
    ack(tup)
  end
end

B.new.run
""")
write("bolt.js", """
var storm = require('./storm');
function B() { storm.BasicBolt.call(this); }
B.prototype = Object.create(storm.BasicBolt.prototype);
B.prototype.constructor = B;
B.prototype.process = function(tup, done) {
    var v = tup.values;
    var m = Object.assign({}, v[4], {js: true});
    this.emit({tuple: [v[0], v[1], v[2], v[3].concat(["js"]), m], anchorTupleId: tup.id}, function() {});
    done();
};
new B().run();
""")

# ---- lists and maps, tuple.task, conf, metrics, EOF ------------------------------------
N = 40
chain = [("py", "python3 bolt.py", " x2")]
extra = []
if HAVE_RUBY:
    chain.append(("rb", "ruby bolt.rb", ""))
    extra.append("rb")
if HAVE_NODE:
    chain.append(("js", NODE + " bolt.js", " x2"))
    extra.append("js")
body = """
    set conf.greeting = "hello"
    set topology.test.number = 42
    set topology.test.list = [1, "two", 3.5]
    spout s = shell("python3 spout.py %d") x2 -> (task, n, l, m)
""" % N
prev = "s"
for name, cmd, par in chain:
    body += '    bolt  %s = shell("%s")%s <- %s shuffle -> (task, seen, n, l, m)\n' % (name, cmd, par, prev)
    prev = name
body += '    sink  o = stdout(format: "json") <- %s shuffle\n' % prev
rc, out, err = run("run", topo("lists.topo", body), "--metrics", "m.json", "--metrics-format", "json", timeout=60)
eq(rc, 0, "lists: status", err)
rows = [json.loads(l) for l in out.splitlines()]
expected = []
for task in (1, 2):  # the spout's two instances are tasks 1 and 2
    for n in range(1, N + 1):
        m = {"k": n, "l": [1, {"m": str(n)}], "py": True}
        for lang in extra:
            m[lang] = True
        expected.append({"task": task, "seen": task, "n": n, "l": [n, "x", [n, n + 1], "py"] + extra, "m": m})
key = lambda r: (r["task"], r["n"])
eq(sorted(rows, key=key), sorted(expected, key=key),
   "lists and maps stay lists and maps through the python, ruby and node bolts; tuple.task is the emitting task")
has_line(err, '[s#0] INFO: conf {"greeting": "hello", "topology.acker.executors": 0, "topology.message.timeout.secs": '
         '30, "topology.name": "t", "topology.test.list": [1, "two", 3.5], "topology.test.number": 42, '
         '"topology.tick.tuple.freq.secs": null, "topology.workers": 1}',
         "conf: set topology.*/conf.* pass through; the Storm keys smc knows are filled in")
check("Read EOF" not in err and "end of file reached" not in err, "the adapters' end of input is not reported", err)
m = metrics("m.json")
for name, _, _ in chain:
    eq((m[name]["executed"], m[name]["errors"]), (2 * N, 0), "lists: %s executed every tuple, no error" % name)
eq(m["py"]["reported"]["py.seen"], 2 * N, "metrics: a number adds to the metric's total (over instances)")
check(set(m["py"]["reported"]["py.last"]) == {"n"}, "metrics: another value is kept as it is", m["py"]["reported"])
check("reported" not in m["s"], "metrics: none reported, none shown", m["s"])

# ---- storm-starter's split sentence, in three languages --------------------------------
rc, sentences, err = run("run", topo("sentences.topo", """
    spout s = random_sentence(count: 300, seed: 7)
    sink  o = stdout() <- s shuffle"""))
eq((rc, err), (0, ""), "sentences")
words = collections.Counter(w for s in sentences.splitlines() for w in s.split(" "))
check(sum(words.values()) > 300, "sentences have words", sentences[:200])
# storm-starter's splitsentence.rb is left out: its bolt never acks (storm.rb's
# Bolt has no auto-ack), and in smc, as in Storm, a tuple is done only when it
# is acked or failed, so its tuples run into the message timeout (see
# tests/acking/storm_adapters.py for the Ruby adapter under acking).
starters = [("python", "python3 splitsentence.py")]
if HAVE_NODE:
    starters.append(("node", NODE + " splitsentence.js"))
for lang, cmd in starters:
    rc, out, err = run("run", topo("split_%s.topo" % lang, """
    spout s = random_sentence(count: 300, seed: 7)
    bolt  w = shell("%s") x2 <- s shuffle -> (word)
    bolt  c = count(key: "word") x2 <- w fields(word)
    sink  o = stdout(format: "tsv") <- c shuffle""" % cmd), "--metrics", "m.json", "--metrics-format", "json",
                       timeout=60)
    eq(rc, 0, "storm-starter splitsentence (%s): status" % lang, err[-2000:])
    got = {l.split("\t")[0]: int(l.split("\t")[1]) for l in out.splitlines()}
    eq(got, dict(words), "storm-starter splitsentence (%s) counts every word" % lang)
    eq(metrics("m.json")["w"]["errors"], 0, "storm-starter splitsentence (%s): no error" % lang)

# ---- deactivate on --for; the idle wait ------------------------------------------------
write("idle.py", """
import time
import storm

class S(storm.Spout):
    def initialize(self, conf, context):
        self.nexts = 0
        self.start = time.monotonic()
    def nextTuple(self):
        self.nexts += 1
    def deactivate(self):
        ms = (time.monotonic() - self.start) * 1000
        storm.logInfo("deactivated after %d nexts in %d ms" % (self.nexts, ms))

S().run()
""")
rc, out, err = run("run", "--for", "%dms" % (1000 * SLOW), topo("idle.topo", """
    spout s = shell("python3 idle.py") -> (n)
    sink  o = stdout() <- s shuffle"""))
eq((rc, out), (0, ""), "idle spout: status", err)
found = matches(r"^\[s#0\] INFO: deactivated after (\d+) nexts in (\d+) ms$", err, "deactivate is sent on --for")
nexts, ms = int(found.group(1)), int(found.group(2))
check(nexts >= 1, "the idle spout was asked", err)
check(nexts <= ms + 50, "an idle spout is asked at most about once a millisecond (Storm's sleep wait strategy)",
      "%d nexts in %d ms" % (nexts, ms))

# ---- metrics in `smc ps JOB` while it runs; deactivate on abort ------------------------
write("five.py", """
import time
import storm

class S(storm.Spout):
    def initialize(self, conf, context):
        self.n = 0
    def nextTuple(self):
        if self.n < 5:
            self.n += 1
            storm.emit([self.n])
    def deactivate(self):
        storm.logInfo("deactivated")

S().run()
""")
name = "storm_ps_%d" % os.getpid()
write("ps.topo", """topology %s {
    spout s = shell("python3 five.py") -> (n)
    bolt  py = shell("python3 count.py") <- s shuffle -> (n)
    sink  o = null() <- py shuffle
}
""" % name)
write("count.py", """
import storm

class B(storm.BasicBolt):
    def process(self, tup):
        storm.rpcMetrics("seen", 1)
        storm.emit(tup.values)

B().run()
""")
p = start("run", "ps.topo")
line = "  py seen = 5"
shown = {"text": ""}


def ps_shows():
    r = subprocess.run([SMC, "ps", name], capture_output=True, text=True)
    shown["text"] = r.stdout + r.stderr
    return line in r.stdout.splitlines()


ok = wait_for(ps_shows, 20 * SLOW, step=0.2)
subprocess.run([SMC, "abort", name], capture_output=True, text=True)
rc, out, err, _ = finish(p)
check(ok, "smc ps JOB shows the metrics a component reports", shown["text"])
has_line(err, "[s#0] INFO: deactivated", "deactivate is sent on abort")
check("Read EOF" not in err, "no EOF report on abort", err)
no_leftovers("after the abort")

# ---- a direct emit to a reader that does not read with 'direct' ------------------------
write("direct.py", """
import storm

class B(storm.BasicBolt):
    def process(self, tup):
        storm.emitDirect(3, [tup.values[0]])

B().run()
""")
rc, out, err = run("run", topo("direct.topo", """
    spout s = generate(count: 10)
    bolt  d = shell("python3 direct.py") <- s shuffle -> (n)
    bolt  q = identity() x2 <- d shuffle
    sink  o = stdout() <- q shuffle"""))
eq((rc, out), (70, ""), "emitDirect to a shuffle reader: the run fails", err)
matches(r"^smc: error: bolt 'd' \(direct\.topo:4:11\) failed: emitted direct to task 3 on stream 'default', but 'q' "
        r"reads it with 'shuffle', not 'direct'$", err, "emitDirect to a shuffle reader: the message")

done()
