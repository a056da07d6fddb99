#!/usr/bin/env python3
"""Hostile or broken shell children and the limits that contain them: frames
nested 100,000 deep, frames over 16 MiB, a child that closes its output,
one that never acks (max_unacked, message_timeout), a hung child at SIGTERM,
pid folders in the private runtime folder, and grandchildren that must die
with smc even when smc is killed with SIGKILL."""
import glob
import signal
import stat

from shellutil import *

FAKE = "python3 %s/fake.py" % WORK


def bolt_topo(name, mode, settings="", count=200, args=""):
    return topo(name, """  spout s = generate(count: %d)
  bolt  b = shell("%s %s"%s) <- s shuffle -> (n)%s
  sink  o = stdout() <- b shuffle""" % (count, FAKE, mode, args, settings and " { " + settings + " }"))


# ---- deep and huge frames: a protocol error of the component, never a crash ----------------
for mode, what in (("deep 5", r"sent malformed JSON \(nested deeper than 128 levels\): "
                              r"\{\"command\": \"emit\", \"tuple\": \[\[\[\[+\.\.\."),
                   ("deepframe 5", r"sent malformed JSON \(nested deeper than 128 levels\): \[\[\[+\.\.\."),
                   ("huge 5", r"sent a message larger than 16 MiB")):
    bolt_topo("deep.topo", mode, 'on.failure = "fail"')
    rc, out, err, secs = timed_run("run", "deep.topo", timeout=30)
    eq(rc, 70, "%s: exit 70 (no crash)" % mode, err[-2000:])
    matches(r"^smc: error: bolt 'b' \(deep\.topo:3:9\) failed: subprocess 'python3 \S+/fake\.py %s' \(pid \d+\) %s$"
            % (mode, what), err, "%s: a protocol error naming component, instance and pid" % mode)

clean("fault-marker")
bolt_topo("deep1.topo", "deep 5 once")
rc, out, err = run("run", "deep1.topo")
eq(rc, 0, "a deep emit once, restarted: the run completes", err[-2000:])
eq(sorted(set(map(int, out.split()))), list(range(200)), "a deep emit once: every tuple at least once")

# ---- a child that closes its output but lives on --------------------------------------------------
bolt_topo("closed.topo", "closeout 5", 'on.failure = "fail"')
rc, out, err = run("run", "closed.topo")
eq(rc, 70, "a child that closed its output: exit 70", err)
matches(r"^smc: error: bolt 'b' \(closed\.topo:3:9\) failed: subprocess 'python3 \S+/fake\.py closeout 5' "
        r"\(pid \d+\) closed its standard output while still running$", err, "says what happened (not 'exited 0')")

# ---- a child that never acks: bounded pending tuples, then the message timeout ----------------------
clean("noack-")
bolt_topo("noack.topo", "noack", 'on.failure = "fail"', count=1000000, args=", max_unacked: 2000, message_timeout: 2s")
rc, out, err, secs = timed_run("run", "noack.topo", timeout=30)
eq(rc, 70, "a child that never acks: exit 70 after the message timeout", err[-2000:])
matches(r"^smc: error: bolt 'b' \(noack\.topo:3:9\) failed: subprocess 'python3 \S+/fake\.py noack' \(pid \d+\) "
        r"did not ack or fail tuple 1 within the message timeout \(2s\)$", err, "the timeout names the tuple")
check(2 <= secs < slow(10), "the message timeout acts after about 2 s", secs)
seen = [int(read(f)) for f in glob.glob("noack-*")]
check(seen and max(seen) <= 2000 + 8 * 256 + 256, "max_unacked bounds the tuples sent to a child that never acks",
      seen)
topo("noack2.topo", """  spout s = generate(count: 10)
  bolt  b = shell("x", max_unacked: "many") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""")
rc, out, err = run("check", "noack2.topo")
eq(rc, 65, "max_unacked must be an integer", err)

# ---- SIGTERM with a hung bolt: no restarts while stopping, a bounded stop --------------------------
for mode in ("hang 5", "hang 5 noterm"):
    clean("hanging-")
    bolt_topo("hung.topo", mode, count=1000000)
    p = start("run", "hung.topo")
    check(wait_for(lambda: glob.glob("hanging-*"), 20), "the child hangs (%s)" % mode)
    p.send_signal(signal.SIGTERM)
    rc, out, err, secs = finish(p, timeout=30)
    no_leftovers("after SIGTERM with a hung child")
    check(rc != 0, "SIGTERM with a hung child (%s): a non-zero status" % mode, rc, err[-2000:])
    check(secs < slow(9), "SIGTERM with a hung child (%s): the stop ends within the 5 s grace" % mode, secs, err[-2000:])
    check("restarting it" not in err, "no restart while stopping (%s)" % mode, err[-2000:])
    matches(r"subprocess 'python3 \S+/fake\.py %s' \(pid \d+\) did not confirm its tuples within 5s of the stop"
            % mode, err, "the hung child is named")

