#!/usr/bin/env python3
"""End-of-stream exactness: random DAGs of identity bolts with random
groupings, parallelism and batch settings. N distinct lines go in; exactly
the expected multiset comes out (each line once per path from the spout to
the sink, `all` multiplying by the receiver's parallelism), every time."""
import collections
import random

from smcutil import *

# (not direct: built-ins never emit direct, and `smc check` refuses to read them with it)
GROUPINGS = ["shuffle", "fields(line)", "local", "none", "partial(line)", "global", "all"]
CASES = 24
N = 3000
inp = ["line %d" % i for i in range(N)]
text = "\n".join(inp) + "\n"

for case in range(CASES):
    rng = random.Random(1000 + case)
    nbolts = rng.randint(1, 6)
    names = ["b%d" % i for i in range(nbolts)]
    par = {"s": 1}
    decls, mult = [], {"s": 1}
    for i, b in enumerate(names):
        par[b] = rng.randint(1, 4)
        sources = rng.sample(["s"] + names[:i], rng.randint(1, min(3, i + 1)))
        ins, m = [], 0
        for src in sources:
            g = rng.choice(GROUPINGS)
            ins.append("%s %s" % (src, g))
            m += 0 if g == "direct" else mult[src] * (par[b] if g == "all" else 1)
        mult[b] = m
        settings = []
        if rng.random() < 0.4:
            settings.append("batch.size = %d" % rng.choice([1, 3, 17, 256, 1000]))
        if rng.random() < 0.3:
            settings.append("max.pending = %d" % rng.choice([1, 2, 64]))
        if rng.random() < 0.2:
            settings.append("batch.linger = %s" % rng.choice(["0ms", "50ms"]))
        decls.append("    bolt %s = identity() x%d <- %s%s" % (
            b, par[b], ", ".join(ins), " { %s }" % ", ".join(settings) if settings else ""))
    # The sink reads every bolt nobody else reads (and sometimes one more).
    read = set()
    for d in decls:
        for part in d.split("<-")[1].split("{")[0].split(","):
            read.add(part.split()[0])
    leaves = [b for b in names if b not in read] or [names[-1]]
    if rng.random() < 0.3:
        leaves = sorted(set(leaves + [rng.choice(names)]))
    sink_par = rng.randint(1, 2)
    sink_ins, total = [], 0
    for b in leaves:
        g = rng.choice(["shuffle", "all", "fields(line)", "global"])
        sink_ins.append("%s %s" % (b, g))
        total += mult[b] * (sink_par if g == "all" else 1)
    body = "\n".join(["    spout s = stdin()"] + decls +
                      ["    sink o = stdout(format: \"lines\") x%d <- %s" % (sink_par, ", ".join(sink_ins))])
    f = topo("dag%d.topo" % case, body)
    expected = collections.Counter({l: total for l in inp}) if total else collections.Counter()
    for rep in range(5):
        threads = ["--threads", str(rng.choice([1, 2, 4]))]
        rc, out, err = run("run", *threads, f, stdin=text, timeout=60)
        check(rc == 0 and "error" not in err and "smc:" not in err, "case %d rep %d: status" % (case, rep), body, rc,
              err)
        got = collections.Counter(lines(out))
        check(got == expected, "case %d rep %d: exact multiset (x%d each)" % (case, rep, total), body,
              "lines out: %d, expected %d" % (sum(got.values()), sum(expected.values())),
              "extra: %s" % list((got - expected).items())[:5], "missing: %s" % list((expected - got).items())[:5])

done()
