#!/usr/bin/env python3
"""exec(...) line filters: order, parallel instances, commands that write only
at the end (sort), exit early (head) or fail, and a large input."""
import os
import re

from shellutil import *

N = 5000
words = ["w%05d-%s" % (i, "abcxyz"[i % 6]) for i in range(N)]
inp = "\n".join(words) + "\n"


def exec_topo(name, cmd, par="", errors=False):
    return topo(name, """  spout s = stdin()
  bolt  e = exec("%s")%s <- s shuffle
  sink  o = stdout(format: "lines") <- e shuffle%s""" % (cmd, par, """
  sink  x = file(path: "errors.tsv") <- e.errors shuffle""" if errors else ""))


exec_topo("cat.topo", "cat")
eq(run("run", "cat.topo", stdin=inp), (0, inp, ""), "exec cat x1: output order matches input order")

exec_topo("tr.topo", "tr a-z A-Z", par=" x2")
rc, out, err = run("run", "tr.topo", stdin=inp)
eq((rc, err), (0, ""), "exec tr x2: run")
eq(sorted(out.splitlines()), sorted(w.upper() for w in words), "exec tr x2: the same multiset, upper-cased")

exec_topo("sort.topo", "sort -r")
rc, out, err = run("run", "sort.topo", stdin=inp)
eq((rc, out, err), (0, "\n".join(sorted(words, reverse=True)) + "\n", ""),
   "exec sort (writes nothing until its input ends)")

# head -3 exits early: 3 lines out, unread lines on the errors stream, a warning.
# 200,000 lines, far more than a pipe holds, so that head exits while smc
# still has input for it (with a small input see known_bugs.py exec_head_small).
hwords = ["w%06d-%s" % (i, "abcxyz"[i % 6]) for i in range(200000)]
exec_topo("head.topo", "head -3", errors=True)
rc, out, err, secs = timed_run("run", "head.topo", stdin="\n".join(hwords) + "\n", timeout=20)
eq((rc, out), (0, "\n".join(hwords[:3]) + "\n"), "exec head -3: exit 0 and exactly the first 3 lines")
check(secs < 10, "exec head -3: no hang", secs)
matches(r"^smc: warning: bolt 'e' \(head\.topo:3:9\) instance 0: command '/bin/sh -c head -3' \(pid \d+\) "
        r"ended before its input; lines written to it that it had not read are lost, and the rest go to the errors stream$", err, "exec head: a warning")
errs = [l.split("\t") for l in read("errors.tsv").splitlines()]
check(all(len(e) == 2 and e[1] == "the command exited before reading this line" for e in errs),
      "exec head: errors are (input, reason)", errs[:3])
check(len(errs) + 3 <= len(hwords), "exec head: out + errors at most the input", len(errs))
unread = set(hwords[3:])
check(all(e[0] in unread for e in errs), "exec head: errors hold unread input lines", errs[:3])
eq(len({e[0] for e in errs}), len(errs), "exec head: no line twice in errors")
check(len(errs) > 100000, "exec head: most of the 200,000 lines reach the errors stream", len(errs))

# A failing command: a warning with its status; the run itself succeeds.
exec_topo("exit.topo", "exit 3", errors=True)
rc, out, err, secs = timed_run("run", "exit.topo", stdin="a\nb\n", timeout=20)
eq((rc, out), (0, ""), "exec 'exit 3': exit 0, no output")
matches(r"^smc: warning: bolt 'e' \(exit\.topo:3:9\) instance 0: command '/bin/sh -c exit 3' \(pid \d+\) "
        r"exited with status 3$", err, "exec 'exit 3': a warning naming the status")
check(secs < 10, "exec 'exit 3': no hang", secs)

# A command that fails after reading everything: a warning, output kept.
exec_topo("late.topo", "cat; echo oops >&2; exit 4")
rc, out, err = run("run", "late.topo", stdin=inp)
eq((rc, out), (0, inp), "exec 'cat; exit 4': output kept")
matches(r"^smc: warning: bolt 'e' \(late\.topo:3:9\) instance 0: command '/bin/sh -c cat; echo oops >&2; exit 4' "
        r"\(pid \d+\) exited with status 4; last stderr: oops$", err, "exec 'cat; exit 4': a warning with stderr")
has_line(err, "[e#0] oops", "exec: the command's stderr is forwarded")

# Runs in the .topo file's folder.
write("here.txt", "from the topo folder\n")
os.makedirs("sub", exist_ok=True)
topo("sub/cwd.topo", """  spout s = stdin()
  bolt  e = exec("cat ../here.txt >/dev/null && pwd; cat >/dev/null") <- s shuffle
  sink  o = stdout(format: "lines") <- e shuffle""")
eq(run("run", "sub/cwd.topo", stdin="x\n"), (0, os.path.join(WORK, "sub") + "\n", ""),
   "exec runs in the .topo file's folder")

# 200,000 lines through cat on one worker thread.
big = "".join("line %d\n" % i for i in range(200000))
exec_topo("big.topo", "cat")
rc, out, err, secs = timed_run("run", "--threads", "1", "big.topo", stdin=big, timeout=30)
eq((rc, err), (0, ""), "exec cat, 200k lines, --threads 1: run")
check(out == big, "exec cat, 200k lines, --threads 1: every line, in order", len(out), len(big))

pgrep_none(WORK)
done()
