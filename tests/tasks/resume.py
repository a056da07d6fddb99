"""Crash recovery through the binary: kill -9 of `smc run` while two tasks
run and one is done; `smc run --resume JOB` runs the two again (and what
comes after), not the done one (marker files count executions), and
reuses its stored result; `--resume FILE` finds the job too; the store
survives (SQLite integrity check), is private (0700/0600), and `smc gc`
prunes finished jobs with their files."""
import os
import signal
import stat

from tasksutil import *  # noqa: F401,F403

write_topo("crash.topo", """
tasks crash {
    set parallelism = 2
    task first  = exec("echo x >> first.ran; echo first-result")
    task slow1  = exec("echo x >> slow1.ran; while [ ! -e go ]; do sleep 0.02; done; echo s1") after first
    task slow2  = exec("echo x >> slow2.ran; while [ ! -e go ]; do sleep 0.02; done; echo s2") after first
    task last   = exec("echo x >> last.ran; cat ${first.result} $SMC_RESULT_slow1 ${slow2.result}") after slow1, slow2
}
""")
before = job_ids()
p = start("run", "crash.topo")
job = new_job(before)
wait_state(job, "slow1", "running")
wait_state(job, "slow2", "running")
eq(task_state(job, "first"), "done", "first is done")
check(wait_for(lambda: count_lines("slow1.ran") == 1 and count_lines("slow2.ran") == 1, 5), "both slow tasks started")
os.kill(p.pid, signal.SIGKILL)
p.wait()
eq(task_state(job, "slow1"), "running", "after kill -9 the store still says running")
with db() as c:
    eq(c.execute("PRAGMA integrity_check").fetchone()[0], "ok", "the store survives kill -9")
rc, out, err = run("ps", job)
check(" crashed," in out.splitlines()[0], "smc ps JOB says the job crashed", out)

write("go", "")
rc, out, err = run("run", "--resume", job)
eq(rc, 0, "the resumed job succeeds", err)
check("smc: resuming job %s (tasks crash): 1 of 4 tasks already done\n" % job in err, "resume says what it reuses", err)
eq(count_lines("first.ran"), 1, "the done task did not run again")
eq(count_lines("slow1.ran"), 2, "slow1 ran again")
eq(count_lines("slow2.ran"), 2, "slow2 ran again")
eq(count_lines("last.ran"), 1, "last ran once")
eq(run("result", job, "last")[1], "first-result\ns1\ns2\n", "the stored result of first was reused")
rc, log, _ = run("log", job)
check(log.startswith("job %s (tasks crash): done," % job), "smc log shows the finished job", log)
for t in ("first", "slow1", "slow2", "last"):
    check(any(l.split()[:2] == [t, "done"] for l in log.splitlines()), "smc log: %s done" % t, log)
rc, out, err = run("run", "--resume", job)
eq((rc, err), (0, "smc: job %s finished with every task done: nothing to resume\n" % job), "nothing left to resume")

# ---- --resume FILE: the newest unfinished job of that file ------------------------
os.remove("go")
before = job_ids()
p = start("run", "crash.topo")
job2 = new_job(before)
wait_state(job2, "slow1", "running")
os.kill(p.pid, signal.SIGKILL)
p.wait()
write("go", "")
rc, out, err = run("run", "crash.topo", "--resume")
eq(rc, 0, "--resume FILE", err)
check("smc: resuming job %s (tasks crash): 1 of 4 tasks already done" % job2 in err, "finds the crashed job", err)
eq(count_lines("first.ran"), 2, "its done task is not run again either")

# ---- what a crashed run left running is killed before the resume -----------------
write_topo("orphan.topo", 'tasks orphan {\n  task o = exec("if [ ! -e go3 ]; then sleep NNN.5 & fi; echo x >> o.ran; while [ ! -e go3 ]; do sleep 0.02; done")\n}\n')
before = job_ids()
p = start("run", "orphan.topo")
job3 = new_job(before)
check(wait_for(lambda: processes_with("sleep NNN.5"), 10), "the task's background sleep runs")
os.kill(p.pid, signal.SIGKILL)
p.wait()
orphans = processes_with("sleep NNN.5")
check(orphans, "after kill -9 of smc run its task's grandchild lives on")
write("go3", "")
rc, out, err = run("run", "--resume", job3)
eq(rc, 0, "resume", err)
check(wait_for(lambda: not any(alive(o) for o in orphans), 5), "the resume killed the orphan", orphans)
eq(count_lines("o.ran"), 2, "and ran the task again")

# ---- the store: private, intact; gc ---------------------------------------------
with db() as c:
    eq(c.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity")
    eq(c.execute("PRAGMA journal_mode").fetchone()[0], "wal", "WAL mode")
eq(stat.S_IMODE(os.stat(STORE).st_mode), 0o600, "the store file is 0600")
eq(stat.S_IMODE(os.stat(os.path.dirname(STORE)).st_mode), 0o700, "its folder is 0700")
jobdir = os.path.join(os.path.dirname(STORE), "jobs", job)
check(os.path.exists(os.path.join(jobdir, "first.out")), "results are files in the job's folder")
rc, out, err = run("gc", "--older-than", "7d")
eq((rc, out), (0, "pruned 0 jobs\n"), "nothing is 7 days old", err)
rc, out, err = run("gc", "--older-than", "0s")
eq(rc, 0, "gc", err)
check("pruned %s\n" % job in out and "pruned %s\n" % job2 in out and "pruned %s\n" % job3 in out,
      "gc prunes finished jobs", out)
check(not os.path.exists(jobdir), "and their files")
eq(run("result", job, "last")[0], 1, "a pruned job is gone")
rc, out, err = run("gc", "--older-than", "7 days")
eq((rc, err), (64, "smc: error: --older-than expects an age such as 30m, 12h, 7d or 2w, got '7 days'\n"), "bad age")

# ---- a store that is not private is refused ---------------------------------------
os.chmod(os.path.dirname(STORE), 0o755)
rc, out, err = run("run", "crash.topo")
eq(rc, 74, "a store folder others can read is refused", err)
check("is not a private folder of this user (mode 0700)" in err, "and says why", err)
os.chmod(os.path.dirname(STORE), 0o700)
done()
