#!/usr/bin/env python3
"""Faulty shell children: killed with SIGKILL mid-stream, hanging (also while
ignoring SIGTERM), never answering the handshake, exiting early, a command
that does not exist; spouts that end, hang or die. No run may hang."""
import re

from shellutil import *

FAKE = "python3 %s/fake.py" % WORK


def bolt_topo(name, mode, settings="", count=200, par=""):
    return topo(name, """  spout s = generate(count: %d)
  bolt  b = shell("%s %s")%s <- s shuffle -> (n)%s
  sink  o = stdout() <- b shuffle""" % (count, FAKE, mode, par, settings and " { " + settings + " }"))


# ---- kill -9 mid-stream -------------------------------------------------------------
clean("fault-marker")
bolt_topo("kill.topo", "kill 50 once", count=3000)
rc, out, err, secs = timed_run("run", "kill.topo")
eq(rc, 0, "SIGKILL mid-stream with restart: the run completes", err)
got = list(map(int, out.split()))
eq(sorted(set(got)), list(range(3000)), "SIGKILL mid-stream: every input reaches the output at least once")
matches(r"^smc: warning: bolt 'b' \(kill\.topo:3:9\) instance 0: subprocess 'python3 \S+/fake\.py kill 50 once' "
        r"\(pid \d+\) died \(killed by signal 9 \(Killed\)\); restarting it \(1 of 3\)$", err, "the restart is reported")

bolt_topo("kill2.topo", "kill 50", settings='on.failure = "fail"', count=3000, par=" x2")
rc, out, err, secs = timed_run("run", "kill2.topo")
eq(rc, 70, "SIGKILL mid-stream with on.failure fail: exit 70", err)
matches(r"^smc: error: bolt 'b' \(kill2\.topo:3:9, instance [01]\) failed: subprocess 'python3 \S+/fake\.py kill 50' "
        r"\(pid \d+\) died \(killed by signal 9 \(Killed\)\)$", err, "the failure names instance, subprocess, pid")
check(secs < slow(10), "the failed run ends promptly", secs)

# Killed every time: restarts with backoff up to max.restarts, then exit 70.
bolt_topo("kill3.topo", "kill 1", settings="max.restarts = 2")
rc, out, err, secs = timed_run("run", "kill3.topo")
eq(rc, 70, "killed on every start: exit 70 after max.restarts", err)
eq(re.findall(r"restarting it \((\d) of (\d)\)", err), [("1", "2"), ("2", "2")], "restarts counted up to max.restarts")
check(secs < slow(10), "restarts are bounded in time", secs)

# ---- a child that exits with an error status mid-stream ---------------------------------
bolt_topo("exit.topo", "exit 5", settings='on.failure = "fail"')
rc, out, err = run("run", "exit.topo")
eq(rc, 70, "a child exiting with status 3: exit 70")
matches(r"^smc: error: bolt 'b' \(exit\.topo:3:9\) failed: subprocess '\S+ \S+/fake\.py exit 5' \(pid \d+\) "
        r"died \(exited with status 3\)$", err, "exit status in the message")

# ---- a child that hangs ---------------------------------------------------------------
for mode in ("hang 5", "hang 5 noterm"):
    bolt_topo("hang.topo", mode, settings='subprocess.timeout = 1s, on.failure = "fail"')
    rc, out, err, secs = timed_run("run", "hang.topo", timeout=20)
    eq(rc, 70, "a hanging child (%s) with a 1s timeout: exit 70" % mode, err)
    check(secs < slow(6), "a hanging child (%s) fails the run within a few seconds" % mode, secs)
    matches(r"^smc: error: bolt 'b' \(hang\.topo:3:9\) failed: subprocess 'python3 \S+/fake\.py %s' \(pid \d+\) "
            r"fell silent for longer than the subprocess timeout \(1s\)$" % mode, err, "the hang is named")

# With restart: the hanging child is replaced; the run completes (the fake hangs once).
clean("fault-marker")
bolt_topo("hang2.topo", "hang 5 once", settings="subprocess.timeout = 1s")
rc, out, err, secs = timed_run("run", "hang2.topo", timeout=20)
eq(rc, 0, "a child hanging once, restarted: the run completes", err)
eq(sorted(set(map(int, out.split()))), list(range(200)), "a child hanging once: every tuple at least once")
check(secs < slow(8), "a restarted hanging child: bounded time", secs)

