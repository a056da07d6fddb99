"""Helpers shared by the tests of the job registry (smc ps, smc abort), of
channels and of files with several topologies (tests/jobs/*.py).

Every script takes the smc binary as its first argument and works in a fresh
temporary folder with a private runtime folder of its own (XDG_RUNTIME_DIR, a
temporary folder of mode 0700), so that it sees neither the user's real jobs
nor those of the other tests that ctest runs beside it. Channel names carry
TAG (holding this process's id) for the same reason. Each script exits
non-zero on the first failed expectation; whatever happens, it ends the
processes it started and removes its folders and its channels' segments.
"""
import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import smctest  # noqa: E402
from smctest import (SMC, SLOWDOWN, alive, check, children, done, eq, memory_bound_kb, peak_of,  # noqa: E402,F401
                     peak_rss_kb, read, slow, wait_for)

UID = os.getuid()
TAG = "jt%d" % os.getpid()
WORK = smctest.workdir("smc-jobs-")
RUNTIME = tempfile.mkdtemp(prefix="smc-jobs-xdg-")  # mode 0700
os.chmod(RUNTIME, 0o700)
JOBS_DIR = os.path.join(RUNTIME, "smc")
ENV = dict(os.environ, XDG_RUNTIME_DIR=RUNTIME)
STARTED = []  # every Popen, ended at exit


def write(name, text):
    """smctest.write; the file's absolute path."""
    return os.path.abspath(smctest.write(name, text))


def run(*args, stdin=None, timeout=30, env=None):
    """smctest.run in the private runtime folder; (status, stdout, stderr)."""
    return smctest.run(*args, stdin=stdin, timeout=timeout, env=env or ENV)


def start(*args, out=None, err=None, stdin=subprocess.DEVNULL, reap=True, **kw):
    """Starts smc with args in the background; its output goes to the files
    `out` and `err` (default: NAME.out/NAME.err after a counter)."""
    n = len(STARTED)
    out = out or "p%d.out" % n
    err = err or "p%d.err" % n
    with open(out, "w") as fo, open(err, "w") as fe:
        p = subprocess.Popen([SMC, *args], stdout=fo, stderr=fe, stdin=stdin, env=ENV, **kw)
    p.out_path, p.err_path = out, err
    STARTED.append(p)
    if reap:
        # Reaped as soon as it exits, as a shell would: `smc abort` takes a
        # zombie for a live job (see known_bugs.py, abort_zombie).
        threading.Thread(target=p.wait, daemon=True).start()
    return p


def start_shell(script, *args, **kw):
    """Starts bash -c SCRIPT with $0 = smc and $1... = args."""
    p = subprocess.Popen(["bash", "-c", script, SMC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=ENV, **kw)
    STARTED.append(p)
    return p


def finish(p, timeout, what):
    """Waits for a started process; its status. Fails (killing it) on a hang."""
    try:
        p.wait(timeout=slow(timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(False, "%s: ends within %s s (hang)" % (what, slow(timeout)), tail(p))
    return p.returncode


def tail(p):
    try:
        return read(p.err_path)[-2000:]
    except (AttributeError, OSError):
        return ""


def start_pair(consumer, producer, producer_args=(), tag=""):
    """Starts `smc run CONSUMER` (output consumerTAG.out/.err), then `smc run
    PRODUCER_ARGS PRODUCER` (producerTAG.out/.err); both Popens, once tuples
    reach the consumer."""
    c = start("run", consumer, out="consumer%s.out" % tag, err="consumer%s.err" % tag)
    p = start("run", *producer_args, producer, out="producer%s.out" % tag, err="producer%s.err" % tag)
    job_of(c, cond=lambda r: r["tuples_in"] > 0)
    return c, p


def survivor_notices(p, status, within, what, want_err):
    """The survivor `p` of a channel pair whose peer just went: it exits with
    `status` within `within` seconds (scaled by SLOWDOWN), its stderr holds
    `want_err`, and it removed the segment (before any other smc command
    could clean up after the pair). The seconds it took."""
    t0 = time.monotonic()
    eq(finish(p, 15, what), status, "%s: the survivor exits %d" % (what, status))
    el = time.monotonic() - t0
    check(el < slow(within), "%s: the survivor notices within %s s" % (what, within), el)
    err = read(p.err_path)
    check(want_err in err, "%s: the survivor says so" % what, err, want_err)
    eq(segments(), [], "%s: the survivor removed the segment" % what)
    return el


def ps_json(*args):
    st, out, err = run("ps", "--json", *args)
    check(st == 0 or args, "smc ps --json succeeds", st, err)
    if st != 0:
        return None
    if args:
        return [json.loads(l) for l in out.splitlines() if l.strip()]
    return json.loads(out)


def job_of(p, timeout=10, cond=lambda r: True, name=None):
    """The record of the job that Popen `p` runs, once it is listed (and
    `cond` holds for it); with `name`, of its child that runs that topology."""
    found = []

    def look():
        for r in ps_json() or []:
            if (r["name"] == name if name else r["pid"] == p.pid) and cond(r):
                found.append(r)
                return True
        return p.poll() is not None

    wait_for(look, timeout, 0.1)
    check(found, "job of pid %d listed by smc ps" % p.pid, p.poll(), tail(p))
    return found[0]


def records():
    try:
        return sorted(f for f in os.listdir(JOBS_DIR) if not f.startswith("."))
    except FileNotFoundError:
        return []


def segments():
    """This test's channel segments in /dev/shm (their names start with TAG)."""
    prefix = "smc-%d-%s" % (UID, TAG)
    try:
        return sorted(n for n in os.listdir("/dev/shm") if n.startswith(prefix))
    except FileNotFoundError:
        return []


def ours():
    """Live processes (smc and its subprocesses) that run with this test's
    runtime folder, the test itself aside."""
    found = []
    needle = ("XDG_RUNTIME_DIR=" + RUNTIME).encode() + b"\0"
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read()
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in env and state not in ("Z", "X"):
            found.append((int(pid), cmd))
    return found


def clean(what, timeout=5):
    """Nothing left: no job record, no process, no channel segment."""
    ok = wait_for(lambda: not records() and not ours() and not segments(), timeout, 0.05)
    check(ok, "%s: nothing left behind" % what, "records: %r" % records(), "processes: %r" % ours(),
          "segments: %r" % segments())


def _cleanup():
    for p in STARTED:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(timeout=5)
            except Exception:
                pass
    for _ in range(3):
        left = ours()
        if not left:
            break
        for pid, _cmd in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)
    for s in segments():
        try:
            os.unlink("/dev/shm/" + s)
        except OSError:
            pass
    os.chdir("/")
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(RUNTIME, ignore_errors=True)


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # ctest's timeout: still clean up
