#!/usr/bin/env python3
"""A consumer much slower (a throttle) than its producer: the channel's
backpressure keeps the producer's memory bounded (its peak RSS, VmHWM, stays
far below the 120 MB it sends), and every tuple arrives. Two measures: the
peak under 100 MB (times smctest.SANITIZER_MEMORY_FACTOR in a sanitizer
build), and its growth from a run sending ten times less: without
backpressure it grows with what is sent, which no constant overhead hides."""
from jobutil import *

ch = TAG + "-bp"
N, LENGTH = 400000, 300  # 120 MB of strings
GROWTH_KB = 32 * 1024  # the most the producer's peak may grow from a run sending ten times less


def topos(n):
    """The pair sending n strings (the consumer's throttle takes about 2 s
    for any n), and the same strings filtered directly."""
    write("bp.topo", """topology producer {
    spout s = random_string(length: %d, alphabet: "abc", count: %d, seed: 7)
    sink  o = channel("%s") <- s shuffle
}

topology consumer {
    spout f = channel("%s")
    bolt  th = throttle(rate: %d) <- f shuffle
    bolt  k = filter(regex: "^abc") <- th shuffle
    sink  o = stdout() <- k shuffle
}
""" % (LENGTH, n, ch, ch, n // 2))
    write("direct.topo", """topology direct {
    spout s = random_string(length: %d, alphabet: "abc", count: %d, seed: 7)
    bolt  k = filter(regex: "^abc") <- s shuffle
    sink  o = stdout() <- k shuffle
}
""" % (LENGTH, n))


def producer_peak(n, what):
    """Runs the pair sending n strings; the producer's peak RSS (kB), after
    checking that exactly the strings sent arrived."""
    topos(n)
    t0 = time.monotonic()
    p = start("run", "bp.topo", out="bp.out", err="bp.err")
    prod = job_of(p, name="producer")
    peak = 0
    samples = 0
    while p.poll() is None and time.monotonic() - t0 < slow(40):
        kb = peak_rss_kb(prod["pid"])
        if kb is None:
            break
        peak = max(peak, kb)
        samples += 1
        time.sleep(0.05)
    eq(finish(p, 40, what), 0, "%s: status" % what)
    eq(read("bp.err"), "", "%s: nothing on stderr" % what)
    check(samples >= 5, "%s: the producer was watched while it ran" % what, samples)
    st, want, err = run("run", "direct.topo")
    eq((st, err), (0, ""), "%s: direct: status" % what)
    got = read("bp.out").splitlines()
    check(len(got) > n // 400, "%s: some strings start with abc" % what, len(got))
    check(sorted(got) == sorted(want.splitlines()), "%s: exactly the strings sent" % what, len(got),
          len(want.splitlines()))
    print("%s: the producer's peak RSS: %d kB (%d samples)" % (what, peak, samples))
    clean(what)
    return peak


small = producer_peak(N // 10, "slow consumer, 12 MB sent")
peak = producer_peak(N, "slow consumer, 120 MB sent")
check(0 < peak < memory_bound_kb(100 * 1024), "the producer's peak RSS stays under 100 MB (x%d sanitized: "
      "backpressure)" % smctest.SANITIZER_MEMORY_FACTOR, "%d kB" % peak)
check(peak - small < GROWTH_KB, "the producer's peak grows by less than %d MB when it sends ten times more"
      % (GROWTH_KB >> 10), "%d kB for 120 MB, %d kB for 12 MB" % (peak, small))
done()
