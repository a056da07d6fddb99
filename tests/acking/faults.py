#!/usr/bin/env python3
"""Acking through the binary: faults a reliable topology survives.

generate(count: N) -> shell bolt (tests/acking/bolt.py) -> stdout, with
`acking = true`: a bolt that fails every third tuple once, one that is killed
with SIGKILL mid-stream, one that hangs past message.timeout, one that answers
heartbeats before it acks (storm-starter's async pattern). Each time the
output holds every input at least once and the run exits 0. A tuple failed
every time is given up after max.replays: reported, counted, exit 75. With
acking off, a failed tuple is an error, as before.

Usage: faults.py SMC
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from smctest import *  # noqa: E402,F403

workdir("smc-acking-")
BOLT = os.path.join(TESTS, "acking", "bolt.py")
N = 1000


def reliable(name, mode, settings="", n=N):
    topo(name, """  set acking = true
  %s
  spout s = generate(count: %d)
  bolt  b = shell("python3 %s %s") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % (settings, n, BOLT, mode))
    return name


def values(out):
    return [int(x) for x in out.split()]


# ---- a bolt that fails every third tuple once: the spout replays them -----------------
rc, out, err = run("run", reliable("third.topo", "failthird"), timeout=60)
eq(rc, 0, "failing every third tuple once: exit 0", err)
eq(sorted(set(values(out))), list(range(N)), "failing every third tuple once: every input is in the output", err)
eq(len(values(out)), N, "failing every third tuple once: each exactly once (a failed one was never emitted)")
eq(err, "", "failing every third tuple once: nothing on stderr (replays are not errors)")

# ---- built-in spouts and bolts: stdin and file keep their lines, identity anchors ---------
write("numbers.txt", "".join("%d\n" % i for i in range(N)))
for spout, stdin in [('stdin()', read("numbers.txt")), ('file(path: "numbers.txt")', None)]:
    topo("builtin.topo", """  set acking = true
  spout s = %s
  bolt  i = identity() x2 <- s shuffle
  bolt  b = shell("python3 %s failthird") x2 <- i shuffle -> (n)
  bolt  c = count(key: "n") x2 <- b fields(n)
  sink  o = stdout(format: "tsv") <- c shuffle""" % (spout, BOLT))
    rc, out, err = run("run", "builtin.topo", stdin=stdin, timeout=60)
    eq((rc, err), (0, ""), "%s -> identity -> failing bolt -> count: exit 0, quiet" % spout.split("(")[0])
    eq(sorted(tsv(out)), sorted([[str(i), "1"] for i in range(N)]),
       "%s: every line counted exactly once (replayed through identity, held by count to the end)" % spout)

# ---- kill -9 mid-stream: the child is restarted, what it had is replayed ----------------
rc, out, err = run("run", reliable("kill.topo", "kill 500"), timeout=60)
eq(rc, 0, "a bolt killed with SIGKILL mid-stream: exit 0", err)
eq(sorted(set(values(out))), list(range(N)), "a bolt killed mid-stream: every input at least once", err)
check(os.path.exists("marker-kill-500"), "the bolt did kill itself")

# ---- a bolt that hangs past message.timeout ----------------------------------------------
rc, out, err = run("run", reliable("hang.topo", "hang 300", "set message.timeout = 1s"), timeout=90)
eq(rc, 0, "a bolt that hangs past message.timeout: exit 0", err)
eq(sorted(set(values(out))), list(range(N)), "a hung bolt: every input at least once", err)
check("message timeout" in err or "silent" in err, "the hung child is reported as it is restarted", err)

# ---- async: sync first, acks later (storm-starter's asyncSplitsentence.js) --------------
rc, out, err = run("run", reliable("async.topo", "async"), timeout=60)
eq((rc, err), (0, ""), "a bolt that syncs before it acks: exit 0, quiet")
eq(sorted(values(out)), list(range(N)), "a bolt that syncs before it acks: nothing lost at the end")
# The same without acking: a tuple is done when acked, not when synced.
topo("async-off.topo", """  spout s = generate(count: %d)
  bolt  b = shell("python3 %s async") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % (N, BOLT))
rc, out, err = run("run", "async-off.topo", timeout=60)
eq((rc, err), (0, ""), "without acking, a bolt that syncs before it acks: exit 0, quiet")
eq(sorted(values(out)), list(range(N)), "without acking, sync-before-ack loses nothing at the end")

# ---- max.replays exhausted ----------------------------------------------------------------
rc, out, err = run("run", reliable("seven.topo", "failseven", "set max.replays = 2"), timeout=60)
eq(rc, 75, "a tuple failed every time: exit 75 once max.replays is exhausted", err)
eq(sorted(values(out)), [n for n in range(N) if n != 7], "every other tuple is in the output")
eq(err.splitlines(), [
    "smc: error: spout 's' (seven.topo:4:9): gave up on tuple (7) after 2 replays",
    "smc: error: 1 spout tuple was given up after 2 replays (max.replays)",
], "the given-up tuple is reported and counted")

# ---- Storm's names for the settings -------------------------------------------------------
topo("storm-names.topo", """  set topology.acker.executors = 1
  set topology.max.spout.pending = 7
  set topology.message.timeout.secs = 5
  spout s = generate(count: 10)
  sink  o = stdout() <- s shuffle""")
rc, out, err = run("run", "--plan", "storm-names.topo")
eq(rc, 0, "Storm's setting names are accepted", err)
check("  acking max.spout.pending=7 message.timeout=5s max.replays=3\n" in out, "and mean acking on, 7, 5 s", out)
rc, out, err = run("run", "storm-names.topo")
eq((rc, sorted(values(out))), (0, list(range(10))), "a run with max.spout.pending 7 emits everything", err)

# ---- without acking a fail is an error, as before --------------------------------------------
topo("off.topo", """  spout s = generate(count: 30)
  bolt  b = shell("python3 %s failthird") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % BOLT)
rc, out, err = run("run", "off.topo", timeout=60)
eq(len(values(out)), 20, "without acking, the failed tuples are not replayed")
check("failed by the bolt" in err, "without acking, a fail is reported", err)
done()
