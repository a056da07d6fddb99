#!/usr/bin/env python3
"""Backpressure bounds memory: a fast spout into a slow throttle keeps the peak
RSS small (the spout waits; nothing is dropped).

Two measures: the peak RSS under an absolute bound (100 MB, times
smctest.SANITIZER_MEMORY_FACTOR in a sanitizer build), and the growth of the
peak from a run ten times shorter: without backpressure the spout's queue
grows with the run's length, which no constant overhead (a sanitizer's) hides."""
import json

from smcutil import *
from smctest import SANITIZER_MEMORY_FACTOR

# The most the peak RSS may grow from a run ten times shorter (allocator and,
# under ASan, quarantine warm-up; not the queue, which backpressure bounds).
GROWTH_KB = 48 * 1024

f = topo("bp.topo", """    spout s = generate(count: 1000000000)
    bolt  th = throttle(rate: 2000) <- s shuffle
    sink  o = null() <- th shuffle""")
p = subprocess.Popen([SMC, "run", "--for", "3s", "--metrics", "-", "--metrics-format", "json", f],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
peak = 0
t0 = time.monotonic()
while p.poll() is None and time.monotonic() - t0 < 20:
    rss = peak_rss_kb(p.pid)
    if rss:
        peak = max(peak, rss)
    time.sleep(0.05)
if p.poll() is None:
    p.kill()
out, err = p.communicate()
el = time.monotonic() - t0
eq((p.returncode, out), (0, ""), "backpressure: --for 3s ends with 0")
check(3 <= el < 3 + 5 * SLOWDOWN, "backpressure: about 3 s plus the drain", el)
check(0 < peak < memory_bound_kb(100 * 1024), "backpressure: peak RSS under 100 MB (x%d sanitized)" % SANITIZER_MEMORY_FACTOR,
      "%d kB" % peak)
st, short_peak, _ = peak_of([SMC, "run", "--for", "0.3s", f], timeout=20)
eq(st, 0, "backpressure, a run ten times shorter: status")
check(peak - short_peak < GROWTH_KB, "backpressure: the peak grows by less than %d MB from a run ten times shorter"
      % (GROWTH_KB >> 10), "%d kB after 3 s, %d kB after 0.3 s" % (peak, short_peak))
m = {c["name"]: c for c in json.loads(err)["components"]}
eq(m["th"]["executed"], m["s"]["emitted"], "backpressure: every emitted tuple processed after the drain")
eq(m["o"]["executed"], m["th"]["emitted"], "backpressure: every throttled tuple reached the sink")
check(5000 <= m["th"]["executed"] <= 2000 * el + 512, "backpressure: the throttle held its rate", m["th"]["executed"], el)

# The same with a fast fan-out: random_sentence -> split -> a slow throttle.
f = topo("bp2.topo", """    spout s = random_sentence()
    bolt  w = split() x2 <- s shuffle
    bolt  th = throttle(rate: 5000) x2 <- w shuffle
    sink  o = null() <- th shuffle""")
p = subprocess.Popen([SMC, "run", "--for", "1s", f], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
peak = 0
while p.poll() is None and time.monotonic() - t0 < 40:
    rss = peak_rss_kb(p.pid)
    if rss:
        peak = max(peak, rss)
    time.sleep(0.05)
if p.poll() is None:
    p.kill()
p.communicate()
eq(p.returncode, 0, "backpressure fan-out: status")
check(0 < peak < memory_bound_kb(100 * 1024), "backpressure fan-out: peak RSS under 100 MB (x%d sanitized)"
      % SANITIZER_MEMORY_FACTOR, "%d kB" % peak)
st, short_peak, _ = peak_of([SMC, "run", "--for", "0.1s", f], timeout=20)
eq(st, 0, "backpressure fan-out, a run ten times shorter: status")
check(peak - short_peak < GROWTH_KB, "backpressure fan-out: the peak grows by less than %d MB from a run ten times "
      "shorter" % (GROWTH_KB >> 10), "%d kB after 1 s, %d kB after 0.1 s" % (peak, short_peak))

done()
