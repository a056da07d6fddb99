#!/usr/bin/env python3
"""Backpressure bounds memory: a fast spout into a slow throttle keeps the peak
RSS small (the spout waits; nothing is dropped).

Two measures of each run: the peak RSS under an absolute bound (100 MB, times
smctest.SANITIZER_MEMORY_FACTOR in a sanitizer build), and the growth of the
peak from a run ten times shorter: without backpressure the spout's queue
grows with the run's length, which no constant overhead (a sanitizer's) hides."""
import json

from smcutil import *
from smctest import SANITIZER_MEMORY_FACTOR

# The most the peak RSS may grow from a run ten times shorter (allocator and,
# under ASan, quarantine warm-up; not the queue, which backpressure bounds).
GROWTH_KB = 48 * 1024


def bounded(what, f, seconds):
    """Runs `smc run --for SECONDS` of `f` and one ten times shorter; checks
    both memory measures. (elapsed seconds, stderr) of the long run."""
    t0 = time.monotonic()
    st, peak, err = peak_of([SMC, "run", "--for", "%gs" % seconds, "--metrics", "-", "--metrics-format", "json", f])
    el = time.monotonic() - t0
    eq(st, 0, "%s: --for %gs ends with 0" % (what, seconds))
    st, short_peak, _ = peak_of([SMC, "run", "--for", "%gs" % (seconds / 10), f])
    eq(st, 0, "%s: --for %gs ends with 0" % (what, seconds / 10))
    print("%s: peak RSS %d kB after %g s, %d kB after %g s" % (what, peak, seconds, short_peak, seconds / 10))
    check(0 < peak < memory_bound_kb(100 * 1024), "%s: peak RSS under 100 MB (x%d sanitized)"
          % (what, SANITIZER_MEMORY_FACTOR), "%d kB" % peak)
    check(peak - short_peak < GROWTH_KB, "%s: the peak grows by less than %d MB from a run ten times shorter"
          % (what, GROWTH_KB >> 10), "%d kB after %g s, %d kB after %g s" % (peak, seconds, short_peak, seconds / 10))
    return el, err


f = topo("bp.topo", """    spout s = generate(count: 1000000000)
    bolt  th = throttle(rate: 2000) <- s shuffle
    sink  o = null() <- th shuffle""")
el, err = bounded("backpressure", f, 3)
check(3 <= el < 3 + 5 * SLOWDOWN, "backpressure: about 3 s plus the drain", el)
m = {c["name"]: c for c in json.loads(err)["components"]}
eq(m["th"]["executed"], m["s"]["emitted"], "backpressure: every emitted tuple processed after the drain")
eq(m["o"]["executed"], m["th"]["emitted"], "backpressure: every throttled tuple reached the sink")
check(5000 <= m["th"]["executed"] <= 2000 * el + 512, "backpressure: the throttle held its rate", m["th"]["executed"], el)

# The same with a fast fan-out: random_sentence -> split -> a slow throttle.
f = topo("bp2.topo", """    spout s = random_sentence()
    bolt  w = split() x2 <- s shuffle
    bolt  th = throttle(rate: 5000) x2 <- w shuffle
    sink  o = null() <- th shuffle""")
bounded("backpressure fan-out", f, 1)

done()
