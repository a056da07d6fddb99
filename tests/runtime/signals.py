#!/usr/bin/env python3
"""Stopping a run: SIGINT and SIGTERM drain, flush and exit 130/143; a second
signal exits at once; a reader that goes away (| head -1) ends the run quietly."""
import json
import signal

from smcutil import *

wc = topo("wc.topo", """    spout s = random_sentence()
    bolt  w = split() x2 <- s shuffle
    bolt  c = count(key: "word") x2 <- w fields(word)
    sink  o = stdout() <- c global""")
VOCAB = set("the cow jumped over moon an apple a day keeps doctor away four score and seven years ago "
            "snow white dwarfs i am at two with nature".split())

for sig, status in [(signal.SIGINT, 130), (signal.SIGTERM, 143)]:
    p = subprocess.Popen([SMC, "run", "--metrics", "m.json", "--metrics-format", "json", wc], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # Started and running: its spout has emitted (the record is rewritten once a second).
    check(wait_for_record(p.pid, lambda r: r["tuples_in"] > 0), "%s: the run starts" % sig.name)
    t0 = time.monotonic()
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        check(False, "%s: the run stops" % sig.name)
    el = time.monotonic() - t0
    eq((p.returncode, err), (status, ""), "%s: exit status, nothing on stderr" % sig.name)
    check(el < 3 * SLOWDOWN, "%s: stops promptly" % sig.name, el)
    counts = {w: int(n) for w, n in tsv(out)}
    eq(set(counts), VOCAB, "%s: every word's total written" % sig.name)
    # Everything in flight drained: the totals add up to what split emitted.
    m = {c["name"]: c for c in json.load(open("m.json"))["components"]}
    check(m["s"]["emitted"] > 0, "%s: the spout ran" % sig.name)
    eq(sum(counts.values()), m["w"]["emitted"], "%s: totals = words split" % sig.name)
    eq(m["w"]["executed"], m["s"]["emitted"], "%s: every sentence split" % sig.name)
    eq(counts["seven"], counts["four"] + counts["snow"], "%s: consistent totals" % sig.name)

# A signal while stdin is a pipe kept open (the spout blocks on input).
cnt = topo("cnt.topo", """    spout s = stdin()
    bolt  c = count(key: "line") <- s shuffle
    sink  o = stdout() <- c global""")
p = subprocess.Popen([SMC, "run", cnt], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
p.stdin.write("x\ny\nx\n")
p.stdin.flush()
check(wait_for_record(p.pid, lambda r: r["tuples_in"] == 3), "open stdin: the three lines are read")
p.send_signal(signal.SIGINT)
try:
    p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill()
    check(False, "SIGINT on an open stdin: the run stops")
out, err = p.stdout.read(), p.stderr.read()
p.stdin.close()
eq((p.returncode, sorted(lines(out)), err), (130, ["x\t2", "y\t1"], ""), "SIGINT on an open stdin: totals written")

# A second signal exits at once, even while the drain would take minutes
# (a throttle at 10 tuples/s with batches of 256 queued).
slow = topo("slow.topo", """    spout s = generate()
    bolt  th = throttle(rate: 10) <- s shuffle
    sink  o = null() <- th shuffle""")
for sig, status in [(signal.SIGINT, 130), (signal.SIGTERM, 143)]:
    p = subprocess.Popen([SMC, "run", slow], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(wait_for_record(p.pid, lambda r: r["tuples_in"] > 0), "%s: the slow run starts" % sig.name)
    p.send_signal(sig)
    check(wait_for_record(p.pid, lambda r: r["state"] == "stopping"), "%s: the first signal drains" % sig.name)
    eq(p.poll(), None, "%s: the first signal drains (still running)" % sig.name)
    t0 = time.monotonic()
    p.send_signal(sig)
    try:
        p.wait(timeout=3)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(False, "%s: a second signal exits at once" % sig.name)
    eq(p.returncode, status, "%s twice: exit status" % sig.name)
    check(time.monotonic() - t0 < 1 * SLOWDOWN, "%s twice: at once" % sig.name)

# Broken pipe: `smc run ... | head -1` ends quickly and quietly.
endless = topo("endless.topo", """    spout s = generate()
    bolt  i = identity() x2 <- s shuffle
    sink  o = stdout() <- i shuffle""")
for t in range(3):
    t0 = time.monotonic()
    sh = subprocess.run(["bash", "-c", '"$0" run "$1" | head -1; echo "status ${PIPESTATUS[0]}" >&2', SMC, endless],
                        capture_output=True, text=True, timeout=20)
    el = time.monotonic() - t0
    out = lines(sh.stdout)
    check(len(out) == 1 and out[0].isdigit(), "| head -1: one line", sh.stdout)
    # The man page: "the run ends quietly, without an error message"; the status is 141 (128 + SIGPIPE).
    eq(sh.stderr, "status 141\n", "| head -1: no message, status 141")
    check(el < 5 * SLOWDOWN, "| head -1: ends quickly", el)
# The same when the reader goes away from a finite run with a count at the end.
big = topo("big.topo", """    spout s = generate(count: 3000000)
    bolt  c = count(key: "n") x2 <- s fields(n)
    sink  o = stdout() <- c global""")
sh = subprocess.run(["bash", "-c", '"$0" run "$1" | head -1 >/dev/null; echo "status ${PIPESTATUS[0]}" >&2', SMC, big],
                    capture_output=True, text=True, timeout=60)
eq(sh.stderr, "status 141\n", "| head -1 of a count's totals: quiet, 141")

done()
