#!/usr/bin/env python3
"""smc ps and smc abort: running jobs are listed (text, JSON, one job's
components); abort by id and by name drains (exit 143, totals written),
--force and an expired --wait kill (SIGKILL, 137 in a shell) along with the
job's subprocesses; unknown jobs are reported with a suggestion (status 1).
Nothing is left behind: no record, no process, no segment."""
import re

from jobutil import *

VOCAB = set("the cow jumped over moon an apple a day keeps doctor away four score and seven years ago "
            "snow white dwarfs i am at two with nature".split())
wc = write("wc.topo", """topology wordcount {
    spout s = random_sentence(rate: 2000)
    bolt  w = split() x2 <- s shuffle
    bolt  c = count(key: "word") x2 <- w fields(word)
    sink  o = stdout() <- c global
}
""")
# Endless, with a subprocess (exec) that must die with the job.
forced = write("forced.topo", """topology forcejob {
    spout s = generate(rate: 2000)
    bolt  e = exec("cat") <- s shuffle
    sink  o = null() <- e shuffle
}
""")
# A graceful stop would take minutes: batches queued before a throttle at 10/s.
slow = write("slow.topo", """topology slowjob {
    spout s = generate()
    bolt  th = throttle(rate: 10) <- s shuffle
    sink  o = null() <- th shuffle
}
""")


def check_drained(p, what):
    """A wordcount run stopped gracefully: 143, every word's total written,
    the totals add up to the words split."""
    eq(finish(p, 15, what), 143, "%s: exit status 143" % what)
    eq(read(p.err_path), "", "%s: nothing on stderr" % what)
    counts = {}
    for l in read(p.out_path).splitlines():
        w, n = l.split("\t")
        counts[w] = int(n)
    eq(set(counts), VOCAB, "%s: every word's total written" % what)
    m = {c["name"]: c for c in json.load(open(p.metrics))["components"]}
    check(m["s"]["emitted"] > 0, "%s: the spout ran" % what)
    eq(sum(counts.values()), m["w"]["emitted"], "%s: totals = words split (drained)" % what)
    eq(m["w"]["executed"], m["s"]["emitted"], "%s: every sentence split" % what)


ABORT_LINE = r"aborted ([0-9a-f]{6}) \((\S+)\): (drained and stopped|killed) in (\d+\.\d\d) s"

# ---- three jobs of the same name -------------------------------------------
jobs = []
for i in range(3):
    p = start("run", "--metrics", "m%d.json" % i, "--metrics-format", "json", wc)
    p.metrics = "m%d.json" % i
    jobs.append(p)
recs = [job_of(p, cond=lambda r: r["tuples_in"] > 0) for p in jobs]
a, b, c = recs
for p, r in zip(jobs, recs):
    eq((r["name"], r["path"], r["pid"], r["state"]), ("wordcount", wc, p.pid, "running"), "ps --json: the job")
    check(re.fullmatch(r"[0-9a-f]{6}", r["id"]), "ps --json: a short id", r["id"])
    check(r["tuples_in"] > 0 and r["errors"] == 0, "ps --json: tuples in counted, no error", r)
    check(os.path.isabs(r["path"]), "ps --json: absolute path", r["path"])
    eq([x["name"] for x in r["metrics"]["components"]], ["s", "w", "c", "o"], "ps --json: components")
eq(len({r["id"] for r in recs}), 3, "ids are unique")
eq(sorted(records()), sorted(r["id"] + ".job" for r in recs), "one record file per job")
eq(os.stat(JOBS_DIR).st_mode & 0o777, 0o700, "the job folder has mode 0700")

