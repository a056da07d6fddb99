#!/usr/bin/env python3
"""A consumer much slower (a throttle) than its producer: the channel's
backpressure keeps the producer's memory bounded (its peak RSS, VmHWM, stays
far below the 120 MB it sends), and every tuple arrives."""
from jobutil import *

ch = TAG + "-bp"
N, LENGTH = 400000, 300  # 120 MB of strings
write("bp.topo", """topology producer {
    spout s = random_string(length: %d, alphabet: "abc", count: %d, seed: 7)
    sink  o = channel("%s") <- s shuffle
}

topology consumer {
    spout f = channel("%s")
    bolt  th = throttle(rate: 200000) <- f shuffle
    bolt  k = filter(regex: "^abc") <- th shuffle
    sink  o = stdout() <- k shuffle
}
""" % (LENGTH, N, ch, ch))
write("direct.topo", """topology direct {
    spout s = random_string(length: %d, alphabet: "abc", count: %d, seed: 7)
    bolt  k = filter(regex: "^abc") <- s shuffle
    sink  o = stdout() <- k shuffle
}
""" % (LENGTH, N))

t0 = time.monotonic()
p = start("run", "bp.topo", out="bp.out", err="bp.err")
prod = job_of(p, name="producer")
peak = 0
samples = 0
while p.poll() is None and time.monotonic() - t0 < 40:
    kb = peak_rss_kb(prod["pid"])
    if kb is None:
        break
    peak = max(peak, kb)
    samples += 1
    time.sleep(0.05)
eq(finish(p, 40, "slow consumer"), 0, "slow consumer: status")
eq(read("bp.err"), "", "slow consumer: nothing on stderr")
check(samples >= 5, "the producer was watched while it ran", samples)
check(0 < peak < 100 * 1024, "the producer's peak RSS stays under 100 MB (backpressure)", "%d kB" % peak)
st, want, err = run("run", "direct.topo")
eq((st, err), (0, ""), "direct: status")
got = read("bp.out").splitlines()
check(len(got) > 1000, "some strings start with abc", len(got))
check(sorted(got) == sorted(want.splitlines()), "slow consumer: exactly the strings sent", len(got),
      len(want.splitlines()))
print("the producer's peak RSS: %d kB (%d samples)" % (peak, samples))
clean("slow consumer")
done()
