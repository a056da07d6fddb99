"""Output streams through the real binary (issue 13, item 1).

Usage: streams.py SMC CASE.
  head        `smc run` of generate(rate: 300) -> stdout() piped into head -3
              returns within 1 s (scaled), smc ending with 141 (SIGPIPE)
  logs_tick   examples/logs.topo fed one error line, stdin left open: the
              alert and then the 10 s tick's count come out before stdin ends
  file        a file sink's line reaches the file while the input is open
  exec_lines  exec(grep) passes a line on at once while its input is open
              (stdbuf -oL); buffered: true runs the command without it
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import ROOT, SMC, check, done, eq, read, skip, slow, topo, wait_for, workdir  # noqa: E402

workdir("smc-streams-")


class Lines:
    """A running smc whose stdout is read line by line on a thread."""

    def __init__(self, args):
        import threading
        self.p = subprocess.Popen([SMC, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for l in self.p.stdout:
            self.lines.append(l.rstrip("\n"))

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def close(self, timeout=30):
        self.p.stdin.close()
        self.p.wait(timeout=slow(timeout))
        self.t.join(timeout=slow(timeout))
        return self.p.returncode, self.p.stderr.read()


def case_head():
    topo("rate.topo", "spout s = generate(rate: 300)\nsink o = stdout() <- s shuffle")
    start = time.monotonic()
    p = subprocess.run(["bash", "-c", '"$0" run rate.topo | head -3; echo "${PIPESTATUS[0]}" >&2', SMC],
                       capture_output=True, text=True, timeout=slow(60))
    took = time.monotonic() - start
    eq(p.stdout, "0\n1\n2\n", "head -3 gets the first three tuples")
    eq(p.stderr, "141\n", "smc ends quietly with 128 + SIGPIPE once head exits")
    check(took < slow(1.0), "| head -3 of a 300 tuples/s stream returns within 1 s", took)


def case_logs_tick():
    shutil.copy(os.path.join(ROOT, "examples", "logs.topo"), "logs.topo")
    run = Lines(["run", "logs.topo"])
    run.send('{"level": "error", "msg": "disk full", "host": "db1"}')
    alert = '{"level": "error", "msg": "disk full", "host": "db1"}'
    check(wait_for(lambda: alert in run.lines, 10), "the alert comes out while stdin is open", run.lines)
    tick = '{"host": "db1", "count": 1}'
    check(wait_for(lambda: tick in run.lines, 30), "the 10 s tick's count comes out while stdin is open", run.lines)
    check(run.p.poll() is None, "smc still runs (stdin still open)")
    rc, err = run.close()
    eq(rc, 0, "the run ends when stdin does", err)


def case_file():
    topo("file.topo", 'spout s = stdin()\nsink o = file(path: "out.txt", format: "lines") <- s shuffle')
    run = Lines(["run", "file.topo"])
    run.send("first")
    check(wait_for(lambda: os.path.exists("out.txt") and read("out.txt") == "first\n", 10),
          "the file holds the line while the input is open")
    run.send("second")
    check(wait_for(lambda: read("out.txt") == "first\nsecond\n", 10), "and the next one")
    rc, err = run.close()
    eq((rc, read("out.txt")), (0, "first\nsecond\n"), "the run ends with the whole file", err)


def case_exec_lines():
    if not shutil.which("stdbuf"):
        skip("coreutils' stdbuf is not installed")
    topo("grep.topo", 'spout s = stdin()\nbolt g = exec(command: "grep -v zzz") <- s shuffle\n'
         'sink o = stdout() <- g shuffle')
    run = Lines(["run", "grep.topo"])
    run.send("through grep")
    check(wait_for(lambda: run.lines == ["through grep"], 10), "grep's line comes out while its input is open",
          run.lines)
    rc, err = run.close()
    eq(rc, 0, "the run ends", err)
    # Whether the command runs under stdbuf: stdbuf -oL sets _STDBUF_O=L for it.
    for buffered, expect in (("false", "L"), ("true", "-")):
        topo("env.topo", 'spout s = stdin()\nbolt g = exec(command: "cat >/dev/null; printenv _STDBUF_O || echo -", '
             'buffered: %s) <- s shuffle\nsink o = stdout() <- g shuffle' % buffered)
        p = subprocess.run([SMC, "run", "env.topo"], input="x\n", capture_output=True, text=True,
                           timeout=slow(30))
        eq((p.returncode, p.stdout), (0, expect + "\n"), "buffered: %s" % buffered, p.stderr)


globals()["case_" + sys.argv[2]]()
done()
