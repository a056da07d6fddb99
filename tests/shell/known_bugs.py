#!/usr/bin/env python3
"""Bugs found by these tests, one per argument, each registered DISABLED in
CMakeLists.txt until fixed (run one: python3 known_bugs.py SMC NAME).

restart_spurious_ack_errors
    A shell bolt whose child acks some tuples of a batch and then dies is
    restarted and the whole unconfirmed batch is sent again (at least once,
    as documented). The new child acks the resent tuples, and the acks of the
    ones the dead child had already acked are reported as
    "[b#0] error: ack of an unknown or already acked tuple id '1'" and counted
    as errors of the component, although the child did nothing wrong.
    Repro: a child that SIGKILLs itself at its 3rd tuple (once), 20 tuples:
    stderr has two such lines and --metrics counts errors: 2 (expected 0).

exec_head_small
    exec("head -3") fed 5000 short lines (less than a pipe holds): 3 lines
    come out, the other 4997 are neither on the errors stream nor counted,
    and most runs print no warning (some do, by chance, and still put no
    line on the errors stream): input lost silently. (With 200,000 lines the
    warning and the errors stream work; exec_filters.py tests that.) The
    warning depends on whether the topology's input ended before the command
    exited, a race; smc could instead tell that the command exited while its
    standard input was still open (not closed by smc), or with bytes unread.

float_integral
    A float with an integral value (1.0, -0.0, 1e20) reaches a shell child as a
    JSON integer (AppendDatumJson writes "%.17g": "1", "-0",
    "1e+20" is fine but "1" and "-0" are not), so Storm adapters see an int
    (Python: int 1, and 0 for -0.0, losing the sign); the child's emit then
    carries an int. Storm's serializer writes doubles as doubles (1.0).
"""
import sys

from shellutil import *

FAKE = "python3 %s/fake.py" % WORK
name = sys.argv[2] if len(sys.argv) > 2 else ""

if name == "restart_spurious_ack_errors":
    clean("fault-marker")
    topo("k.topo", """  spout s = generate(count: 20)
  bolt  b = shell("%s kill 3 once") <- s shuffle -> (n)
  sink  o = stdout() <- b shuffle""" % FAKE)
    rc, out, err = run("run", "k.topo", "--metrics", "m.json", "--metrics-format", "json")
    eq(rc, 0, "restart: the run completes", err)
    eq(sorted(set(map(int, out.split()))), list(range(20)), "restart: every tuple at least once")
    eq([l for l in err.splitlines() if "unknown or already acked" in l], [],
       "acks of resent tuples are no error")
    eq(metrics("m.json")["b"]["errors"], 0, "no error counted after a clean restart")
elif name == "exec_head_small":
    topo("h.topo", """  spout s = stdin()
  bolt  e = exec("head -3") <- s shuffle
  sink  o = stdout(format: "lines") <- e shuffle
  sink  x = file(path: "errors.tsv") <- e.errors shuffle""")
    rc, out, err = run("run", "h.topo", stdin="".join("%d\n" % i for i in range(5000)))
    eq((rc, out), (0, "0\n1\n2\n"), "head -3: 3 lines")
    matches(r"^smc: warning: bolt 'e' .*ended before its input", err, "head -3 on 5000 lines: a warning")
    check(len(read("errors.tsv").splitlines()) > 0, "head -3 on 5000 lines: unread lines on the errors stream")
elif name == "float_integral":
    topo("f.topo", """  spout s = stdin(format: "json", fields: ["a", "b", "c"])
  bolt  b = shell("%s types") <- s shuffle -> (a, b, c)
  sink  o = stdout(format: "json") <- b shuffle""" % FAKE)
    rc, out, err = run("run", "f.topo", stdin='{"a": 1.0, "b": -0.0, "c": 2.5}\n')
    eq((rc, err), (0, ""), "run")
    r = [r for r in records("rec-types-") if "types" in r][0]
    eq(r["types"], ["float", "float", "float"], "floats reach the child as floats")
    eq(str(r["values"][1]), "-0.0", "-0.0 keeps its sign")
else:
    fail("unknown bug name %r" % name)
done()
