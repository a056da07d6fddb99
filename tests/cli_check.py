#!/usr/bin/env python3
"""Command-line behaviour of smc that users and scripts rely on: exit
statuses, --help, --version, smc graph's output. Usage: cli_check.py SMC"""
import os
import subprocess
import sys
import tempfile

SMC = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def run(*args, stdin=""):
    return subprocess.run([SMC, *args], input=stdin, capture_output=True, text=True, timeout=30)


def expect(name, cond, detail=""):
    if not cond:
        failures.append(f"{name}: {detail}")


wordcount = os.path.join(ROOT, "examples", "wordcount.topo")

r = run("--version")
expect("--version", r.returncode == 0 and r.stdout.startswith("smc "), r.stdout + r.stderr)
r = run("--help")
expect("--help", r.returncode == 0 and "check" in r.stdout and "graph" in r.stdout and "run" in r.stdout, r.stdout)
for cmd in ("check", "graph", "run"):
    r = run(cmd, "--help")
    expect(f"{cmd} --help", r.returncode == 0 and "-p,--param" in r.stdout, r.stdout)
r = run()
expect("no command: exit 64", r.returncode == 64, f"{r.returncode} {r.stderr}")
r = run("frobnicate")
expect("unknown command: exit 64", r.returncode == 64, f"{r.returncode} {r.stderr}")
r = run("check", "--bogus", wordcount)
expect("unknown option: exit 64", r.returncode == 64, f"{r.returncode} {r.stderr}")
r = run("check", "/nonexistent/x.topo")
expect("missing file: exit 66", r.returncode == 66, f"{r.returncode}")
expect("missing file: message", r.stderr == "smc: error: cannot open '/nonexistent/x.topo': No such file or directory\n",
       r.stderr)
r = run("check", wordcount)
expect("valid: exit 0, silent", r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr)
r = run("check", "-", stdin="topology t {\n  spout s = stdin()\n  sink o = stdut() <- s shuffle\n}\n")
expect("stdin: exit 65", r.returncode == 65, f"{r.returncode}")
expect("stdin: file name", r.stderr.startswith("<stdin>:3:12: error: unknown sink implementation 'stdut'; "
                                               "did you mean 'stdout'?\n"), r.stderr)
# -p takes one value per use, so files after it stay files.
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "p.topo")
    with open(p, "w") as f:
        f.write("param n = 3\ntopology t {\n  spout s = generate(count: $n)\n  sink o = null() <- s shuffle\n}\n")
    r = run("check", "-p", "n=4", p, wordcount)
    expect("-p then two files", r.returncode == 0, f"{r.returncode} {r.stderr}")
    r = run("check", p, "-p", "m=4")
    expect("-p undeclared: exit 64", r.returncode == 64, f"{r.returncode}")
    expect("-p undeclared: message", r.stderr == "smc: error: -p m=4: no parameter 'm' is declared\n", r.stderr)
    r = run("check", p, "-p", "n=x")
    expect("-p wrong type: exit 64", r.returncode == 64, f"{r.returncode} {r.stderr}")
    r = run("check", p, "-p", "n")
    expect("-p without '=': exit 64", r.returncode == 64, f"{r.returncode} {r.stderr}")
r = run("graph", "--format", "text", wordcount)
expect("graph text", r.returncode == 0 and r.stdout ==
       "topology wordcount\n"
       "  sentences[1] (stdin)\n"
       "  split[3] (split) <-shuffle- sentences\n"
       "  count[3] (count) <-fields(word)- split\n"
       "  out[1] (stdout) <-global- count\n", r.stdout)
r = run("graph", wordcount)
expect("graph dot", r.returncode == 0 and r.stdout.startswith("digraph smc {\n") and
       '"wordcount/split" -> "wordcount/count" [label="fields(word)\\n(word)"];' in r.stdout, r.stdout)
r = run("graph", "--format", "svg", wordcount)
expect("graph bad format: exit 64", r.returncode == 64, f"{r.returncode}")

