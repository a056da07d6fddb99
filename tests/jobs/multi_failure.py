#!/usr/bin/env python3
"""A file with several topologies runs one process each; when one fails, the
others are stopped (SIGTERM: they drain) and smc exits with the failure's
status (70), saying which topology failed."""
import re

from jobutil import *

GOOD = """topology %s {
    spout s = generate(rate: 5000)
    bolt  c = count(key: "n", emit: "end") <- s fields(n)
    sink  o = file(path: "%s.out") <- c global
}
"""


def good_totals(name, what):
    """A stopped `good` topology drained: the totals of 0..K-1, once each."""
    rows = [l.split("\t") for l in read(name + ".out").splitlines()]
    ns = sorted(int(n) for n, _ in rows)
    check(ns and ns == list(range(len(ns))) and all(c == "1" for _, c in rows),
          "%s: %s drained (every number counted once)" % (what, name), rows[:5], len(rows))


# ---- a spout that cannot open its file: fails at once ------------------------------
write("early.topo", GOOD % ("good1", "good1") + "\n" + """topology bad {
    spout s = file(path: "missing.txt")
    sink  o = stdout() <- s shuffle
}
""" + "\n" + GOOD % ("good2", "good2"))
for i in range(2):
    t0 = time.monotonic()
    st, out, err = run("run", "early.topo", timeout=20)
    el = time.monotonic() - t0
    eq(st, 74, "early failure: the failure's status (an I/O error)")
    lines = err.splitlines()
    check("smc: error: spout 's' (early.topo:8:11) failed: cannot open 'missing.txt': No such file or directory"
          in lines, "early failure: the topology's error", err)
    check("smc: topology 'bad' exited with status 74" in lines, "early failure: which topology failed", err)
    check("smc: stopping the other topologies" in lines and
          lines.index("smc: stopping the other topologies") > lines.index("smc: topology 'bad' exited with status 74"),
          "early failure: the others are stopped", err)
    for g in ("good1", "good2"):
        # Stopped gracefully, or, when the stop came before it could handle a
        # signal, ended by it.
        check(("smc: topology '%s' exited with status 143" % g) in lines or
              ("smc: topology '%s' was killed by signal 15" % g) in lines, "early failure: %s stopped" % g, err)
    eq(len(lines), 5, "early failure: nothing else said")
    check(el < slow(10), "early failure: ends promptly", el)
    clean("early failure")

# ---- a failure after a second: the others were running and drain -----------------
write("late.topo", GOOD % ("good1", "good1") + "\n" + """topology bad {
    spout s = shell("sh -c 'sleep %d; exit 3'") -> (x)
    sink  o = stdout() <- s shuffle
}
""" % max(1, round(slow(1))) + "\n" + GOOD % ("good2", "good2"))
t0 = time.monotonic()
p = start("run", "late.topo", out="late.out", err="late.err")
jobs = []  # the listing that showed three jobs (the bad one fails soon after)


def three_jobs():
    jobs[:] = ps_json()
    return len(jobs) == 3


check(wait_for(three_jobs, 10, 0.05), "late failure: three jobs, one per topology", jobs)
eq(sorted(r["name"] for r in jobs), ["bad", "good1", "good2"], "late failure: the jobs' names")
eq(finish(p, 20, "late failure"), 70, "late failure: the failure's status")
lines = read("late.err").splitlines()
check(any(re.fullmatch(r"smc: error: spout 's' \(late.topo:8:11\) failed: subprocess .* ended before answering the "
                       r"handshake", l) for l in lines), "late failure: the topology's error", lines)
eq(lines[-4:-2], ["smc: topology 'bad' exited with status 70", "smc: stopping the other topologies"],
   "late failure: which failed; the others are stopped")
eq(sorted(lines[-2:]), ["smc: topology 'good1' exited with status 143", "smc: topology 'good2' exited with status 143"],
   "late failure: the others stopped gracefully")
good_totals("good1", "late failure")
good_totals("good2", "late failure")
check(time.monotonic() - t0 < slow(15), "late failure: ends promptly")
clean("late failure")
done()
