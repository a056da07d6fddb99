"""Helpers of the task-graph tests (tests/tasks/*.py).

Each script runs in its own temporary folder with a private job store
(XDG_STATE_HOME) and job registry (XDG_RUNTIME_DIR), so that the scripts run
in parallel with each other and with the user's own jobs. Tasks leave marker
files to show what ran and when; the tests wait for conditions, never for
fixed times.
"""
import atexit
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import *  # noqa: F401,F403
import smctest

WORK = smctest.workdir("smc-tasks-")
os.makedirs(os.path.join(WORK, "state"), mode=0o700)
os.makedirs(os.path.join(WORK, "runtime"), mode=0o700)
os.environ["XDG_STATE_HOME"] = os.path.join(WORK, "state")
os.environ["XDG_RUNTIME_DIR"] = os.path.join(WORK, "runtime")
STORE = os.path.join(WORK, "state", "smc", "jobs.db")

# Workers started by a test (`worker`), killed when the test exits however it
# exits: a failed check exits at once, and no worker may outlive the test.
STARTED = []


@atexit.register
def _kill_workers():
    for p in STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()


def worker(*args, log="worker.log"):
    """Starts `smc worker ARGS...` in a session of its own, stderr to `log`."""
    f = open(log, "a")
    p = subprocess.Popen([SMC, "worker", *args], stdout=subprocess.DEVNULL, stderr=f, start_new_session=True)
    STARTED.append(p)
    return p


def stop(p):
    """SIGTERM to a worker; its exit status (a check fails if it does not stop)."""
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout=slow(20))
    except subprocess.TimeoutExpired:
        p.kill()
        check(False, "a worker stops on SIGTERM")



def run(*args, stdin=None, timeout=90, env=None):
    """smctest.run with a longer bound: task graphs start many processes,
    which a loaded machine (the whole suite at once) slows down a lot."""
    return smctest.run(*args, stdin=stdin, timeout=timeout, env=env)


def start(*args):
    """Starts smc in the background (its own session); the Popen."""
    return subprocess.Popen([smctest.SMC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(p, timeout=30):
    try:
        out, err = p.communicate(timeout=smctest.slow(timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        smctest.check(False, "smc ends within %s s" % timeout, err)
    return p.returncode, out, err


def db():
    return sqlite3.connect(STORE, timeout=10)


def job_ids():
    """Job ids in the store, oldest first."""
    if not os.path.exists(STORE):
        return []
    try:
        with db() as c:
            return [r[0] for r in c.execute("SELECT id FROM jobs ORDER BY started_ms, rowid")]
    except sqlite3.OperationalError:  # the store is being made
        return []


def new_job(before, timeout=10):
    """Waits for a job that is not in `before`; its id."""
    found = []
    smctest.wait_for(lambda: found.extend(j for j in job_ids() if j not in before) or found, timeout)
    smctest.check(found, "a new job appears in the store")
    return found[0]


def task_state(job, task):
    with db() as c:
        r = c.execute("SELECT state FROM tasks WHERE job = ? AND name = ?", (job, task)).fetchone()
    return r[0] if r else None


def wait_state(job, task, state, timeout=10):
    ok = smctest.wait_for(lambda: task_state(job, task) == state, timeout)
    smctest.check(ok, "task %s reaches state %s" % (task, state), task_state(job, task))


def stamps(name):
    """Float timestamps written one a line into a marker file."""
    if not os.path.exists(name):
        return []
    return [float(x) for x in smctest.read(name).split()]


def count_lines(name):
    return len(smctest.read(name).splitlines()) if os.path.exists(name) else 0


# Sleeps of this run only: "sleep NNN.5" in a test's text becomes "sleep 1234.5".
N = str(1000 + os.getpid() % 100000)


def write_topo(name, text):
    return smctest.write(name, text.replace("NNN", N))


def processes_with(text):
    """Pids of live processes whose command line holds `text` (NNN: see N)."""
    text = text.replace("NNN", N)
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd and smctest.alive(int(pid)):
            out.append(int(pid))
    return out


STAMP = "date +%s.%N >>"  # STAMP + " FILE": appends the time
