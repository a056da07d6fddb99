"""Task queues with the embedded broker, through the binary: submitted
arguments are checked against what the workers serve; 3 workers and 2
submitters run 2,000 tasks, each exactly once, every result retrievable; a
worker killed with SIGKILL mid-task leaves its task to another worker after
the lease; abort of a queued and of a running task; --after dependencies;
--wait prints progress and the result and exits with the task's status."""
import os
import subprocess

from tasksutil import *  # noqa: F401,F403

os.environ["SMC_QUEUE_LEASE"] = "1s"  # a killed worker's task is taken over after 1 s
QDB = STORE


def workers_registered(n):
    def ok():
        if not os.path.exists(QDB):
            return False
        try:
            with db() as c:
                return c.execute("SELECT COUNT(*) FROM queue_workers").fetchone()[0] >= n
        except Exception:
            return False
    check(wait_for(ok, 20), "%d worker(s) register" % n)


def row(tid):
    with db() as c:
        return c.execute("SELECT state, attempt, result FROM queue WHERE id = ?", (tid,)).fetchone()


def submit(*args):
    rc, out, err = run("submit", *args)
    eq(rc, 0, "smc submit %s" % " ".join(args), err)
    check(out.startswith("q") and len(out.strip()) == 11, "submit prints the id", out)
    return out.strip()


write_topo("q.topo", """
tasks work {
    set parallelism = 4
    task count(i) = exec("echo ${i} >> runs; echo result-${i}")
    task greet(name, greeting = "hello") = exec("echo ${greeting} ${name} $SMC_ARG_name; echo 50 half >&3; echo 3/4 most >&3")
    task hold(tag) = exec("echo $$ >> ${tag}.runs; until [ -e ${tag}.go ]; do sleep 0.01; done; echo held-${tag}")
    task fail(code) = exec("exit ${code}")
    task forever(tag) = exec("echo $$ >> ${tag}.runs; sleep NNN.5 & wait")
}
""")

# ---- arguments are checked against what the queue's workers serve ---------------
w1 = worker("q.topo", "--quiet", "--parallelism", "4")
workers_registered(1)
rc, out, err = run("submit", "grete", "name=x")
eq((rc, err), (64, "smc: error: no worker of queue 'default' serves task 'grete'; did you mean 'greet'?\n"),
   "an unknown task is refused with a suggestion")
rc, out, err = run("submit", "greet", "nmae=x")
eq((rc, err), (64, "smc: error: 'greet' has no parameter 'nmae'; did you mean 'name'?\n"), "an unknown argument")
rc, out, err = run("submit", "greet", "greeting=hi")
eq((rc, err), (64, "smc: error: missing required argument 'name' of 'greet'\n"), "a missing argument")
rc, out, err = run("submit", "greet", "name")
eq((rc, err), (64, "smc: error: an argument is NAME=VALUE, got 'name'\n"), "an argument without '='")

# ---- --wait: progress, the result, the task's exit status; values are data --------
rc, out, err = run("submit", "greet", "name=it's $(id)", "--wait")
eq(rc, 0, "submit --wait of a task that succeeds", err)
eq(out, "hello it's $(id) it's $(id)\n", "the result; a submitted value is quoted, never run by the shell")
check("smc: submitted q" in err, "--wait says what it submitted", err)
rc, out, err = run("submit", "fail", "code=7", "--wait")
eq(rc, 7, "submit --wait exits with the task's exit status", err)
check(err.endswith(") failed: exited with status 7\n"), "and says why", err)

