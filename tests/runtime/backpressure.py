#!/usr/bin/env python3
"""Backpressure bounds memory: a fast spout into a slow throttle keeps the peak
RSS small (the spout waits; nothing is dropped)."""
import json

from smcutil import *

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
check(0 < peak < 100 * 1024, "backpressure: peak RSS under 100 MB", "%d kB" % peak)
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
check(0 < peak < 100 * 1024, "backpressure fan-out: peak RSS under 100 MB", "%d kB" % peak)

done()