# Hostile .topo input (issue 9, items 2 and 5): deep lists, unclosed lists,
# doubling parameters and a 1 MB name give one diagnostic, exit 65, in well
# under a second and a bounded amount of memory (no recursion on the input's
# depth, no n x m matrix). Bounds scale with SMC_TEST_SLOWDOWN (default 1).
# Memory: a 512 MB address-space limit (RLIMIT_AS) in a plain build; in a
# sanitizer build, which reserves terabytes of address space, the limit is
# skipped (said once) and the peak RSS is checked instead, against 512 MB
# times smctest.SANITIZER_MEMORY_FACTOR.
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smctest import SANITIZED, SLOWDOWN, address_space_limit, memory_bound_kb, peak_of  # noqa: E402


def check_hostile(name, text, first_line, seconds=1.0, memory_mb=512):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "h.topo")
        with open(path, "w") as f:
            f.write(text)
        start = time.monotonic()
        if SANITIZED:  # no RLIMIT_AS: the peak RSS instead
            address_space_limit(memory_mb, "the hostile-input checks")
            rc, peak_kb, stderr = peak_of([SMC, "check", path], timeout=60)
            p = subprocess.CompletedProcess([SMC, "check", path], rc, "", stderr)
            expect(f"{name}: peak RSS", peak_kb < memory_bound_kb(memory_mb << 10),
                   f"{peak_kb} kB, bound {memory_bound_kb(memory_mb << 10)} kB")
        else:
            p = subprocess.run([SMC, "check", path], capture_output=True, text=True, timeout=60 * SLOWDOWN,
                               preexec_fn=address_space_limit(memory_mb, "the hostile-input checks"))
        took = time.monotonic() - start
        errors = [l for l in p.stderr.splitlines() if ": error: " in l]
        expect(f"{name}: exit 65", p.returncode == 65, f"{p.returncode} {p.stderr[:300]}")
        expect(f"{name}: one error", len(errors) == 1, p.stderr[:300])
        expect(f"{name}: message", p.stderr.startswith(path + ":" + first_line + "\n"), p.stderr[:300])
        expect(f"{name}: time", took < seconds * SLOWDOWN, f"{took:.2f} s, bound {seconds * SLOWDOWN:.2f} s")


check_hostile("20,000 nested lists", "param p = " + "[" * 20000 + "]" * 20000 + "\n",
              "1:75: error: lists nest deeper than 64 levels")
check_hostile("200,000 unclosed lists", "param p = " + "[" * 200000 + "\n",
              "1:75: error: lists nest deeper than 64 levels")
check_hostile("10,000 nested lists in an argument",
              "topology t {\n  spout s = generate(x: " + "[" * 10000 + "]" * 10000 + ")\n}\n",
              "2:89: error: lists nest deeper than 64 levels")
check_hostile("doubling parameters",
              'param p0 = "ab"\n' + "".join('param p%d = "${p%d}${p%d}"\n' % (i, i - 1, i - 1) for i in range(1, 31)),
              "21:13: error: string is longer than 1 MiB after expanding parameters")
check_hostile("doubling lists",
              "param p0 = [1, 2]\n" + "".join("param p%d = [$p%d, $p%d]\n" % (i, i - 1, i - 1) for i in range(1, 40)),
              "17:13: error: list is longer than 1 MiB after expanding parameters")
check_hostile("copies past the file's budget",
              'param p0 = "' + "x" * 100000 + '"\n' + "".join('param p%d = "${p0}"\n' % i for i in range(1, 1000)),
              "169:17: error: parameters expand to more than 16 MiB in this file")
long_name = "a" * 1000000
check_hostile("1 MB unknown name",
              "topology t {\n  spout %s = stdin()\n  sink o = stdout() <- %sb shuffle\n}\n" % (long_name, long_name),
              "3:24: error: unknown component '%sb' in topology 't'; did you mean '%s'?" % (long_name, long_name))
check_hostile("1 MB name, short candidates",
              "topology t {\n  spout s = stdin()\n  sink o = stdout() <- %s shuffle\n}\n" % long_name,
              "3:24: error: unknown component '%s' in topology 't'" % long_name)

