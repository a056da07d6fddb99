#!/usr/bin/env python3
"""Grouping semantics through `smc run`: each grouping leaves a distinct trace
in what a count x3 (or top x3) emits per instance at the end of the input."""
import collections
import json
import random

from smcutil import *

rng = random.Random(42)
keys = ["k%d" % i for i in range(200)]
words = []
for i, k in enumerate(keys):
    words += [k] * (1 + i % 17)
rng.shuffle(words)
expected = collections.Counter(words)
text = "\n".join(words) + "\n"


def count_topo(grouping, key_bolt="count(key: \"line\")"):
    return topo("g.topo", f"""
    spout s = stdin()
    bolt  c = {key_bolt} x3 <- s {grouping}
    sink  o = stdout() <- c global""")


def per_key(out):
    got = collections.defaultdict(list)
    for k, n in tsv(out):
        got[k].append(int(n))
    return got


# fields: every key is counted by exactly one instance, so it appears once with its full count.
rc, out, err = run("run", count_topo("fields(line)"), stdin=text)
eq((rc, err), (0, ""), "fields: status")
got = per_key(out)
eq(dict(got), {k: [n] for k, n in expected.items()}, "fields: one line per key with its full count")
# ...and the keys are spread: each top(n: 1) instance that received data emits one line.
rc, out, err = run("run", count_topo("fields(line)", "top(n: 1, key: \"line\")"), stdin=text)
eq(rc, 0, "fields/top: status")
eq(len(lines(out)), 3, "fields: all three instances received keys")

# all: every instance sees every tuple: three lines per key, each with the full count.
rc, out, err = run("run", count_topo("all"), stdin=text)
eq((rc, err.splitlines()[0] if err else ""), (0, "g.topo:4:42: warning: 'c' (count) keeps its state per 'line' in each of "
                                             "its 3 instances, but 'all' sends every 'line' to each of them; read 's' "
                                             "with 'fields(line)'"), "all: status, and smc check's warning")
eq(dict(per_key(out)), {k: [n, n, n] for k, n in expected.items()}, "all: three full counts per key")

# global: one instance gets everything.
rc, out, err = run("run", count_topo("global"), stdin=text)
eq(rc, 0, "global: status")
eq(dict(per_key(out)), {k: [n] for k, n in expected.items()}, "global: one line per key")
rc, out, err = run("run", count_topo("global", "top(n: 1, key: \"line\")"), stdin=text)
best = min(expected, key=lambda k: (-expected[k], k))
eq(lines(out), ["%s\t%d" % (best, expected[best])], "global: only one instance emits (top n=1 of the whole input)")
rc, out, err = run("run", count_topo("global"), stdin="x\n" * 600)
eq(lines(out), ["x\t600"], "global: a single key counted whole")

# shuffle, local and none: per-instance totals of one key within 10% of even.
N = 30000
for g in ["shuffle", "local", "none"]:
    rc, out, err = run("run", count_topo(g), stdin="x\n" * N)
    eq(rc, 0, g + ": status")
    counts = per_key(out)["x"]
    eq(len(counts), 3, g + ": every instance received tuples")
    eq(sum(counts), N, g + ": nothing lost")
    check(all(abs(c - N / 3) <= N / 30 for c in counts), g + ": within 10% of even", counts)
# ...also with several producers (an identity x2 in between) and a random mix of keys.
rc, out, err = run("run", topo("g2.topo", """
    spout s = stdin()
    bolt  i = identity() x2 <- s shuffle
    bolt  c = count(key: "line") x3 <- i shuffle
    sink  o = stdout() <- c global"""), stdin="".join(rng.choice("ab") + "\n" for _ in range(N)))
eq(rc, 0, "shuffle x2 -> x3: status")
got = per_key(out)
eq(sorted(got), ["a", "b"], "shuffle x2 -> x3: keys")
for k, counts in got.items():
    total = sum(counts)
    check(len(counts) == 3 and all(abs(c - total / 3) <= total / 30 for c in counts),
          "shuffle x2 -> x3: per-key split within 10% of even", k, counts)

# partial: a key reaches at most two instances, the less loaded of its two candidates.
rc, out, err = run("run", count_topo("partial(line)"), stdin=text)
eq(rc, 0, "partial: status")
got = per_key(out)
eq(sorted(got), sorted(expected), "partial: every key")
for k, counts in got.items():
    check(len(counts) <= 2 and sum(counts) == expected[k], "partial: at most two instances per key, full sum", k,
          counts)
rc, out, err = run("run", count_topo("partial(line)"), stdin="hot\n" * 3000)
counts = sorted(per_key(out)["hot"])
# Its two candidates are always two distinct instances, so a hot key always splits.
check(len(counts) == 2 and sum(counts) == 3000 and counts[1] - counts[0] <= 1,
      "partial: one skewed key splits evenly over its two distinct candidates", counts)

# custom modulo(field): the instance is the integer value mod 3; non-integers go to instance 0.
recs = []
recs += [{"n": 3 * i, "g": "x"} for i in range(7)]        # instance 0
recs += [{"n": "3", "g": "x"} for _ in range(3)]           # a string: instance 0
recs += [{"g": "x"} for _ in range(2)]                      # missing (null): instance 0
recs += [{"n": 3 * i + 1, "g": "x"} for i in range(10)]    # instance 1
recs += [{"n": -3 * i - 2, "g": "x"} for i in range(10)]   # -2 mod 3 = 1: instance 1
recs += [{"n": 3 * i + 2, "g": "x"} for i in range(31)]    # instance 2
rng.shuffle(recs)
rc, out, err = run("run", topo("m.topo", """
    spout s = stdin(format: "json", fields: ["n", "g"])
    bolt  c = count(key: "g") x3 <- s custom modulo(field: "n")
    sink  o = stdout() <- c global"""), stdin="".join(json.dumps(r) + "\n" for r in recs))
eq((rc, err), (0, ""), "modulo: status")
eq(sorted(per_key(out)["x"]), [12, 20, 31], "modulo: per-instance totals")

# direct: built-ins never emit direct, so reading one with 'direct' is refused
# before anything runs (it would receive nothing).
rc, out, err = run("run", topo("d.topo", """
    spout s = stdin()
    bolt  c = count(key: "line") x2 <- s direct
    sink  o = stdout() <- c global"""), stdin=text)
eq((rc, out), (65, ""), "direct from a built-in: refused")
check("d.topo:4:42: error: 'direct' grouping from 's', which never emits direct ('stdin' does not): 'c' would "
      "receive nothing" in err, "direct from a built-in: the message", err)

done()