st, out, err = run("ps")
eq((st, err), (0, ""), "ps: status")
rows = [l.split() for l in out.splitlines()]
eq(rows[0], ["ID", "NAME", "STATE", "UPTIME", "IN", "OUT", "RATE/s", "ERRORS"], "ps: columns")
eq(sorted(r[0] for r in rows[1:]), sorted(r["id"] for r in recs), "ps: one row per job")
for r in rows[1:]:
    eq((len(r), r[1], r[2], r[7]), (8, "wordcount", "running", "0"), "ps: a row")
    check(re.fullmatch(r"\d+s", r[3]), "ps: uptime", r)

st, out, err = run("ps", a["id"])
eq((st, err), (0, ""), "ps ID: status")
lines = out.splitlines()
check(re.fullmatch(r"job %s \(wordcount\), running, pid %d, up \d+s, %s" % (a["id"], jobs[0].pid, re.escape(wc)),
                   lines[0]), "ps ID: heading", lines[0])
comp = {l.split()[0]: l.split() for l in lines[1:] if l.split() and l.split()[0] in ("s", "w", "c", "o")}
eq({k: (v[1], v[2], v[3]) for k, v in comp.items()},
   {"s": ("spout", "random_sentence", "1"), "w": ("bolt", "split", "2"), "c": ("bolt", "count", "2"),
    "o": ("sink", "stdout", "1")}, "ps ID: per-component metrics")
check(int(comp["s"][4]) > 0, "ps ID: the spout's emitted count", comp["s"])
one = ps_json(b["id"])
eq([(x["id"], x["pid"]) for x in one], [(b["id"], jobs[1].pid)], "ps --json ID: that job")
st, out, err = run("ps", "wordcount")
eq((st, out.count("job "), err), (0, 3, ""), "ps NAME: every job of that name")

# Unknown jobs: status 1 and a suggestion.
st, out, err = run("abort", "wordcont")
eq((st, out, err), (1, "", "smc: error: no job 'wordcont'; did you mean 'wordcount'?\n"), "abort: unknown job")
st, out, err = run("ps", "wordcont")
eq((st, out, err), (1, "", "smc: error: no job 'wordcont'; did you mean 'wordcount'?\n"), "ps: unknown job")
st, out, err = run("abort", "--wait", "soon", a["id"])
eq((st, out), (64, ""), "abort --wait soon: a usage error")
check("--wait expects a duration" in err, "abort --wait soon: says why", err)
eq(ps_json() and len(ps_json()), 3, "nothing aborted by the failed commands")

# Graceful, by id: that job only.
st, out, err = run("abort", a["id"])
eq((st, err), (0, ""), "abort ID: status")
m = re.fullmatch(ABORT_LINE + "\n", out)
check(m and m.group(1, 2, 3) == (a["id"], "wordcount", "drained and stopped"), "abort ID: its line", out)
check_drained(jobs[0], "abort ID")
eq(sorted(r["id"] for r in ps_json()), sorted([b["id"], c["id"]]), "abort ID: the others still run")
check(a["id"] + ".job" not in records(), "abort ID: its record is gone", records())

# Graceful, by name: every job of that name.
st, out, err = run("abort", "wordcount")
eq((st, err), (0, ""), "abort NAME: status")
got = [re.fullmatch(ABORT_LINE, l) for l in out.splitlines()]
check(all(got) and sorted(g.group(1) for g in got) == sorted([b["id"], c["id"]]) and
      {g.group(3) for g in got} == {"drained and stopped"}, "abort NAME: one line per job", out)
check_drained(jobs[1], "abort NAME (1)")
check_drained(jobs[2], "abort NAME (2)")
clean("graceful aborts")

# ---- forced: killed at once, subprocesses too ---------------------------------
# (1) A job that leads its own process group.
p = start("run", forced, start_new_session=True)
r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
kids = children(p.pid)
check(kids, "the forced job runs its exec subprocess")
st, out, err = run("abort", "--force", "forcejob")
eq((st, err), (0, ""), "abort --force: status")
m = re.fullmatch(ABORT_LINE + "\n", out)
check(m and m.group(1, 2, 3) == (r["id"], "forcejob", "killed"), "abort --force: its line", out)
check(float(m.group(4)) < 3, "abort --force: at once", out)
eq(finish(p, 5, "abort --force"), -signal.SIGKILL, "abort --force: killed by SIGKILL")
check(wait_for(lambda: not any(alive(k) for k in kids), 3), "abort --force: its subprocess died with it", kids)
clean("abort --force (own group)")

