"""Helpers shared by the integration tests of `smc run` (tests/runtime/*.py).

Every test script takes the smc binary as its first argument, works in a
fresh temporary folder and exits non-zero on the first failed expectation.
"""
import os
import subprocess
import sys
import tempfile
import time

# Tight wall-clock bounds are multiplied by this (sanitizer builds, loaded machines).
SLOWDOWN = float(os.environ.get("SMC_TEST_SLOWDOWN", "1") or "1")
HERE = os.path.dirname(os.path.abspath(sys.argv[0]))
ROOT = os.path.dirname(os.path.dirname(HERE))
SMC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "smc"
WORK = tempfile.mkdtemp(prefix="smc-rt-")
os.chdir(WORK)
CHECKS = 0


def write(name, text):
    with open(name, "w", encoding="utf-8") as f:
        f.write(text)
    return name


def topo(name, body):
    """Writes a .topo file holding one topology `t` with `body`."""
    return write(name, "topology t {\n" + body + "\n}\n")


def run(*args, stdin=None, timeout=30, env=None):
    """Runs smc with args; returns (status, stdout, stderr) as text."""
    p = subprocess.run([SMC, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def check(cond, what, *details):
    global CHECKS
    CHECKS += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        for d in details:
            print("  ", repr(d)[:3000], file=sys.stderr)
        sys.exit(1)


def eq(actual, expected, what):
    check(actual == expected, what, "actual:   %r" % (actual,), "expected: %r" % (expected,))


def lines(text):
    return text.splitlines()


def tsv(text):
    return [l.split("\t") for l in text.splitlines()]


def done():
    print("ok: %d checks" % CHECKS)
    sys.exit(0)


def peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for l in f:
                if l.startswith("VmHWM:"):
                    return int(l.split()[1])
    except OSError:
        return None
    return None


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
