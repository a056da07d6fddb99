#!/usr/bin/env python3
"""Acking with Apache Storm's own multi-lang adapters, unchanged.

storm.py, storm.rb and storm.js (Storm's multilang/resources) and
storm-starter's splitsentence.*, asyncSplitsentence.js and randomsentence.js
are run from ../shared/storm (or $SMC_STORM_DIR); the test skips, saying
why, when they are absent. They are linked (not copied) into the test's
folder, where the starter scripts expect their adapter. Every output is
compared with an independent computation in Python.

Usage: storm_adapters.py SMC
"""
import collections
import os
import random
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from smctest import *  # noqa: E402,F403

STORM = os.environ.get("SMC_STORM_DIR") or os.path.join(ROOT, "..", "shared", "storm")
if not os.path.isfile(os.path.join(STORM, "multilang", "storm.py")):
    skip("Apache Storm's multi-lang adapters are not at %s (set SMC_STORM_DIR)" % STORM)
for tool in ("ruby", "node"):
    if not shutil.which(tool):
        skip("%s is not installed (scripts/install-deps installs it)" % tool)

workdir("smc-storm-")
for sub, name in [("multilang", "storm.py"), ("multilang", "storm.rb"), ("multilang", "storm.js"),
                  ("starter", "splitsentence.py"), ("starter", "splitsentence.rb"), ("starter", "splitsentence.js"),
                  ("starter", "asyncSplitsentence.js"), ("starter", "randomsentence.js")]:
    os.symlink(os.path.join(os.path.abspath(STORM), sub, name), name)
NODE = "node --preserve-symlinks --preserve-symlinks-main"  # require('./storm') next to the link
N = 300


def quiet(err):
    """stderr without the adapters' own complaint when smc closes their input
    at the end ("Read EOF from stdin": reported by issue 10's fidelity work)."""
    err = "\n".join(l for l in err.splitlines() if not re.match(r"\[\w+#\d+\] INFO: ", l))  # the adapters' logs
    if err.count("Read EOF from stdin") == 0:
        return err.strip()
    return "\n".join(l for l in err.splitlines() if "Read EOF" not in l and l.strip() and "Traceback" not in l
                     and not l.startswith(" ") and "Exception" not in l and "errors (see above)" not in l)


# ---- reliable spouts keyed by int ids (storm.py) and string ids (storm.rb) ---------------
write("int_spout.py", """import sys
import storm

class Numbers(storm.Spout):
    def initialize(self, conf, context):
        self.next, self.pending = 0, {}

    def nextTuple(self):
        if self.next < %d:
            self.pending[self.next] = self.next
            storm.emit([self.next], id=self.next)
            self.next += 1
        elif not self.pending:
            sys.exit(0)

    def ack(self, id):
        del self.pending[id]  # a KeyError if the id came back as anything but the int

    def fail(self, id):
        storm.emit([self.pending[id]], id=id)

Numbers().run()
""" % N)
write("str_spout.rb", """require "./storm"

class Numbers < Storm::Spout
  def open(conf, context)
    @next = 0
    @pending = {}
  end

  def nextTuple
    if @next < %d
      id = "m-#{@next}"
      @pending[id] = @next
      emit [@next], :id => id
      @next += 1
    elsif @pending.empty?
      exit!(0)
    end
  end

  def ack(id)
    @pending.fetch(id)
    @pending.delete(id)
  end

  def fail(id)
    emit [@pending.fetch(id)], :id => id
  end
end

Numbers.new.run
""" % N)
write("fail_third.py", """import storm

class FailThird(storm.Bolt):
    def initialize(self, conf, context):
        self.seen = set()

    def process(self, tup):
        n = tup.values[0]
        if n %% 3 == 0 and n not in self.seen:
            self.seen.add(n)
            storm.fail(tup)
            return
        storm.emit([n], anchors=[tup])
        storm.ack(tup)

FailThird().run()
""".replace("%%", "%"))
for spout, what in [("python3 int_spout.py", "storm.py spout, int ids"), ("ruby str_spout.rb", "storm.rb spout, string ids")]:
    topo("reliable.topo", """  set acking = true
  spout s = shell("%s") -> (n)
  bolt  b = shell("python3 fail_third.py") x2 <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % spout)
    rc, out, err = run("run", "reliable.topo", timeout=90)
    eq(rc, 0, "%s, a bolt failing every third tuple once: exit 0" % what, err)
    eq(sorted(int(x) for x in out.split()), list(range(N)), "%s: every number exactly once" % what, err)
    eq(quiet(err), "", "%s: no errors" % what, err)

# ---- storm-starter's sentence splitters into smc's count ---------------------------------
WORDS = "the cow jumped over moon an apple a day keeps doctor away four score and seven years ago".split()
rnd = random.Random(10)
sentences = [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 9))) for _ in range(400)]
write("sentences.txt", "\n".join(sentences) + "\n")
expected = collections.Counter(w for s in sentences for w in s.split(" "))


def counts(out):
    return {w: int(c) for w, c in (l.split("\t") for l in out.splitlines())}


for command, acking in [("python3 splitsentence.py", True), (NODE + " splitsentence.js", True),
                        (NODE + " asyncSplitsentence.js", True), (NODE + " asyncSplitsentence.js", False)]:
    # (storm-starter's splitsentence.rb never acks, so smc, as Storm, times its tuples out.)
    what = "%s (acking %s)" % (command.split()[-1], "on" if acking else "off")
    topo("split.topo", """  %s
  spout lines = file(path: "sentences.txt")
  bolt  split = shell("%s") x2 <- lines shuffle -> (word)
  bolt  count = count(key: "word") x2 <- split fields(word)
  sink  out   = stdout(format: "tsv") <- count shuffle""" % ("set acking = true" if acking else "", command))
    rc, out, err = run("run", "split.topo", timeout=90)
    eq(rc, 0, "%s: exit 0" % what, err)
    eq(counts(out), dict(expected), "%s: the word counts are Python's" % what, err)
    eq(quiet(err), "", "%s: no errors" % what, err)

# ---- randomsentence.js: an endless reliable spout, stopped by --for -----------------------
topo("random.topo", """  set acking = true
  spout s = shell("%s randomsentence.js") -> (sentence)
  bolt  split = shell("python3 splitsentence.py") <- s shuffle -> (word)
  sink  out = stdout() <- split shuffle""" % NODE)
rc, out, err = run("run", "--for", "2s", "random.topo", timeout=60)
eq(rc, 0, "randomsentence.js for 2 s: exit 0", err)
allowed = set("the cow jumped over the moon an apple a day keeps the doctor away four score and seven years ago "
              "snow white and the seven dwarfs i am at two with nature".split())
check(out.split() and set(out.split()) <= allowed, "randomsentence.js: words of its sentences", out[:500])
check("unknown" not in err, "randomsentence.js: its acks name ids it knows", err)
done()
