"""The one helper module of smc's Python tests (tests/*/*.py).

Every test script takes the smc binary as its first argument, works in a
fresh temporary folder (made and entered when this module is imported; the
folder's prefix comes from the importing helper, see `workdir`) and exits
non-zero on the first failed expectation, printing what was expected and what
came. The per-area helpers (runtime/smcutil.py, shell/shellutil.py,
jobs/jobutil.py) import everything from here and add only what their area
needs.

Timing: tests wait for conditions (`wait_for`), never for fixed sleeps; the
few wall-clock bounds a test asserts are multiplied by SLOWDOWN, read from the
environment variable SMC_TEST_SLOWDOWN (default 1), for slow or loaded machines
and sanitizer builds.

Memory: under AddressSanitizer (`make test-sanitize` exports SMC_SANITIZED=1)
a process reserves terabytes of address space and its resident memory is
several times larger (shadow memory, redzones, the quarantine of freed
blocks). Tests that bound memory therefore skip address-space limits
(`address_space_limit`) and multiply absolute RSS bounds by
SANITIZER_MEMORY_FACTOR (`memory_bound_kb`); the tests that must catch an
unbounded growth also compare the peak of a small run with that of a run ten
times larger (`peak_of`), which no constant overhead can hide.
"""
import os
import subprocess
import sys
import tempfile
import time

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
SMC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "build", "smc")
SLOWDOWN = float(os.environ.get("SMC_TEST_SLOWDOWN", "1") or 1)
SANITIZED = os.environ.get("SMC_SANITIZED", "") not in ("", "0")
# ASan's resident overhead for smc, measured: 1.9x to 4.7x (backpressure runs,
# channels, dedupe: 301 MB against 64 MB); 6 leaves room, and the tests that
# must catch a growth compare two input sizes as well (see memory_bound_kb).
SANITIZER_MEMORY_FACTOR = 6
CHECKS = 0
WORK = None


def workdir(prefix):
    """Makes and enters the test's private folder (once); its path."""
    global WORK
    if WORK is None:
        WORK = tempfile.mkdtemp(prefix=prefix)
        os.chdir(WORK)
    return WORK


def slow(seconds):
    """A wall-clock bound scaled for the machine (SMC_TEST_SLOWDOWN)."""
    return seconds * SLOWDOWN


def memory_bound_kb(kb):
    """An absolute peak-RSS bound in kB, scaled under sanitizers."""
    return kb * SANITIZER_MEMORY_FACTOR if SANITIZED else kb


def address_space_limit(megabytes, what):
    """A preexec_fn that caps a child's address space (RLIMIT_AS) at
    `megabytes`, or None under sanitizers (ASan reserves terabytes of virtual
    memory up front), saying once that the cap is skipped and why."""
    if SANITIZED:
        if what not in _SKIPPED_LIMITS:
            _SKIPPED_LIMITS.add(what)
            print("skipped: the %d MB address-space limit of %s: a sanitizer build (SMC_SANITIZED=1) reserves "
                  "terabytes of virtual memory" % (megabytes, what))
        return None

    def limit():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))
    return limit


_SKIPPED_LIMITS = set()


def peak_of(cmd, timeout=120, env=None):
    """Runs `cmd` (a list; no stdin); (status, peak RSS in kB of that process
    and the children it waited for, stderr text). A hang fails. The peak is
    at least this Python process's RSS at the fork (Linux keeps the high-water
    mark across exec), about 15 MB: fine for bounds and growth, not for
    measuring a smaller process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        end = time.monotonic() + slow(timeout)
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > end:
                p.kill()
                os.wait4(p.pid, 0)
                check(False, "%s ends within %s s" % (" ".join(cmd), slow(timeout)))
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, usage.ru_maxrss, err.read().decode("utf-8", "replace")


def write(name, text):
    with open(name, "w", encoding="utf-8") as f:
        f.write(text)
    return name


def read(name):
    with open(name, encoding="utf-8") as f:
        return f.read()


def topo(name, body):
    """Writes a .topo file holding one topology `t` with `body`."""
    return write(name, "topology t {\n" + body + "\n}\n")


def check(cond, what, *details):
    global CHECKS
    CHECKS += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        for d in details:
            print("  ", repr(d)[:3000], file=sys.stderr)
        sys.exit(1)


def eq(actual, expected, what, *details):
    check(actual == expected, what, "actual:   %r" % (actual,), "expected: %r" % (expected,), *details)


def lines(text):
    return text.splitlines()


def tsv(text):
    return [l.split("\t") for l in text.splitlines()]


def done():
    print("ok: %d checks" % CHECKS)
    sys.exit(0)


def skip(why):
    """Ends the test as skipped (ctest: SKIP_RETURN_CODE 77), saying why."""
    print("skipped: " + why)
    sys.exit(77)


def wait_for(cond, timeout, step=0.02):
    """Polls `cond` until it holds or `timeout` (scaled by SLOWDOWN) passes;
    its last value as a bool."""
    end = time.monotonic() + slow(timeout)
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


def run(*args, stdin=None, timeout=30, env=None):
    """Runs smc with args; (status, stdout, stderr) as text. A hang fails."""
    try:
        p = subprocess.run([SMC, *args], input=stdin, capture_output=True, text=True, timeout=slow(timeout), env=env)
    except subprocess.TimeoutExpired:
        check(False, "smc %s ends within %s s" % (" ".join(args), slow(timeout)))
    return p.returncode, p.stdout, p.stderr


def peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for l in f:
                if l.startswith("VmHWM:"):
                    return int(l.split()[1])
    except OSError:
        return None
    return None


def alive(pid):
    """Whether `pid` is a live process (a zombie is not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def children(pid):
    """The direct children of a process (all its threads')."""
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out
