"""Processes that open a fresh job store at the same moment: each sets it
up (WAL, schema) and none fails with "database is locked" (SQLite returns
SQLITE_BUSY without waiting for a write after a stale read; the setup is one
immediate transaction, tried again). 30 rounds of 8 `smc submit` started
together on a store that does not exist yet: every one exits 0, with its own
id, and the store holds the 8 tasks."""
import os
import sqlite3
import subprocess

from tasksutil import *  # noqa: F401,F403

write_topo("q.topo", """
tasks work {
    task greet(name) = exec("echo hello ${name}")
}
""")
for r in range(30):
    state = os.path.join(WORK, "state%d" % r)
    os.makedirs(state, mode=0o700)
    env = dict(os.environ, XDG_STATE_HOME=state)
    procs = [subprocess.Popen([SMC, "submit", "greet", "name=%d" % i], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(8)]
    outs = [p.communicate(timeout=slow(60)) + (p.returncode,) for p in procs]
    bad = [(rc, err) for out, err, rc in outs if rc != 0]
    eq(bad, [], "round %d: 8 submits on a fresh store all succeed" % r)
    ids = {out.strip() for out, err, rc in outs}
    eq(len(ids), 8, "round %d: 8 distinct ids" % r)
    with sqlite3.connect(os.path.join(state, "smc", "jobs.db"), timeout=10) as c:
        n = c.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
    eq(n, 8, "round %d: the store holds the 8 tasks" % r)
done()
