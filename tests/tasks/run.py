"""smc run on tasks blocks through the binary: a diamond runs its middle in
parallel and its end after both; retries succeed on attempt 3 after an
observed backoff; a timeout kills a task and its grandchildren; a failed
task skips its dependents, not the independent branch; results flow to
dependents; the examples run as written."""
import os
import shutil

from tasksutil import *  # noqa: F401,F403

# ---- a diamond, parallelism 2: b and c overlap, d after both -----------------
write_topo("diamond.topo", """
tasks diamond {
    set parallelism = 2
    task a = exec("%(s)s a.start; echo from-a")
    task b = exec("%(s)s b.start; touch b.go; until [ -e c.go ]; do sleep 0.01; done; %(s)s b.end; cat ${a.result}") after a
    task c = exec("%(s)s c.start; touch c.go; until [ -e b.go ]; do sleep 0.01; done; %(s)s c.end; echo \\"$SMC_RESULT_a\\"") after a
    task d = exec("%(s)s d.start; cat $SMC_RESULT_b ${c.result}") after b, c
}
""" % {"s": STAMP})
before = job_ids()
rc, out, err = run("run", "diamond.topo")
eq(rc, 0, "the diamond succeeds", err)
a, b0, b1, c0, c1, d = (stamps(n)[0] for n in ("a.start", "b.start", "b.end", "c.start", "c.end", "d.start"))
check(b0 < c1 and c0 < b1, "b and c run at the same time", (b0, b1), (c0, c1))
check(d >= max(b1, c1), "d starts after b and c end", d, b1, c1)
check(b0 >= a and c0 >= a, "b and c start after a")
job = new_job(before)
rc, res, err2 = run("result", job, "d")
eq(rc, 0, "smc result prints d's result", err2)
lines_d = res.splitlines()
eq(lines_d[0], "from-a", "b read a's result through ${a.result}; d read b's through $SMC_RESULT_b")
check(lines_d[1].endswith("/" + job + "/a.out"), "$SMC_RESULT_a is the path of a's result file", lines_d)
check("smc: tasks diamond (job %s): 4 done, 0 failed, 0 skipped, 0 aborted" % job in err, "the summary", err)

# ---- retries: fails twice, succeeds on attempt 3, backoff doubles ---------------
write_topo("retry.topo", """
tasks retry {
    task flaky = exec("%s tries; [ $(wc -l < tries) -ge 3 ]") { retries = 3, backoff = 300ms, backoff.max = 10s }
}
""" % STAMP)
before = job_ids()
rc, out, err = run("run", "retry.topo")
eq(rc, 0, "a task that succeeds on attempt 3 succeeds", err)
t = stamps("tries")
eq(len(t), 3, "three attempts ran")
check(t[1] - t[0] >= 0.8 * 0.3, "the first retry waits backoff (0.3 s, jitter 0.8-1.2)", t)
check(t[2] - t[1] >= 0.8 * 0.6, "the second retry waits twice as long", t)
check(t[2] - t[1] < 5, "... but not forever", t)
check("smc: task flaky exited with status 1 (attempt 1 of 4); retrying in" in err, "retries are reported", err)
job = new_job(before)
rc, log, _ = run("log", job)
check("flaky            done         3/4" in log, "smc log shows the attempt that succeeded", log)
eq(log.count("exit status 1"), 2, "smc log lists the two failed attempts", log)

# ---- a timeout kills the task and its grandchildren ---------------------------
write_topo("timeout.topo", """
tasks t {
    task slow = exec("sleep NNN.5 & (trap '' TERM; sleep NNN.25) & sleep NNN.75; wait") { timeout = 300ms, kill.grace = 300ms }
    task after_slow = exec("echo no") after slow
    task other = exec("echo yes")
}
""")
before = job_ids()
rc, out, err = run("run", "timeout.topo")
eq(rc, 70, "a timed-out task fails the run (70)", err)
check("smc: task slow failed: timed out after 0.30 s (attempt 1 of 1)" in err, "the timeout is reported", err)
check("after_slow       skipped" in err and "after failed task 'slow'" in err, "its dependent is skipped", err)
check("other            done" in err, "the independent task ran", err)
for s in ("sleep NNN.5", "sleep NNN.25", "sleep NNN.75"):
    check(wait_for(lambda: not processes_with(s), 5), "nothing of the task survives: " + s, processes_with(s))
job = new_job(before)
rc, ps, _ = run("ps", job)
check(any(l.startswith("slow ") and "timeout" in l and "failed" in l for l in ps.splitlines()),
      "smc ps shows the timeout", ps)