# ---- no handshake ---------------------------------------------------------------------
bolt_topo("nohs.topo", "nohandshake", settings='subprocess.timeout = 1s, on.failure = "fail"')
rc, out, err, secs = timed_run("run", "nohs.topo", timeout=20)
eq(rc, 70, "no handshake answer: exit 70", err)
check(secs < slow(6), "no handshake answer: fails within a few seconds", secs)
matches(r"^smc: error: bolt 'b' \(nohs\.topo:3:9\) failed: subprocess 'python3 \S+/fake\.py nohandshake' \(pid \d+\) "
        r"did not answer the handshake within the subprocess timeout$", err, "the missing handshake is named")
# Restart policy: it never answers, so after max.restarts the run fails, still bounded.
bolt_topo("nohs2.topo", "nohandshake", settings="subprocess.timeout = 1s, max.restarts = 1")
rc, out, err, secs = timed_run("run", "nohs2.topo", timeout=20)
eq(rc, 70, "no handshake answer with restart: exit 70 in the end", err)
check(secs < slow(8), "no handshake answer with restart: bounded", secs)

# ---- a command that does not exist -------------------------------------------------------
for policy in ('{ on.failure = "fail" }', ""):
    topo("nocmd.topo", """  spout s = generate(count: 10)
  bolt  b = shell("no-such-command-smc-test --x") <- s shuffle -> (n) %s
  sink  o = stdout() <- b shuffle""" % policy)
    rc, out, err, secs = timed_run("run", "nocmd.topo", timeout=20)
    eq((rc, out), (70, ""), "a command that does not exist: exit 70 (%s)" % (policy or "restart"), err)
    check(secs < slow(8), "a missing command fails promptly", secs)
    check("no-such-command-smc-test" in err and ("No such file" in err or "not found" in err),
          "a missing command: the message names the command and why", err)
    matches(r"^smc: error: bolt 'b' \(nocmd\.topo:3:9\) failed: ", err, "a missing command: names the component")

# ---- spouts ------------------------------------------------------------------------------
topo("spout.topo", """  spout s = shell("%s spout 100") x2 -> (n)
  sink  o = stdout() <- s shuffle""" % FAKE)
clean("rec-")
rc, out, err = run("run", "spout.topo")
eq((rc, err), (0, ""), "a bounded shell spout (sync done) ends its stream")
eq(sorted(map(int, out.split())), sorted(list(range(1, 101)) * 2), "each spout instance emits 1..100")
cmds = records("rec-spout-")
eq(sorted(r["id"] for r in cmds if r["cmd"] == "ack"), sorted(list(range(1, 101)) * 2),
   "emits with an id are acked, the id exactly as emitted (an int stays an int)")
eq([r["cmd"] for r in cmds if r["cmd"] not in ("next", "ack")], ["activate", "deactivate"] * 2,
   "the spout is activated once per instance, and deactivated at the end of its stream")

topo("spout2.topo", """  spout s = shell("%s spout 30 exit") -> (n)
  sink  o = stdout() <- s shuffle""" % FAKE)
rc, out, err = run("run", "spout2.topo")
eq((rc, err), (0, ""), "a shell spout that exits with status 0 ends its stream")
eq(sorted(map(int, out.split())), list(range(1, 31)), "...after emitting 1..30")

topo("spout3.topo", """  spout s = shell("%s spouthang") -> (n) { subprocess.timeout = 1s, on.failure = "fail" }
  sink  o = stdout() <- s shuffle""" % FAKE)
rc, out, err, secs = timed_run("run", "spout3.topo", timeout=20)
eq(rc, 70, "a hanging shell spout: exit 70", err)
check(secs < slow(6), "a hanging shell spout fails within a few seconds", secs)
matches(r"^smc: error: spout 's' \(spout3\.topo:2:9\) failed: subprocess 'python3 \S+/fake\.py spouthang' \(pid \d+\) "
        r"did not answer within the subprocess timeout \(1s\)$", err, "a hanging spout is named")

done()