# ---- 3 workers, 2 submitters, 2,000 tasks: each runs once, all results kept --------
stop(w1)
w1, w2, w3 = (worker("q.topo", "--quiet", "--parallelism", "4", "--lease", "30s") for _ in range(3))
workers_registered(3)
subs = [subprocess.Popen([SMC, "submit", "--stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True) for k in range(2)]
ids = []
for k, s in enumerate(subs):
    out, err = s.communicate("".join("count i=%d\n" % i for i in range(k * 1000 + 1, k * 1000 + 1001)),
                             timeout=slow(240))
    eq(s.returncode, 0, "a submitter submits 1,000 tasks", err[-500:])
    ids += out.split()
eq(len(set(ids)), 2000, "2,000 distinct ids")


def done_count():
    with db() as c:
        return c.execute("SELECT COUNT(*) FROM queue WHERE task = 'count' AND state = 'done'").fetchone()[0]


check(wait_for(lambda: done_count() == 2000, 240), "all 2,000 tasks end done", done_count())
runs = read("runs").split()
eq(len(runs), 2000, "2,000 executions")
eq(sorted(runs, key=int), [str(i) for i in range(1, 2001)], "each task ran exactly once")
with db() as c:
    results = dict(c.execute("SELECT args, result FROM queue WHERE task = 'count'").fetchall())
    workers = {r[0] for r in c.execute("SELECT worker FROM queue WHERE task = 'count'")}
for args, result in results.items():
    i = args.strip().split("=", 1)[1]
    if result != ("result-%s\n" % i).encode():
        check(False, "the stored result of count i=%s" % i, result)
check(len(workers) == 3, "the three workers shared the tasks", workers)
for tid in ids[::250]:
    rc, out, err = run("result", tid)
    eq(rc, 0, "smc result " + tid, err)
    check(out.startswith("result-"), "smc result prints the stored result", out)
rc, out, err = run("submit", "--stdin", stdin="count i=2001\n\ncount k=2\ncount i=3\n")
eq((rc, err), (64, "smc: error: line 3: 'count' has no parameter 'k'\n"),
   "--stdin stops at the first bad line, saying which")
eq(len(out.split()), 1, "... after submitting the lines before it")
check(wait_for(lambda: done_count() == 2001, 20), "which runs")
rc, out, _ = run("ps")
check("default                 0        0     2002        1        0        0        3" in out, "smc ps counts per queue", out)
stop(w2)
stop(w3)
w2 = w3 = None

# ---- --after: a dependent waits; a failed dependency skips it -----------------
a = submit("hold", "tag=a")
check(wait_for(lambda: os.path.exists("a.runs"), 20), "a runs")
b = submit("greet", "name=b", "--after", a)
eq(row(b)[0], "queued", "b waits for a")
f = submit("fail", "code=1")
c = submit("greet", "name=c", "--after", f)
check(wait_for(lambda: row(c)[0] == "skipped", 20), "a task after a failed one is skipped", row(c))
write("a.go", "")
rc, out, err = run("result", b, "--wait")
eq((rc, out), (0, "hello b b\n"), "b runs once a is done", err)
rc, out, err = run("submit", "greet", "name=d", "--after", f)
check(rc == 0 and row(out.strip())[0] == "skipped", "submitted after a failed task: skipped at once", out, err)
rc, out, err = run("result", c)
eq(rc, 70, "no result of a skipped task")
check("has no result: it is skipped (after failed task '%s')" % f in err, "smc result says why", err)

# ---- abort: a queued task is removed, a running one is killed with its group ----
stop(w1)
w1 = worker("q.topo", "--quiet", "--parallelism", "1")
workers_registered(1)
r = submit("forever", "tag=r")
check(wait_for(lambda: os.path.exists("r.runs") and processes_with("sleep NNN.5"), 20), "the running task started")
q = submit("forever", "tag=q")
rc, out, err = run("ps", q)
check(rc == 0 and out.startswith("task %s (forever), queue default: queued\n" % q), "smc ps ID of a queued task", out)
rc, out, err = run("abort", q)
eq((rc, out), (0, "aborted %s (forever): removed from queue default\n" % q), "abort of a queued task", err)
eq(row(q)[0], "aborted", "it is aborted")
rc, out, err = run("abort", r)
eq(rc, 0, "abort of a running task", err)
check(out.startswith("aborted %s (forever): stopped in " % r), "it is stopped", out)
eq(processes_with("sleep NNN.5"), [], "the task's process group is gone")
rc, out, err = run("ps", r)
check("queue default: aborted\n" in out and "aborted by smc abort" in out, "smc ps shows the abort", out)
check(not os.path.exists("q.runs"), "the aborted queued task never ran")
rc, out, err = run("abort", r)
eq((rc, err), (1, "smc: error: task %s (forever) already ended: aborted\n" % r), "abort of an ended task")

# ---- kill -9 of a worker mid-task: another takes it over after the lease ------------
k = submit("hold", "tag=k")
check(wait_for(lambda: os.path.exists("k.runs"), 20), "the task started on the first worker")
first = int(read("k.runs").split()[0])
w1.kill()
w1.wait()
w2 = worker("q.topo", "--parallelism", "2", log="w2.log")
check(wait_for(lambda: len(read("k.runs").split()) == 2, 20), "the task runs again on another worker",
      read("k.runs"), read("w2.log"))
check(not alive(first), "the first attempt's process was killed")
write("k.go", "")
rc, out, err = run("result", k, "--wait")
eq((rc, out), (0, "held-k\n"), "the task completes on the second worker", err)
eq(row(k)[1], 2, "as attempt 2")
check("taken over from worker" in read("w2.log"), "the worker says it took the task over", read("w2.log"))
eq(stop(w2), 0, "a worker stopped by SIGTERM exits 0")
with db() as c:
    eq(c.execute("PRAGMA integrity_check").fetchone()[0], "ok", "the store is intact")
eq(oct(os.stat(QDB).st_mode & 0o777), "0o600", "the store is private")

# ---- examples/queue.topo runs as its comment says --------------------------------
ex = os.path.join(ROOT, "examples")
w = subprocess.Popen([SMC, "worker", "queue.topo", "--quiet"], cwd=ex, stderr=subprocess.PIPE, start_new_session=True)
STARTED.append(w)
workers_registered(1)
p = subprocess.run([SMC, "submit", "words", "file=data/gettysburg.txt", "--wait"], cwd=ex, capture_output=True,
                   text=True, timeout=slow(30))
eq((p.returncode, p.stdout), (0, "278 words in data/gettysburg.txt\n"), "the example's words task", p.stderr)
p = subprocess.run([SMC, "submit", "top", "file=data/gettysburg.txt", "n=2", "--wait"], cwd=ex, capture_output=True,
                   text=True, timeout=slow(30))
eq((p.returncode, [l.split()[1] for l in p.stdout.splitlines()]), (0, ["that", "the"]), "the example's top task",
   p.stdout, p.stderr)
p = subprocess.run([SMC, "submit", "slow", "seconds=1", "--wait"], cwd=ex, capture_output=True, text=True,
                   timeout=slow(30))
eq((p.returncode, p.stdout), (0, "slept 1 s\n"), "the example's slow task", p.stderr)
eq(stop(w), 0, "the example's worker stops")
done()