# (2) A job started from a script (sharing the script's group): 137 in a shell.
sh = start_shell('"$0" run "$1" >/dev/null 2>&1; echo "status $?"', forced)
r = [None]
wait_for(lambda: (r.__setitem__(0, next((x for x in ps_json() if x["tuples_in"] > 0), None)) or r[0]), 10, 0.1)
check(r[0], "the forced job from a script is listed")
kids = children(r[0]["pid"])
check(kids, "the forced job runs its exec subprocess")
st, out, err = run("abort", "--force", r[0]["id"])
check(st == 0 and re.fullmatch(ABORT_LINE + "\n", out) and "killed" in out, "abort --force ID: killed", st, out, err)
o, e = sh.communicate(timeout=10)
eq((sh.returncode, o), (0, "status 137\n"), "abort --force: 137 in a shell, the script goes on")
check(wait_for(lambda: not any(alive(k) for k in kids), 3), "abort --force: its subprocess died (pdeathsig)", kids)
clean("abort --force (script)")

# ---- --wait: a graceful stop that takes too long is a kill --------------------
p = start("run", slow)
r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
st, out, err = run("abort", "--wait", "0s", "slowjob")
m = re.fullmatch(ABORT_LINE + "\n", out)
check(st == 0 and m and m.group(1, 2, 3) == (r["id"], "slowjob", "killed"), "abort --wait 0s: killed", st, out, err)
eq(finish(p, 5, "abort --wait 0s"), -signal.SIGKILL, "abort --wait 0s: killed by SIGKILL")
clean("abort --wait 0s")

# --wait 2s: the job is "stopping" meanwhile, then killed after about 2 s.
p = start("run", slow)
r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
t0 = time.monotonic()
ab = subprocess.Popen([SMC, "abort", "--wait", "2s", r["id"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True, env=ENV)
STARTED.append(ab)
# Watched until abort returns (not for a fixed 1.9 s: on a loaded machine one
# `smc ps` may take most of that).
seen = []


def stopping_seen():
    if any(x["state"] == "stopping" for x in ps_json()):
        seen.append(True)
    return bool(seen) or ab.poll() is not None


wait_for(stopping_seen, 6, 0.1)
saw = bool(seen)
still = p.poll() is None
o, e = ab.communicate(timeout=15)
el = time.monotonic() - t0
check(still, "abort --wait 2s: the job drains meanwhile", p.poll())
check(saw, "abort --wait 2s: smc ps shows the job 'stopping' while it drains")
m = re.fullmatch(ABORT_LINE + "\n", o)
check(ab.returncode == 0 and m and m.group(3) == "killed", "abort --wait 2s: killed", ab.returncode, o, e)
check(1.9 <= el < smctest.slow(6) and 1.9 <= float(m.group(4)) < smctest.slow(4), "abort --wait 2s: killed after 2 s", el, o)
eq(finish(p, 5, "abort --wait 2s"), -signal.SIGKILL, "abort --wait 2s: killed by SIGKILL")
clean("abort --wait 2s")

# ---- the private folder -------------------------------------------------------
st, out, err = run("ps")
eq((st, out.splitlines()[1:], err), (0, [], ""), "ps: no job left")
os.chmod(JOBS_DIR, 0o755)
st, out, err = run("ps")
eq(st, 74, "ps: a job folder others can read is refused")
check("is not a private folder" in err, "ps: says why", err)
st, out, err = run("abort", "x")
eq(st, 74, "abort: a job folder others can read is refused")
os.chmod(JOBS_DIR, 0o700)
clean("the end")
done()
