#!/usr/bin/env python3
"""Regression tests of bugs found by these tests; each is DISABLED in
CMakeLists.txt until fixed. Usage: known_bugs.py SMC BUG.

abort_zombie: `smc abort` takes a job that has exited but is not reaped yet
  (a zombie: its parent, a supervisor or a script, waits for it later) for a
  live one. JobRegistry::Alive (runtime/jobs.cc) asks kill(pid, 0), which
  succeeds for a zombie, and /proc/PID/stat still gives its start time. So
  abort waits out all of --wait although the job drained and exited at once,
  sends SIGKILL, waits 5 s more, and reports "smc: error: job ID (pid N) would
  not die" with status 70:

    python3 -c 'import subprocess, time
    p = subprocess.Popen(["smc", "run", "wc.topo"], stdout=subprocess.DEVNULL)
    time.sleep(1.5)
    print(subprocess.run(["smc", "abort", "--wait", "2s", "wordcount"]).returncode)  # 70, after 7 s
    print(p.wait())                                                                  # 143: it had drained'

  (wc.topo: random_sentence(rate: 2000) -> split -> count -> stdout.)
  Expected: "aborted ID (wordcount): drained and stopped in 0.0x s", status 0.
"""
from jobutil import *

bug = sys.argv[2]
if bug == "abort_zombie":
    write("wc.topo", """topology wordcount {
    spout s = random_sentence(rate: 2000)
    bolt  w = split() x2 <- s shuffle
    bolt  c = count(key: "word") <- w fields(word)
    sink  o = stdout() <- c global
}
""")
    p = start("run", "wc.topo", reap=False)  # reaped later, as by a supervisor
    r = job_of(p, cond=lambda r: r["tuples_in"] > 0)
    t0 = time.monotonic()
    st, out, err = run("abort", "--wait", "2s", "wordcount")
    el = time.monotonic() - t0
    eq(p.wait(timeout=10), 143, "the job drained and exited")
    eq((st, err), (0, ""), "abort: status, no error")
    check(out.startswith("aborted %s (wordcount): drained and stopped in " % r["id"]), "abort: drained", out)
    check(el < slow(1.5), "abort: returns once the job has exited", el)
    clean("abort_zombie")
else:
    check(False, "a known bug", bug)
done()
