#!/usr/bin/env python3
"""smc deactivate and smc activate (Storm's verbs): a deactivated job's
spouts stop (the spout's emitted counter in smc ps --json holds still, the
job uses next to no CPU, its state reads "inactive"), what was in flight
drains and windows keep closing on their ticks; activate resumes the
spouts (at their rate, with no burst); a shell spout hears Storm's
"deactivate" and "activate"; smc abort of a deactivated job still drains.
Unknown jobs and task graphs are refused."""
from jobutil import *

TICKS = os.sysconf("SC_CLK_TCK")

# Windows on processing time close on the clock's ticks, so the counts of
# what was in flight come out while the spout is paused.
wc = write("wc.topo", """topology wordcount {
    spout s = random_sentence(rate: 2000)
    bolt  w = split() x2 <- s shuffle
    bolt  c = count(key: "word", window: 1s) <- w fields(word)
    sink  o = stdout(format: "tsv") <- c shuffle
}
""")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def record(p, cond=lambda r: True, timeout=10):
    return job_of(p, timeout=timeout, cond=cond)


def later(p, r, seconds):
    """The job's record once it was rewritten at least `seconds` (job time) after `r`."""
    t = r["metrics"]["seconds"]
    return record(p, cond=lambda x: x["metrics"]["seconds"] >= t + seconds, timeout=10 + seconds)


def split_emitted(r):
    return {c["name"]: c for c in r["metrics"]["components"]}["w"]["emitted"]


def counted(p):
    return sum(int(l.split("\t")[1]) for l in read(p.out_path).splitlines())


# ---- deactivate, activate, abort while inactive ------------------------------
p = start("run", wc)
r = record(p, cond=lambda r: r["tuples_in"] > 0)
st, out, err = run("deactivate", r["id"])
eq((st, out, err), (0, "deactivated %s (wordcount): its spouts are paused\n" % r["id"], ""), "deactivate")
r = record(p)
eq(r["state"], "inactive", "ps --json: the state after deactivate")
st, out, _ = run("ps")
check(re.search(r"^%s\s+wordcount\s+inactive\s" % r["id"], out, re.M), "smc ps: the STATE column", out)
st, out, _ = run("ps", r["id"])
check(out.startswith("job %s (wordcount), inactive, pid %d" % (r["id"], p.pid)), "smc ps JOB: the state", out)

# Once paused, a record written a second later and one 2 s after that show
# the same spout count; the windows of what was in flight closed meanwhile.
a = later(p, r, 1)
c0 = cpu_seconds(p.pid)
b = later(p, a, 2)
c1 = cpu_seconds(p.pid)
eq(b["tuples_in"], a["tuples_in"], "deactivated: the spout's emitted counter holds still over 2 s")
spent = c1 - c0
span = b["metrics"]["seconds"] - a["metrics"]["seconds"]
check(spent < 0.1 * span, "deactivated: next to no CPU (%.3f s of CPU in %.1f s)" % (spent, span), spent)
ok = wait_for(lambda: counted(p) == split_emitted(b), slow(5), 0.05)
check(ok, "deactivated: in-flight words drained and their windows closed on ticks", counted(p), split_emitted(b))

st, out, err = run("deactivate", "wordcount")
eq((st, out), (0, "job %s (wordcount) was already inactive\n" % r["id"]), "deactivate twice", err)

st, out, err = run("activate", r["id"])
eq((st, out, err), (0, "activated %s (wordcount): its spouts run again\n" % r["id"], ""), "activate")
r2 = record(p, cond=lambda x: x["state"] == "running" and x["tuples_in"] > b["tuples_in"])
# At 2000 sentences/s, from its pause: no burst to catch up the paused time.
r3 = later(p, r2, 2)
grew = r3["tuples_in"] - r2["tuples_in"]
rate = grew / (r3["metrics"]["seconds"] - r2["metrics"]["seconds"])
check(rate < 3000, "activated: the spout's rate holds (no catching up)", rate)
check(grew > 0, "activated: the spout runs again", grew)

run("deactivate", r["id"])
st, out, err = run("abort", r["id"])
check(st == 0 and "drained and stopped" in out, "abort of a deactivated job drains", st, out, err)
eq(finish(p, 15, "abort while inactive"), 143, "abort while inactive: exit 143")
check(counted(p) > 0, "abort while inactive: the windows' counts written")
clean("deactivate/activate")

# ---- a shell spout hears Storm's deactivate and activate ---------------------
spout = write("spout.py", """import storm
class S(storm.Spout):
    def initialize(self, conf, context):
        self.n = 0
        self.log = open("commands.log", "a")
    def note(self, what):
        self.log.write(what + "\\n")
        self.log.flush()
    def activate(self):
        self.note("activate")
    def deactivate(self):
        self.note("deactivate")
    def nextTuple(self):
        self.n += 1
        storm.emit([self.n])
S().run()
""")
sh = write("sh.topo", """topology shelled {
    spout s = shell("python3 spout.py") -> (n)
    sink  o = null() <- s shuffle
}
""")
p = start("run", sh)
r = record(p, cond=lambda r: r["tuples_in"] > 0)
eq(run("deactivate", r["id"])[0], 0, "deactivate a shell spout")
eq(run("activate", r["id"])[0], 0, "activate a shell spout")
record(p, cond=lambda x: x["state"] == "running")
eq(run("abort", r["id"])[0], 0, "abort the shell job")
finish(p, 15, "shell job")
# Storm's order: activate when opened, then ours, then deactivate when it stops.
eq(read("commands.log").split(), ["activate", "deactivate", "activate", "deactivate"],
   "the shell spout heard activate, deactivate, activate, and deactivate when it stopped")
clean("shell spout")

# ---- refused ---------------------------------------------------------------
st, out, err = run("deactivate", "wordcont")
eq((st, err), (1, "smc: error: no job 'wordcont'\n"), "deactivate: an unknown job")
st, out, err = run("activate", "nosuch", "--wait", "soon")
eq((st, err), (64, "smc: error: --wait expects a duration such as 10s, got 'soon'\n"), "activate: a bad --wait")
tasks = write("tasks.topo", """tasks nightly {
    task nap = exec("tail -f /dev/null")
}
""")
p = start("run", tasks)
r = record(p)
st, out, err = run("deactivate", r["id"])
eq((st, err), (64, "smc: error: cannot deactivate job %s (nightly): it is a task graph; deactivate applies to "
                   "topologies\n" % r["id"]), "deactivate: a task graph")
run("abort", r["id"])
finish(p, 15, "tasks job")
clean("refused")
done()
