#!/usr/bin/env python3
"""WordCount through `smc run` against an independent count in Python, on a
few MB of text (bench/data/brown.txt when present, otherwise generated)."""
import collections
import random

from smcutil import *

path = os.path.join(ROOT, "bench", "data", "brown.txt")
if os.path.exists(path):
    with open(path, "rb") as f:
        data = f.read()
else:
    rng = random.Random(7)
    vocab = ["w%d" % i for i in range(20000)] + ["The", "the", "a\\b", "x.y", "caf\u00e9", "--"]
    out, size = [], 0
    while size < 4_000_000:
        out.append(" ".join(rng.choices(vocab, k=rng.randint(0, 15))) + rng.choice(["\n", " \n", "\r\n", "\t\n"]))
        size += len(out[-1])
    data = "".join(out).encode()

with open("input.txt", "wb") as f:
    f.write(data)

# Python: split on ASCII whitespace as smc does; the tsv writer escapes backslashes.
expected = collections.Counter()
for w in data.split():
    expected[w.replace(b"\\", b"\\\\")] += 1

f = topo("wc.topo", """
    spout sentences = file(path: "input.txt")
    bolt  split     = split(field: "line")   x3 <- sentences shuffle
    bolt  count     = count(key: "word")     x3 <- split fields(word)
    sink  out       = stdout(format: "tsv")     <- count global""")
for threads in ["1", "2"]:
    p = subprocess.run([SMC, "run", "--threads", threads, f], capture_output=True, timeout=60)
    eq((p.returncode, p.stderr), (0, b""), "wordcount: status")
    got = collections.Counter()
    dup = []
    for line in p.stdout.split(b"\n")[:-1]:
        w, n = line.rsplit(b"\t", 1)
        if w in got:
            dup.append(w)
        got[w] += int(n)
    eq(dup, [], "wordcount: each word once")
    check(got == expected, "wordcount: counts equal Python's", "words: %d vs %d" % (len(got), len(expected)),
          list((got - expected).items())[:5], list((expected - got).items())[:5])
    eq(p.stdout.endswith(b"\n"), True, "wordcount: output ends with a newline")

done()
