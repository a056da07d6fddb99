#!/usr/bin/env python3
"""Ticks: count(emit: "tick") with { tick = 100ms } over a paced spout emits
several partial totals before the end; rolling_count emits on its ticks."""
import collections

from smcutil import *

f = topo("tick.topo", """    spout s = random_sentence(count: 50, rate: 100)
    bolt  c = count(key: "sentence", emit: "tick") <- s shuffle { tick = 100ms }
    sink  o = stdout() <- c global""")
t0 = time.monotonic()
rc, out, err = run("run", f)
el = time.monotonic() - t0
eq((rc, err), (0, ""), "tick: status")
check(0.4 <= el < 0.5 + 2.5 * SLOWDOWN, "tick: the paced spout takes about half a second", el)
seq = collections.defaultdict(list)
for s, n in tsv(out):
    seq[s].append(int(n))
check(len(lines(out)) > len(seq) + 3, "tick: several partial totals", out)
for s, ns in seq.items():
    eq(ns, sorted(set(ns)), "tick: the totals of %r only grow (emitted when changed)" % s)
eq(sum(ns[-1] for ns in seq.values()), 50, "tick: the last totals add up to the input")
check(max(len(ns) for ns in seq.values()) >= 3, "tick: a sentence's total seen at several ticks", dict(seq))

# The same with generate(count: 50, rate: 100) and a constant key through parse... keys are unique:
# every n is emitted exactly once, at the first tick after it arrived, and nothing twice.
f = topo("tick2.topo", """    spout s = generate(count: 50, rate: 100)
    bolt  c = count(key: "n", emit: "tick") x2 <- s fields(n) { tick = 100ms }
    sink  o = stdout() <- c global""")
rc, out, err = run("run", f)
eq(rc, 0, "tick generate: status")
eq(sorted(lines(out)), sorted("%d\t1" % i for i in range(50)), "tick generate: each key once")

# emit "end" with a tick set: nothing before the end, one total per key.
f = topo("tick3.topo", """    spout s = random_sentence(count: 50, rate: 100)
    bolt  c = count(key: "sentence") <- s shuffle { tick = 100ms }
    sink  o = stdout() <- c global""")
rc, out, err = run("run", f)
eq(rc, 0, "tick end: status")
got = [int(n) for s, n in tsv(out)]
check(len(got) == len(set(s for s, n in tsv(out))) and sum(got) == 50, "tick end: one total per key", out)

# rolling_count over a 300ms window ticked every 100ms: counts per tick never exceed ~3 ticks' input.
f = topo("roll.topo", """    spout s = random_sentence(count: 60, rate: 100)
    bolt  r = rolling_count(key: "sentence", window: 300ms) <- s shuffle { tick = 100ms }
    sink  o = stdout() <- r global""")
rc, out, err = run("run", f)
eq(rc, 0, "rolling_count: status")
rows = [int(n) for s, n in tsv(out)]
check(len(rows) > 5, "rolling_count: emits on ticks", out)
check(max(rows) <= 60 and max(rows) < 40, "rolling_count: the window forgets old tuples", rows)

# top(emit: "tick") ranks on every tick, and at the end.
f = topo("top.topo", """    spout s = random_sentence(count: 50, rate: 100)
    bolt  t = top(n: 1, key: "sentence", emit: "tick") <- s shuffle { tick = 100ms }
    sink  o = stdout() <- t global""")
rc, out, err = run("run", f)
eq(rc, 0, "top tick: status")
check(len(lines(out)) >= 3, "top tick: a ranking per tick", out)

done()