# Channel field inference follows a chain of 3,000 topologies, each reading
# the channel the next one's sink sends (listed against the flow), without
# validating any topology twice: valid, silent, well under two seconds.
chain = "".join('topology t%d {\n  %s\n  sink o = channel("c%d") <- s shuffle\n}\n' %
                (i, 'spout s = stdin()' if i == 2999 else 'spout s = channel("c%d")' % (i + 1), i)
                for i in range(3000))
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "chain.topo")
    with open(path, "w") as f:
        f.write(chain)
    start = time.monotonic()
    r = subprocess.run([SMC, "check", path], capture_output=True, text=True, timeout=60 * SLOWDOWN)
    took = time.monotonic() - start
    expect("channel chain: exit 0, silent", r.returncode == 0 and r.stderr == "", f"{r.returncode} {r.stderr[:300]}")
    expect("channel chain: time", took < 2 * SLOWDOWN, f"{took:.2f} s, bound {2 * SLOWDOWN:.2f} s")

# A file with nothing to run or draw says so; a tasks-only file run with
# --topology names its tasks blocks.
with tempfile.TemporaryDirectory() as d:
    empty = os.path.join(d, "empty.topo")
    open(empty, "w").close()
    for cmd, what in (("run", "run"), ("graph", "draw")):
        r = run(cmd, empty)
        expect(f"empty file: {cmd}", r.returncode == 65 and r.stdout == "" and
               r.stderr == f"smc: error: '{empty}' declares no topology and no tasks block: nothing to {what}\n",
               f"{r.returncode} {r.stdout!r} {r.stderr!r}")
    tasks_only = os.path.join(d, "tasks.topo")
    with open(tasks_only, "w") as f:
        f.write('tasks nightly {\n  task a = exec("true")\n}\n')
    r = run("run", tasks_only, "--topology", "main")
    expect("tasks-only file, --topology", r.returncode == 64 and r.stderr ==
           f"smc: error: '{tasks_only}' has no topology 'main', only tasks blocks: nightly (run one with --tasks NAME)\n",
           f"{r.returncode} {r.stderr!r}")
    r = run("graph", "--format", "text", tasks_only)
    expect("tasks-only file: graph", r.returncode == 0 and r.stdout == "tasks nightly\n  a (exec)\n",
           f"{r.returncode} {r.stdout!r} {r.stderr!r}")

# Relative paths in a .topo are taken from its folder, wherever smc starts:
# a file spout reads, and a file sink writes, next to the .topo file; a
# missing file is named as resolved.
with tempfile.TemporaryDirectory() as d:
    sub = os.path.join(d, "sub")
    os.mkdir(sub)
    with open(os.path.join(sub, "in.txt"), "w") as f:
        f.write("a\nb\n")
    with open(os.path.join(sub, "t.topo"), "w") as f:
        f.write('param input = "in.txt"\ntopology t {\n  spout s = file(path: $input)\n'
                '  sink o = file(path: "out.txt", format: "lines") <- s shuffle\n}\n')
    r = subprocess.run([SMC, "run", "sub/t.topo"], cwd=d, capture_output=True, text=True, timeout=30 * SLOWDOWN)
    out = os.path.join(sub, "out.txt")
    written = open(out).read() if os.path.exists(out) else None
    expect("relative paths: from the file's folder", r.returncode == 0 and written == "a\nb\n" and
           not os.path.exists(os.path.join(d, "out.txt")), f"{r.returncode} {written!r} {r.stderr!r}")
    r = subprocess.run([SMC, "run", "sub/t.topo", "-p", "input=missing.txt"], cwd=d, capture_output=True, text=True,
                       timeout=30 * SLOWDOWN)
    expect("relative paths: the resolved path in messages", r.returncode == 74 and
           "cannot open 'sub/missing.txt': No such file or directory" in r.stderr, f"{r.returncode} {r.stderr!r}")

if failures:
    print("\n".join(failures))
    print(f"0 passed, {len(failures)} failed")
    sys.exit(1)
print("cli: all checks passed")
