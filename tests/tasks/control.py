"""Controlling running task graphs through the binary: progress lines of a
running task appear in `smc ps JOB` (also from the Python module's
progress()); `smc abort JOB/TASK` stops one task and its grandchildren,
marks it aborted and its dependents skipped, and lets the rest run;
`smc abort JOB` stops the whole graph; `smc ps` counts the tasks."""
import os

from tasksutil import *  # noqa: F401,F403

PY = os.path.join(os.path.dirname(SMC), "share", "smc", "python")

# ---- progress in smc ps, then abort of one task by id ---------------------------
write_topo("ctl.topo", """
tasks ctl {
    set parallelism = 3
    task talk = exec("echo '42%% reading input' >&$SMC_PROGRESS_FD; while [ ! -e go ]; do sleep 0.02; done; echo 3/4 >&$SMC_PROGRESS_FD; while [ ! -e go2 ]; do sleep 0.02; done")
    task py   = exec("python3 -c 'import sys; sys.path.insert(0, \\"%s\\"); import storm; storm.progress(0.25, \\"quarter\\"); import os, time\\nwhile not os.path.exists(\\"go\\"): time.sleep(0.02)'")
    task long = exec("sleep NNN.5 & (trap '' TERM; sleep NNN.25) & wait")
    task next = exec("touch next.ran") after long
}
""" % PY)
before = job_ids()
p = start("run", "ctl.topo")
job = new_job(before)


def ps_row(task):
    rc, out, _ = run("ps", job)
    for l in out.splitlines():
        if l.split()[:1] == [task]:
            return l
    return ""


check(wait_for(lambda: "42%" in ps_row("talk") and "reading input" in ps_row("talk"), 10),
      "the progress line appears in smc ps JOB", ps_row("talk"))
check("running" in ps_row("talk") and "1/1" in ps_row("talk"), "with state and attempt", ps_row("talk"))
check(wait_for(lambda: "25%" in ps_row("py") and "quarter" in ps_row("py"), 10),
      "storm.progress() reports too", ps_row("py"))
rc, listing, _ = run("ps")
check(any(l.startswith(job) and "tasks: 0 done, 3 running, 1 queued" in l for l in listing.splitlines()),
      "smc ps counts done/running/queued", listing)
check(wait_for(lambda: processes_with("sleep NNN.25"), 5), "the long task runs")
rc, out, err = run("abort", job + "/long", "--wait", "300ms")
eq(rc, 0, "smc abort JOB/TASK succeeds", err)
check(out.startswith("aborted %s/long (ctl): stopped in" % job), "and says so", out)
for s in ("sleep NNN.5", "sleep NNN.25"):
    check(wait_for(lambda: not processes_with(s), 5), "nothing of the aborted task survives: " + s)
eq(task_state(job, "long"), "aborted", "the task is aborted")
eq(task_state(job, "next"), "skipped", "its dependent is skipped")
eq(task_state(job, "talk"), "running", "the rest runs on")
write("go", "")
check(wait_for(lambda: "75%" in ps_row("talk"), 10), "N/M progress", ps_row("talk"))
write_topo("go2", "")
rc, out, err = finish(p)
eq(rc, 70, "the run fails: one task was aborted", err)
check("smc: tasks ctl (job %s): 2 done, 0 failed, 1 skipped, 1 aborted" % job in err, "summary", err)
check("next             skipped  attempt 0/1     0.00 s  after aborted task 'long'" in err, "skip reason", err)
check(not os.path.exists("next.ran"), "the dependent did not run")
rc, out, err = run("abort", job + "/talk")
eq(rc, 1, "aborting a task of a finished job fails", out, err)
eq(err, "smc: error: job %s is not running (failed)\n" % job, "and says why")

# ---- smc abort JOB stops the whole graph ------------------------------------------
write_topo("all.topo", """
tasks all {
    set parallelism = 2
    task one = exec("sleep NNN.5")
    task two = exec("sleep NNN.25 & wait")
    task three = exec("true") after one
}
""")
before = job_ids()
p = start("run", "all.topo")
job = new_job(before)
check(wait_for(lambda: processes_with("sleep NNN.5") and processes_with("sleep NNN.25"), 10), "both run")
rc, out, err = run("abort", job, "--wait", "1s")
eq(rc, 0, "smc abort JOB", err)
rc2, out2, err2 = finish(p)
eq(rc2, 70, "the aborted graph fails", err2)
for t, s in (("one", "aborted"), ("two", "aborted"), ("three", "skipped")):
    eq(task_state(job, t), s, "task %s after smc abort JOB" % t)
for s in ("sleep NNN.5", "sleep NNN.25"):
    check(wait_for(lambda: not processes_with(s), 5), "nothing survives: " + s)
rc, listing, _ = run("ps")
check(job not in listing, "the job left the registry", listing)
rc, listing, _ = run("ps", "--all")
check(any(l.startswith(job) and " aborted " in l for l in listing.splitlines()) or
      any(l.startswith(job) for l in listing.splitlines()), "smc ps --all lists it", listing)
done()
