#!/usr/bin/env python3
"""Two separately started `smc run`s joined by a channel: either may start
first; the consumer gets exactly what the producer sent (every type of
value), a second consumer is refused, a producer with more than the ring
holds waits for its consumer; the segment is removed afterwards."""
from jobutil import *

ch = TAG + "-sep"
records_in = [
    '{"a": 1, "b": 2.5, "c": "h\\u00e9llo\\tw\\u00f6rld"}',
    '{"a": null, "b": 3, "c": ""}',
    '{"a": -9007199254740993, "b": 1e300, "c": "\\u0000z"}',
    '{"a": true, "b": false, "c": "[1, 2]"}',
] + ['{"a": %d, "b": %d.25, "c": "line %d %s"}' % (i, i, i, "y" * (i % 97)) for i in range(20000)]
data = "\n".join(records_in) + "\n"

producer = write("producer.topo", """topology producer {
    spout s = stdin(format: "json", fields: ["a", "b", "c"])
    sink  o = channel("%s") <- s shuffle
}
""" % ch)
consumer = write("consumer.topo", """topology consumer {
    spout f = channel("%s") -> (a, b, c)
    sink  o = stdout(format: "json") <- f shuffle
}
""" % ch)
direct = write("direct.topo", """topology direct {
    spout s = stdin(format: "json", fields: ["a", "b", "c"])
    sink  o = stdout(format: "json") <- s shuffle
}
""")
st, expected, err = run("run", direct, stdin=data)
eq((st, err, len(expected.splitlines())), (0, "", len(records_in)), "direct: status")
expected = sorted(expected.splitlines())
seg = "smc-%d-%s" % (UID, ch)

# ---- the consumer first ---------------------------------------------------------
c = start("run", consumer)
check(wait_for(lambda: segments() == [seg], 5), "consumer first: it creates the segment", tail(c))
eq(os.stat("/dev/shm/" + seg).st_mode & 0o777, 0o600, "the segment has mode 0600")
job_of(c)
time.sleep(0.3)
eq(c.poll(), None, "consumer first: it waits for its producer")
# A second consumer is refused.
st, out, err = run("run", consumer)
eq((st, out), (70, ""), "a second consumer: status 70")
check("channel '%s' already has a consumer (pid %d)" % (ch, c.pid) in err, "a second consumer: says why", err)
eq(c.poll(), None, "a second consumer: the first still waits")
st, out, err = run("run", producer, stdin=data)
eq((st, out, err), (0, "", ""), "consumer first: the producer's status")
eq(finish(c, 15, "consumer first"), 0, "consumer first: the consumer's status")
eq(read(c.err_path), "", "consumer first: nothing on stderr")
eq(sorted(read(c.out_path).splitlines()), expected, "consumer first: exactly what was sent")
clean("consumer first")

# ---- the producer first (everything fits in the ring) ---------------------------
st, out, err = run("run", producer, stdin=data)
eq((st, err), (0, ""), "producer first: the producer ends at once")
eq(segments(), [seg], "producer first: the segment holds the stream")
st, out, err = run("ps")  # smc ps must not take it for a stale one
eq(segments(), [seg], "producer first: smc ps leaves a finished stream alone")
st, out, err = run("run", consumer)
eq((st, err), (0, ""), "producer first: the consumer's status")
eq(sorted(out.splitlines()), expected, "producer first: exactly what was sent")
clean("producer first")

# ---- the producer first, with more than the ring holds: it waits ----------------
N = 2000000  # 9 bytes each: about 18 MB through a ring of 8 MiB
write("big.topo", """topology bigproducer {
    spout s = generate(count: %d)
    sink  o = channel("%s-big") <- s shuffle
}
""" % (N, ch))
write("bigconsumer.topo", """topology bigconsumer {
    spout f = channel("%s-big") -> (n)
    bolt  k = filter(regex: "^1234") <- f shuffle
    sink  o = stdout() <- k shuffle
}
""" % ch)
p = start("run", "big.topo")
r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
time.sleep(0.5)
eq(p.poll(), None, "big: the producer waits for a consumer while the ring is full")
st, out, err = run("run", "bigconsumer.topo", timeout=40)
eq((st, err), (0, ""), "big: the consumer's status")
eq(finish(p, 10, "big producer"), 0, "big: the producer's status")
want = sorted(str(i) for i in range(N) if str(i).startswith("1234"))
eq(sorted(out.splitlines()), want, "big: exactly what was sent")
clean("big")
done()
