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

# A tuple holding newlines or CRs is one line for the command: they become spaces.
topo("nl.topo", """  spout s = stdin(format: "json", fields: ["t"])
  bolt  e = exec("cat") <- s shuffle
  sink  o = stdout(format: "lines") <- e shuffle""")
eq(run("run", "nl.topo", stdin='{"t": "a\\nb"}\n{"t": "c\\r\\nd\\re"}\n{"t": "f"}\n'), (0, "a b\nc  d e\nf\n", ""),
   "exec: newlines and CRs inside a tuple become spaces (one tuple, one line)")

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
check(secs < slow(10), "exec head -3: no hang", secs)
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

# A failing command is a failure of the component (on.failure applies).
def exec_fail_topo(name, cmd, policy, extra=""):
    return topo(name, """  spout s = stdin()
  bolt  e = exec("%s"%s) <- s shuffle { %s }
  sink  o = stdout(format: "lines") <- e shuffle
  sink  x = file(path: "errors.tsv") <- e.errors shuffle""" % (cmd, extra, policy))


exec_fail_topo("exit.topo", "exit 3", 'on.failure = "fail"')
rc, out, err, secs = timed_run("run", "exit.topo", stdin="a\nb\n", timeout=20)
eq((rc, out), (70, ""), "exec 'exit 3': a failure, exit 70")
matches(r"^smc: error: bolt 'e' \(exit\.topo:3:9\) failed: command '/bin/sh -c exit 3' \(pid \d+\) "
        r"exited with status 3$", err, "exec 'exit 3': the error names the status")
check(secs < slow(10), "exec 'exit 3': no hang", secs)

# A command that does not exist: restarted up to max.restarts, then exit 70.
exec_fail_topo("nocmd.topo", "no-such-command-smc-test", "max.restarts = 2")
rc, out, err, secs = timed_run("run", "nocmd.topo", stdin=inp, timeout=20)
eq((rc, out), (70, ""), "exec of a missing command: exit 70", err)
eq(re.findall(r"restarting it \((\d) of (\d)\)", err), [("1", "2"), ("2", "2")], "exec: restarts counted")
matches(r"^smc: error: bolt 'e' \(nocmd\.topo:3:9\) failed: command '/bin/sh -c no-such-command-smc-test' "
        r"\(pid \d+\) exited with status 127; last stderr: .*no-such-command-smc-test.*not found$", err,
        "exec of a missing command: the error names the command, its status and stderr")
check(secs < slow(10), "exec of a missing command: bounded", secs)

# grep exits 1 when nothing matches: a failure unless ok_status allows it.
exec_fail_topo("grep.topo", "grep no-such-word", 'on.failure = "fail"')
rc, out, err = run("run", "grep.topo", stdin=inp)
eq((rc, out), (70, ""), "exec grep without a match: exit 70 by default", err)
matches(r"command '/bin/sh -c grep no-such-word' \(pid \d+\) exited with status 1$", err, "grep: status 1 named")
exec_fail_topo("grep2.topo", "grep no-such-word", 'on.failure = "fail"', extra=", ok_status: [0, 1]")
eq(run("run", "grep2.topo", stdin=inp), (0, "", ""), "exec grep with ok_status [0, 1]: exit 0, quiet")
exec_fail_topo("grep3.topo", "grep w0000", 'on.failure = "fail"', extra=", ok_status: [0, 1]")
eq(run("run", "grep3.topo", stdin=inp), (0, "".join(w + "\n" for w in words if "w0000" in w), ""),
   "exec grep with ok_status [0, 1] and matches: the matching lines")
topo("okbad.topo", """  spout s = stdin()
  bolt  e = exec("cat", ok_status: ["0"]) <- s shuffle
  sink  o = stdout() <- e shuffle""")
rc, out, err = run("check", "okbad.topo")
eq(rc, 65, "ok_status must be a list of integers", err)
check("a list of integers" in err, "ok_status: the diagnostic says what is expected", err)

# A command that fails after reading everything: on.failure "fail" fails the run.
exec_fail_topo("late.topo", "cat; echo oops >&2; exit 4", 'on.failure = "fail"')
rc, out, err = run("run", "late.topo", stdin=inp)
eq(rc, 70, "exec 'cat; exit 4': exit 70", err)
matches(r"^smc: error: bolt 'e' \(late\.topo:3:9\) failed: command '/bin/sh -c cat; echo oops >&2; exit 4' "
        r"\(pid \d+\) exited with status 4; last stderr: oops$", err, "exec 'cat; exit 4': the error with stderr")
has_line(err, "[e#0] oops", "exec: the command's stderr is forwarded")

# A filter killed mid-stream (once): restarted, and every line it may not have
# processed is sent again: every input line comes out at least once.
write("killer.py", """import os, sys
once = not os.path.exists("killed-marker")
for n, line in enumerate(sys.stdin, 1):
    sys.stdout.write(line)
    if n == 3000 and once:
        open("killed-marker", "w").close()
        sys.stdout.flush()
        os.kill(os.getpid(), 9)
""")
N2 = 20000
kin = "".join("k%d\n" % i for i in range(N2))
exec_fail_topo("killed.topo", "exec python3 killer.py", "")
rc, out, err = run("run", "killed.topo", stdin=kin)
eq(rc, 0, "a filter killed once, restarted: exit 0", err)
eq(set(out.split()), set(kin.split()), "a filter killed once: every line comes out at least once")
matches(r"^smc: warning: bolt 'e' \(killed\.topo:3:9\) instance 0: command '/bin/sh -c exec python3 killer.py' "
        r"\(pid \d+\) killed by signal 9 \(Killed\); restarting it \(1 of 3\)$", err, "the kill is reported")
os.remove("killed-marker")
exec_fail_topo("killed2.topo", "exec python3 killer.py", 'on.failure = "fail"')
rc, out, err = run("run", "killed2.topo", stdin=kin)
eq(rc, 70, "a filter killed mid-stream with on.failure fail: exit 70", err)
matches(r"^smc: error: bolt 'e' \(killed2\.topo:3:9\) failed: command '/bin/sh -c exec python3 killer.py' "
        r"\(pid \d+\) killed by signal 9 \(Killed\)$", err, "the failure names the signal")
errs = read("errors.tsv").splitlines()
check(len(out.split()) + len(errs) <= N2, "killed: output and errors within the input", len(errs))

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