# ---- pid folders: private, exclusive, removed -------------------------------------------------------
clean("rec-handshake-")
bolt_topo("pids.topo", "handshake", count=10)
rc, out, err = run("run", "pids.topo")
eq(rc, 0, "handshake run", err)
pid_dir = [r for r in records("rec-handshake-") if "hs" in r][0]["hs"]["pidDir"]
xdg = os.environ.get("XDG_RUNTIME_DIR")
bases = [os.path.join(xdg, "smc")] if xdg and os.path.isdir(xdg) else []
bases.append("/tmp/smc-%d" % os.getuid())
check(os.path.dirname(pid_dir) in bases, "the pid folder is inside the private runtime folder", pid_dir, bases)
check(re.match(r"pids-\d+-\d+-\w{6}$", os.path.basename(pid_dir)), "made with mkdtemp", pid_dir)
check(not os.path.exists(pid_dir), "removed after the run", pid_dir)
run_pid = os.path.basename(pid_dir).split("-")[1]
eq(glob.glob("/tmp/smc-pids-%s-*" % run_pid), [], "no pid folder of the run in /tmp")

# ---- nothing smc started outlives it, even after SIGKILL ------------------------------------------
clean("gc-")
clean("rec-handshake-")
topo("gc.topo", """  spout s = generate(rate: 100)
  bolt  e = exec("sleep 1000; cat") x2 <- s shuffle
  bolt  b = shell("%s grandchild") <- s shuffle -> (n)
  bolt  h = shell("%s handshake") <- s shuffle -> (n)
  sink  o = stdout() <- e shuffle
  sink  p = stdout() <- b shuffle
  sink  q = stdout() <- h shuffle""" % (FAKE, FAKE))
p = start("run", "gc.topo", start_new_session=True)


def session_members():
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == p.pid and fields[0] != "Z":  # session id
                out.append(int(pid))
    return out


check(wait_for(lambda: len(glob.glob("gc-*")) == 1 and glob.glob("rec-handshake-*")
               and len([q for q in session_members() if "sleep 1000" in open("/proc/%d/cmdline" % q).read().replace("\0", " ")]) >= 3,
               20), "the grandchildren run", session_members())
gc = int(read(glob.glob("gc-*")[0]))
pid_dir = None
check(wait_for(lambda: [r for r in records("rec-handshake-") if "hs" in r], 10), "the handshake was recorded")
pid_dir = [r for r in records("rec-handshake-") if "hs" in r][0]["hs"]["pidDir"]
check(os.path.isdir(pid_dir), "the pid folder exists while smc runs", pid_dir)
os.kill(p.pid, signal.SIGKILL)
p.wait()
check(wait_for(lambda: not session_members(), 5), "kill -9 of smc: no process of its session remains",
      session_members())
check(wait_for(lambda: not os.path.exists("/proc/%d" % gc) or open("/proc/%d/stat" % gc).read().rsplit(")", 1)[1].split()[0] == "Z", 5),
      "kill -9 of smc: the shell child's grandchild is gone", gc)
check(wait_for(lambda: not os.path.exists(pid_dir), 5), "kill -9 of smc: the pid folder is removed", pid_dir)
no_leftovers("after kill -9 of smc")
eq(glob.glob("/tmp/smc-pids-%d-*" % p.pid), [], "no pid folder of the killed run in /tmp")

# The same after `smc abort --force` (a name of its own: abort stops every job of a name).
name = "gcabort%d" % os.getpid()
write("gc2.topo", read("gc.topo").replace("topology t {", "topology %s {" % name))
clean("gc-")
p = start("run", "gc2.topo", start_new_session=True)
check(wait_for(lambda: len(glob.glob("gc-*")) == 1 and
               len([q for q in session_members() if "sleep 1000" in open("/proc/%d/cmdline" % q).read().replace("\0", " ")]) >= 3,
               20), "the grandchildren run (abort)", session_members())
gc = int(read(glob.glob("gc-*")[0]))
a = subprocess.run([SMC, "abort", "--force", name], capture_output=True, text=True, timeout=20)
eq(a.returncode, 0, "smc abort --force", a.stderr)
p.wait()
check(wait_for(lambda: not session_members(), 5), "abort --force: no process of its session remains", session_members())
check(wait_for(lambda: not os.path.exists("/proc/%d" % gc) or open("/proc/%d/stat" % gc).read().rsplit(")", 1)[1].split()[0] == "Z", 5),
      "abort --force: the shell child's grandchild is gone", gc)
no_leftovers("after smc abort --force")

done()
