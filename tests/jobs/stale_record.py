#!/usr/bin/env python3
"""A job killed with SIGKILL from outside cannot remove its record (nor its
channel's segment): the next smc ps (or abort, or run) notices and removes
them. Records that do not parse, or whose pid now belongs to another
process, are removed too."""
from jobutil import *

endless = write("endless.topo", """topology endless {
    spout s = generate(rate: 1000)
    sink  o = null() <- s shuffle
}
""")
# A producer with no consumer: its segment stays in /dev/shm.
producer = write("producer.topo", """topology producer {
    spout s = generate()
    sink  o = channel("%s-stale") <- s shuffle
}
""" % TAG)


def killed_job(path):
    p = start("run", path)
    r = job_of(p)
    os.kill(p.pid, signal.SIGKILL)
    eq(finish(p, 5, "kill -9"), -signal.SIGKILL, "kill -9: the job is killed")
    eq(records(), [r["id"] + ".job"], "kill -9: the record stays behind")
    return r


# smc ps cleans up.
r = killed_job(endless)
st, out, err = run("ps")
eq((st, out.splitlines()[1:], err), (0, [], ""), "ps: a killed job is not listed")
eq(records(), [], "ps: the killed job's record is removed")

r = killed_job(endless)
eq(ps_json(), [], "ps --json: a killed job is not listed")
eq(records(), [], "ps --json: the killed job's record is removed")

r = killed_job(endless)
st, out, err = run("ps", r["id"])
eq((st, out), (1, ""), "ps ID of a killed job: no such job")
check(err.startswith("smc: error: no job '%s'" % r["id"]), "ps ID of a killed job: says so", err)
eq(records(), [], "ps ID: the killed job's record is removed")

r = killed_job(endless)
st, out, err = run("abort", r["id"])
eq((st, out), (1, ""), "abort a killed job: no such job")
eq(records(), [], "abort: the killed job's record is removed")

# Its channel's segment too, by ps, abort or run.
for how in ("ps", "abort", "run"):
    p = start("run", producer)
    r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
    seg = "smc-%d-%s-stale" % (UID, TAG)
    eq(segments(), [seg], "%s: the producer's segment exists" % how)
    eq(os.stat("/dev/shm/" + seg).st_mode & 0o777, 0o600, "%s: the segment has mode 0600" % how)
    os.kill(p.pid, signal.SIGKILL)
    finish(p, 5, "kill -9 producer")
    if segments() != [seg]:
        # Another test's smc command (ctest runs several at once) cleaned it
        # up already: the clean-up is per user, not per runtime folder.
        print("note: %s: the segment was removed by a concurrent smc command" % how)
        run("ps")
        continue
    if how == "ps":
        st, out, err = run("ps")
        eq(st, 0, "ps: status")
    elif how == "abort":
        st, out, err = run("abort", "nosuchjob")
        eq(st, 1, "abort nosuchjob: status")
    else:
        st, out, err = run("run", endless, "--for", "100ms")
        eq((st, err), (0, ""), "run --for 100ms: status")
    eq(segments(), [], "%s: removes the dead producer's segment" % how)
    if how != "run":
        eq(records(), [], "%s: removes the dead producer's record" % how)
    run("ps")
clean("killed jobs")

# Records that are no longer true.
os.makedirs(JOBS_DIR, exist_ok=True)
write(os.path.join(JOBS_DIR, "junk01.job"), "{ not json")
with open("/proc/self/stat") as f:
    ticks = int(f.read().rsplit(")", 1)[1].split()[19])
# This process's pid, but another start time: the pid was reused.
write(os.path.join(JOBS_DIR, "reused.job"),
      json.dumps({"id": "reused", "name": "old", "path": "/x.topo", "pid": os.getpid(), "pgid": os.getpid(),
                  "start_ticks": ticks + 1, "started_ms": 1, "user": "u", "state": "running"}) + "\n")
eq(ps_json(), [], "ps: records of no live job are not listed")
eq(records(), [], "ps: records of no live job are removed")
# The same record with the right start time is a live job (and stays).
write(os.path.join(JOBS_DIR, "mine.job"),
      json.dumps({"id": "mine", "name": "me", "path": "/x.topo", "pid": os.getpid(), "pgid": os.getpid(),
                  "start_ticks": ticks, "started_ms": 1, "user": "u", "state": "running"}) + "\n")
eq([(x["id"], x["name"]) for x in ps_json()], [("mine", "me")], "ps: a record of a live process is listed")
os.unlink(os.path.join(JOBS_DIR, "mine.job"))
# A record's temp file (.ID.PID.tmp) whose writer died before its rename is
# removed; one whose writer lives (this process) is being written and stays.
dead = subprocess.Popen(["true"])
dead.wait()
write(os.path.join(JOBS_DIR, ".deadjb.%d.tmp" % dead.pid), "{")
write(os.path.join(JOBS_DIR, ".livejb.%d.tmp" % os.getpid()), "{")
ps_json()
eq(sorted(os.listdir(JOBS_DIR)), [".livejb.%d.tmp" % os.getpid()], "ps: a dead writer's temp record is removed")
os.unlink(os.path.join(JOBS_DIR, ".livejb.%d.tmp" % os.getpid()))
clean("the end")
done()
