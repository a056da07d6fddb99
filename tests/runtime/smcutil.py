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
import smctest  # noqa: E402
# The shared helpers; SLOWDOWN multiplies tight wall-clock bounds (sanitizer builds, loaded machines).
from smctest import (ROOT, SLOWDOWN, SMC, alive, check, children, done, eq, lines, memory_bound_kb,  # noqa: E402,F401
                     peak_of, peak_rss_kb, run, slow, topo, tsv, wait_for, write)

HERE = os.path.dirname(os.path.abspath(sys.argv[0]))
WORK = smctest.workdir("smc-rt-")


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
    return wait_for(lambda: (lambda r: r is not None and cond(r))(job_record(pid)), timeout, step=0.05)  # wait_for scales by SLOWDOWN
