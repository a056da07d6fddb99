"""Helpers shared by the integration tests of `smc run` (tests/runtime/*.py).

Every test script takes the smc binary as its first argument, works in a
fresh temporary folder and exits non-zero on the first failed expectation.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import write, topo, check, lines, tsv, done, peak_rss_kb  # noqa: E402,F401  (the shared helpers)

# Tight wall-clock bounds are multiplied by this (sanitizer builds, loaded machines).
SLOWDOWN = float(os.environ.get("SMC_TEST_SLOWDOWN", "1") or "1")
HERE = os.path.dirname(os.path.abspath(sys.argv[0]))
ROOT = os.path.dirname(os.path.dirname(HERE))
SMC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "smc"
WORK = tempfile.mkdtemp(prefix="smc-rt-")
os.chdir(WORK)


def run(*args, stdin=None, timeout=30, env=None):
    """Runs smc with args; returns (status, stdout, stderr) as text."""
    p = subprocess.run([SMC, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def eq(actual, expected, what):
    check(actual == expected, what, "actual:   %r" % (actual,), "expected: %r" % (expected,))


def wait_for(cond, timeout, step=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def job_record(pid):
    """The job registry's record (smc ps --json) of the run with process `pid`, or None."""
    p = subprocess.run([SMC, "ps", "--json"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        return None
    try:
        import json
        for r in json.loads(p.stdout):
            if r.get("pid") == pid:
                return r
    except ValueError:
        return None
    return None


def wait_for_record(pid, cond, timeout=10):
    """Waits until the run `pid` is registered with a record for which cond(record) holds."""
    return wait_for(lambda: (lambda r: r is not None and cond(r))(job_record(pid)), timeout * SLOWDOWN, step=0.05)
