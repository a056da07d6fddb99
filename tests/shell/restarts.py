#!/usr/bin/env python3
"""Shell bolt restarts with two instances: children that exit right after the
handshake, and kill -9 of both children mid-stream, several times over. smc
must never crash, and every input tuple must reach the output (at least
once) or the run must fail naming the component."""
import glob
import signal

from shellutil import *

FAKE = "python3 %s/fake.py" % WORK
N = 200000


def shell_topo(name, mode, count, settings=""):
    return topo(name, """  spout s = generate(count: %d)
  bolt  b = shell("%s %s") x2 <- s shuffle -> (n)%s
  sink  o = stdout() <- b shuffle""" % (count, FAKE, mode, settings and " { " + settings + " }"))


# ---- a child that exits right after the handshake (was a null dereference) ---------------
for attempt in range(3):
    shell_topo("hs.topo", "exitafterhs", 20000, "max.restarts = 2")
    rc, out, err, secs = timed_run("run", "hs.topo", timeout=30)
    eq(rc, 70, "children exiting after the handshake, every time: exit 70, no crash (try %d)" % attempt, err)
    matches(r"^smc: error: bolt 'b' \(hs\.topo:3:9, instance [01]\) failed: subprocess 'python3 \S+/fake\.py "
            r"exitafterhs' \(pid \d+\) died \(exited with status 0\)$", err, "the failure names the subprocess")
    check(secs < slow(15), "bounded in time", secs)

for attempt in range(2):
    clean("fault-marker")
    shell_topo("hs1.topo", "exitafterhs once", 20000)
    rc, out, err = run("run", "hs1.topo", timeout=30)
    eq(rc, 0, "a child exiting after the handshake once: the run completes (try %d)" % attempt, err)
    eq(sorted(set(map(int, out.split()))), list(range(20000)), "every tuple at least once after the restart")
    eq(len(re.findall(r"restarting it \(1 of 3\)", err)), 1, "one restart reported")

# ---- kill -9 of both children mid-stream -----------------------------------------------------
for attempt in range(2):
    clean("prog-")
    shell_topo("kill2.topo", "progress", N)
    p = start("run", "kill2.topo")

    def both_busy():
        progs = glob.glob("prog-*")
        return len(progs) == 2 and all(int(read(f) or 0) >= 5000 for f in progs)

    check(wait_for(both_busy, 30), "both children are processing", glob.glob("prog-*"))
    victims = [int(f.split("-")[1]) for f in glob.glob("prog-*")]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    rc, out, err, secs = finish(p, timeout=60)
    no_leftovers("after the kill -9 run")
    eq(rc, 0, "kill -9 of both children: the run completes, no crash (try %d)" % attempt, err[-3000:])
    got = out.split()
    eq(len(set(got)), N, "kill -9 of both children: every one of %d tuples reaches the output" % N,
       "missing: %d" % (N - len(set(got))))
    eq(sorted(set(map(int, got))), list(range(N)), "the output holds exactly the input values")
    eq(len(re.findall(r"died \(killed by signal 9 \(Killed\)\); restarting it \(1 of 3\)", err)), 2,
       "both restarts reported", err[-2000:])

done()
