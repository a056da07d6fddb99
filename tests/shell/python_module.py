#!/usr/bin/env python3
"""shell(...) components written with smc's shipped Python module
(stdlib/python/storm.py): the WordCount example's splitsentence.py counts
exactly like plain Python, and a bounded Python spout ends its stream."""
import collections
import shutil

from shellutil import *

if not os.path.exists(os.path.join(ROOT, "stdlib", "python", "storm.py")):
    skip("stdlib/python/storm.py is absent: smc's Python module is not there yet")
if not os.path.exists(os.path.join(os.path.dirname(SMC), "share", "smc", "python", "storm.py")):
    skip("storm.py is not beside the binary (build/share/smc/python); rebuild")

EX = os.path.join(ROOT, "examples", "multilang")
for f in ("splitsentence.py", "numbers.py", "passthrough.py"):
    shutil.copy(os.path.join(EX, f), WORK)  # a copy: `pgrep -f WORK` finds its processes

# The input, fixed by the seed.
topo("sentences.topo", """  spout s = random_sentence(count: 3000, seed: 7)
  sink  o = stdout(format: "lines") <- s shuffle""")
rc, sentences, err = run("run", "sentences.topo")
eq((rc, err, len(sentences.splitlines())), (0, "", 3000), "the input sentences")
expected = collections.Counter(w for s in sentences.splitlines() for w in s.split(" "))

topo("wc.topo", """  spout sentences = random_sentence(count: 3000, seed: 7)
  bolt  split     = shell("python3 %s/splitsentence.py") x3 <- sentences shuffle -> (word)
  bolt  count     = count(key: "word", emit: "end") x3 <- split fields(word)
  sink  out       = stdout() <- count shuffle""" % WORK)
rc, out, err = run("run", "wc.topo", "--metrics", "m.json", "--metrics-format", "json", timeout=60)
eq((rc, err), (0, ""), "WordCount with splitsentence.py: run")
got = {}
for l in out.splitlines():
    w, n = l.split("\t")
    check(w not in got, "each word counted by one instance", w)
    got[w] = int(n)
eq(got, dict(expected), "splitsentence.py WordCount counts exactly like plain Python")
m = metrics("m.json")
eq((m["split"]["executed"], m["split"]["emitted"], m["split"]["errors"]), (3000, sum(expected.values()), 0),
   "split metrics")

# A bounded Python spout (numbers.py: 1..N with ids, then storm.done()) through a pass-through bolt.
topo("numbers.topo", """  spout numbers = shell("python3 %s/numbers.py 500") -> (n)
  bolt  pass    = shell("python3 %s/passthrough.py") x2 <- numbers shuffle -> (n)
  sink  out     = stdout() <- pass shuffle""" % (WORK, WORK))
rc, out, err, secs = timed_run("run", "numbers.topo", timeout=30)
eq((rc, err), (0, ""), "a bounded Python spout: run")
eq(sorted(map(int, out.split())), list(range(1, 501)), "a bounded Python spout emits 1..500 once and ends")
check(secs < slow(20), "a bounded Python spout ends its stream (no hang)", secs)

# A Python bolt that raises: reported with component and instance, run fails (on.failure fail).
write("boom.py", """import storm
class B(storm.BasicBolt):
    def process(self, tup):
        if tup.values[0] == 7:
            raise ValueError("seven")
        storm.emit([tup.values[0]])
B().run()
""")
topo("boom.topo", """  spout s = generate(count: 20)
  bolt  b = shell("python3 %s/boom.py") <- s shuffle -> (n) { on.failure = "fail" }
  sink  o = null() <- b shuffle""" % WORK)
rc, out, err = run("run", "boom.topo")
eq(rc, 70, "a Python bolt that raises: exit 70", err)
matches(r"^smc: error: bolt 'b' \(boom\.topo:3:9\) failed: subprocess 'python3 \S+/boom\.py' \(pid \d+\) ",
        err, "a Python bolt that raises: named")
check("ValueError: seven" in err, "the traceback reaches stderr", err)

pgrep_none(WORK)
done()