# ---- a failure skips the dependents and not the independent branch -----------
write_topo("skip.topo", """
tasks s {
    set parallelism = 1
    task bad = exec("echo oops >&2; exit 4")
    task child = exec("touch child.ran") after bad
    task grandchild = exec("touch grandchild.ran") after child
    task free = exec("touch free.ran")
}
""")
rc, out, err = run("run", "skip.topo")
eq(rc, 70, "a failed task fails the run", err)
check("smc: task bad failed: exited with status 4 (attempt 1 of 1)\n    oops\n" in err, "the last lines of its log", err)
check(not os.path.exists("child.ran") and not os.path.exists("grandchild.ran"), "dependents did not run")
check(os.path.exists("free.ran"), "the independent task ran")
check("grandchild       skipped  attempt 0/1     0.00 s  after skipped task 'child'" in err, "summary names why", err)

# ---- ${x.result} needs `after x` --------------------------------------------
write_topo("noafter.topo", 'tasks n {\n  task a = exec("true")\n  task b = exec("cat ${a.result}")\n}\n')
rc, out, err = run("run", "noafter.topo")
eq(rc, 65, "a result used without a dependency is an error", err)
eq(err, "noafter.topo:3:8: error: task 'b' uses ${a.result} but does not run after 'a'; add 'after a'\n", "message")

# ---- parameters: ${p} by smc, "$p" by the shell ---------------------------------
write_topo("params.topo", 'param who = "x"\ntasks p {\n  task a = exec("echo ${who}; echo \\"$who\\"")\n}\n')
before = job_ids()
rc, out, err = run("run", "params.topo", "-p", "who=a b;c")
eq(rc, 0, "params", err)
eq(run("result", new_job(before), "a")[1], "a b\na b;c\n", "${who} is pasted as text; \"$who\" is quoted by the shell")

# ---- a big result spills to its file; a small one is in the store too ------------
write_topo("big.topo", 'tasks big {\n  task big = exec("head -c 100000 /dev/zero | tr \'\\\\0\' x")\n  task small = exec("echo s")\n}\n')
before = job_ids()
rc, out, err = run("run", "big.topo")
eq(rc, 0, "big results", err)
job = new_job(before)
rc, res, err = run("result", job, "big")
eq((rc, len(res), set(res)), (0, 100000, {"x"}), "smc result prints a spilled result", err)
with db() as c:
    rows = dict(c.execute("SELECT name, result IS NULL FROM tasks WHERE job = ?", (job,)).fetchall())
eq(rows, {"big": 1, "small": 0}, "over 64 KiB stays in its file only; small results are stored")

# ---- smc graph draws task graphs -------------------------------------------------
rc, dot, err = run("graph", "diamond.topo")
eq(rc, 0, "smc graph on a task graph", err)
check('  subgraph "cluster_tasks_diamond" {\n    label="tasks diamond";\n' in dot, "a cluster per tasks block", dot)
for e in ("a\" -> \"tasks diamond/b", "a\" -> \"tasks diamond/c", "b\" -> \"tasks diamond/d", "c\" -> \"tasks diamond/d"):
    check(('"tasks diamond/' + e + '";') in dot, "an edge per dependency: " + e, dot)
rc, text, err = run("graph", "--format", "text", "diamond.topo")
eq(text, "tasks diamond\n  a (exec)\n  b (exec) after a\n  c (exec) after a\n  d (exec) after b, c\n", "text form")

# ---- the examples run as written ----------------------------------------------
# ---- templates: instances run with their arguments, defaults and settings -----
write_topo("templates.topo", """
tasks media {
    task resize(path, size = "640x480") = exec("echo resize ${path} to ${size}") { retries = 2 }
    task small = resize(path: "a.jpg")
    task big = resize("b.jpg", size: "1920x1080") after small
}
""")
before = job_ids()
rc, out, err = run("run", "templates.topo")
eq(rc, 0, "a block of template instances runs", err)
job = new_job(before)
eq(run("result", job, "small")[1], "resize a.jpg to 640x480\n", "the default applies")
eq(run("result", job, "big")[1], "resize b.jpg to 1920x1080\n", "positional and named arguments")
check("smc: tasks media (job %s): 2 done," % job in err, "the template itself does not run", err)
rc, log, _ = run("log", job)
check("small            done         1/3" in log, "the template's settings apply to its instances", log)

shutil.copytree(os.path.join(ROOT, "examples"), "ex")
os.chdir("ex")
for name in ("nightly", "wordcounts", "chain"):
    before = job_ids()
    rc, out, err = run("run", name + ".topo", timeout=60)
    eq(rc, 0, "examples/%s.topo runs" % name, err)
    job = new_job(before)
    if name == "nightly":
        check(read("counts.tsv").count("\n") > 100, "nightly counts the words", read("counts.tsv")[:200])
        check(run("result", job, "report")[1].startswith("that\t13\n"), "nightly reports", run("result", job, "report"))
    if name == "wordcounts":
        eq(run("result", job, "total")[1], "lines 22\nwords 278\nemails 101\n", "the fan-out joins")
    if name == "chain":
        check(run("result", job, "top")[1].startswith("THAT\t13\n"), "chained topologies", run("result", job, "top"))
done()
