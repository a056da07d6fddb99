"""Helpers shared by the tests of shell(...) and exec(...) components and of
`smc component` (tests/shell/*.py).

Every script takes the smc binary as its first argument, works in a fresh
temporary folder (where the fake children are copied, so that `shell(...)`
commands, which run in the .topo file's folder, find them by a relative path)
and exits non-zero on the first failed expectation.

This process makes itself a child subreaper: whatever a run leaves behind
(an orphaned subprocess) is re-parented to it, and `no_leftovers()` fails the
test when such a process is still alive after a run.
"""
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import smctest  # noqa: E402
from smctest import ROOT, SLOWDOWN, SMC, check, eq, read, slow, topo, wait_for, write  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = smctest.workdir("smc-shell-")
for f in os.listdir(os.path.join(HERE, "children")):
    shutil.copy(os.path.join(HERE, "children", f), WORK)

PR_SET_CHILD_SUBREAPER = 36
try:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
except Exception:  # not Linux: no_leftovers() still checks by command line
    pass


def run(*args, stdin=None, timeout=30):
    """Runs smc with args; returns (status, stdout, stderr) as text. Checks
    that the run left no process behind."""
    try:
        p = subprocess.run([SMC, *args], input=stdin, capture_output=True, text=True, timeout=slow(timeout))
    except subprocess.TimeoutExpired as e:
        fail("smc %s did not end within %ss (hang)" % (" ".join(args), slow(timeout)),
             (e.stderr or b"")[-2000:] if isinstance(e.stderr, bytes) else e.stderr)
    no_leftovers("after smc " + " ".join(args))
    return p.returncode, p.stdout, p.stderr


def timed_run(*args, stdin=None, timeout=30):
    start = time.monotonic()
    r = run(*args, stdin=stdin, timeout=timeout)
    return r + (time.monotonic() - start,)


def start(*args, **kw):
    """Starts smc with args in the background (stdout and stderr to files
    out.txt and err.txt); returns the Popen."""
    return subprocess.Popen([SMC, *args], stdin=subprocess.DEVNULL, stdout=open("out.txt", "w"),
                            stderr=open("err.txt", "w"), **kw)


def finish(p, timeout=30):
    """Waits for a process from start(); returns (status, stdout, stderr, seconds waited)."""
    t0 = time.monotonic()
    try:
        rc = p.wait(timeout=slow(timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        fail("smc did not end within %ss (hang)" % timeout, read("err.txt")[-2000:])
    return rc, read("out.txt"), read("err.txt"), time.monotonic() - t0


def pids_of(pattern):
    """Live processes whose command line contains `pattern`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if pattern in cmd and state != "Z":
            found.append(int(pid))
    return found


def _orphans():
    """Processes re-parented to this one (it is their subreaper), and live
    processes whose command line names this test's folder."""
    me = os.getpid()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, ppid = fields[0], int(fields[1])
        if state == "Z":
            if ppid == me:
                try:
                    os.waitpid(int(pid), os.WNOHANG)
                except ChildProcessError:
                    pass
            continue
        if ppid == me or WORK in cmd:
            found.append("%s (%s)" % (pid, cmd))
    return found


def no_leftovers(what, wait=3.0):
    end = time.monotonic() + wait
    left = _orphans()
    while left and time.monotonic() < end:
        time.sleep(0.05)
        left = _orphans()
    if left:
        for p in left:  # do not leave them to the next test
            try:
                os.kill(int(p.split()[0]), signal.SIGKILL)
            except OSError:
                pass
    check(not left, "no process left behind " + what, *left)


def pgrep_none(pattern):
    """The check the brief asks for: `pgrep -f` finds none of our fake children."""
    p = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    check(p.returncode == 1, "pgrep -f %s finds nothing" % pattern, p.stdout)


def fail(what, *details):
    check(False, what, *details)


def has_line(text, line, what):
    check(line in text.splitlines(), what, "missing line: %r" % line, text[-3000:])


def matches(pattern, text, what):
    m = re.search(pattern, text, re.M)
    check(m is not None, what, "pattern: %r" % pattern, text[-3000:])
    return m


def metrics(path):
    """Per-component metrics of a run with --metrics PATH --metrics-format json."""
    with open(path) as f:
        doc = json.load(f)
    return {c["name"]: c for c in doc["components"]}


def records(prefix):
    """The JSON-lines records the fake children wrote, from every file named PREFIX*."""
    out = []
    for f in sorted(os.listdir(".")):
        if f.startswith(prefix):
            with open(f) as fh:
                out += [json.loads(l) for l in fh if l.strip()]
    return out


def clean(prefix):
    for f in os.listdir("."):
        if f.startswith(prefix):
            os.remove(f)


def done():
    pgrep_none(WORK)
    shutil.rmtree(WORK, ignore_errors=True)
    smctest.done()


def skip(why):
    print("SKIP: " + why)
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(77)
