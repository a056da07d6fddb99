#!/usr/bin/env python3
"""A file with two topologies joined by a channel (as examples/channels.topo:
stdin -> exec("tr a-z A-Z") x2 -> channel; channel -> split x2 -> count ->
stdout) gives exactly what the same logic gives in one topology."""
import random

from jobutil import *

rng = random.Random(7)
words = ["w%d" % i for i in range(300)] + ["alpha", "beta", "gamma", "delta", "omega"]
text = "".join(" ".join(rng.choice(words) for _ in range(rng.randrange(1, 12))) + "\n" for _ in range(4000))
write("in.txt", text)
ch = TAG + "-upper"

two = write("two.topo", """topology ingest {
    spout lines = stdin()
    bolt  upper = exec("tr a-z A-Z") x2 <- lines shuffle
    sink  feed  = channel("%s") <- upper shuffle
}

topology report {
    spout feed  = channel("%s")
    bolt  words = split(field: "line") x2 <- feed shuffle
    bolt  n     = count(key: "word") x2 <- words fields(word)
    sink  out   = stdout() <- n global
}
""" % (ch, ch))
one = write("one.topo", """topology single {
    spout lines = stdin()
    bolt  upper = exec("tr a-z A-Z") x2 <- lines shuffle
    bolt  words = split(field: "line") x2 <- upper shuffle
    bolt  n     = count(key: "word") x2 <- words fields(word)
    sink  out   = stdout() <- n global
}
""")
# Every line through the channel, unchanged.
lines2 = write("lines2.topo", """topology ingest {
    spout lines = stdin()
    bolt  upper = exec("tr a-z A-Z") x2 <- lines shuffle
    sink  feed  = channel("%s-lines") <- upper shuffle
}

topology report {
    spout feed  = channel("%s-lines")
    sink  out   = stdout() <- feed shuffle
}
""" % (ch, ch))
lines1 = write("lines1.topo", """topology single {
    spout lines = stdin()
    bolt  upper = exec("tr a-z A-Z") x2 <- lines shuffle
    sink  out   = stdout() <- upper shuffle
}
""")

st1, out1, err1 = run("run", one, stdin=text)
eq((st1, err1), (0, ""), "one topology: status")
expected = {}
for l in text.split():
    expected[l.upper()] = expected.get(l.upper(), 0) + 1
eq(sorted(out1.splitlines()), sorted("%s\t%d" % kv for kv in expected.items()), "one topology: the counts")

for i in range(2):
    st2, out2, err2 = run("run", two, stdin=text)
    eq((st2, err2), (0, ""), "two topologies: status")
    eq(sorted(out2.splitlines()), sorted(out1.splitlines()), "two topologies joined by a channel: the same counts")
    clean("two topologies (%d)" % i)

st1, out1, err1 = run("run", lines1, stdin=text)
st2, out2, err2 = run("run", lines2, stdin=text)
eq((st1, err1, st2, err2), (0, "", 0, ""), "lines: status")
eq(len(out2.splitlines()), 4000, "lines: every line through the channel")
eq(sorted(out2.splitlines()), sorted(out1.splitlines()), "lines: the same lines as in one topology")
eq(sorted(out2.splitlines()), sorted(text.upper().splitlines()), "lines: the input, upper-cased")
clean("lines")

# Enough lines of all lengths to wrap the ring (8 MiB) a few times, at many
# different offsets.
big = "".join("%d %s\n" % (i, "x" * rng.randrange(0, 300)) for i in range(120000))
st1, out1, err1 = run("run", lines1, stdin=big, timeout=40)
st2, out2, err2 = run("run", lines2, stdin=big, timeout=40)
eq((st1, err1, st2, err2), (0, "", 0, ""), "many lines: status")
eq(len(out2.splitlines()), 120000, "many lines: every line through the channel")
check(sorted(out2.splitlines()) == sorted(big.upper().splitlines()), "many lines: the input, upper-cased")
clean("many lines")
done()
