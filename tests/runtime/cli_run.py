#!/usr/bin/env python3
"""`smc run` as a command: exit statuses, failure reports, --plan, --topology,
--metrics (text and json), --for, and named streams (parse_json's errors)."""
import json
import re

from smcutil import *

# ---- exit statuses -----------------------------------------------------------
two = write("two.topo", """topology one {
    spout s = generate(count: 3)
    sink  o = stdout() <- s shuffle
}
topology two {
    spout s = generate(count: 2, start: 10)
    sink  o = stdout() <- s shuffle
}
""")
rc, out, err = run("run", two)
eq((rc, sorted(out.split()), err), (0, ["0", "1", "10", "11", "2"], ""),
   "several topologies without --topology: each runs, in its own process")
eq(run("run", "--topology", "tow", two), (64, "", "smc: error: no topology 'tow' in 'two.topo'; did you mean 'two'?\n"),
   "unknown --topology")
eq(run("run", "--topology", "two", two), (0, "10\n11\n", ""), "--topology two")
eq(run("run", "--topology", "one", two), (0, "0\n1\n2\n", ""), "--topology one")
eq(run("run", "nosuch.topo"), (66, "", "smc: error: cannot open 'nosuch.topo': No such file or directory\n"),
   "missing file: 66")
os.mkdir("tdir")
for cmd in ("check", "graph", "run"):
    eq(run(cmd, "tdir"), (66, "", "smc: error: cannot read 'tdir': Is a directory\n"), "smc %s DIR: 66" % cmd)
root = os.open("/", os.O_RDONLY)
p = subprocess.run([SMC, "check", "-"], stdin=root, capture_output=True, text=True, timeout=30)
os.close(root)
eq((p.returncode, p.stdout, p.stderr), (66, "", "smc: error: cannot read standard input: Is a directory\n"),
   "smc check - with stdin a directory: 66")
rc, out, err = run("run", "--bogus", two)
eq((rc, out), (64, ""), "unknown option: 64")
eq(run("run", "--for", "5", two), (64, "", "smc: error: --for expects a duration such as 10s or 5m, got '5'\n"),
   "--for without unit: 64")
eq(run("run", "--for", "0s", "--topology", "one", two)[0], 64, "--for 0s: 64")
eq(run("run", "--metrics-format", "xml", two)[0], 64, "bad --metrics-format: 64")
eq(run("run", "--threads", "0", two)[0], 64, "--threads 0: 64")
eq(run("run", "-p", "x=1", two), (64, "", "smc: error: -p x=1: no parameter 'x' is declared\n"), "undeclared -p: 64")
bad = topo("bad.topo", """    spout s = stdin()
    bolt  b = splt() <- s shuffle
    sink  o = stdout() <- b shuffle""")
eq(run("run", bad), (65, "", """bad.topo:3:15: error: unknown bolt implementation 'splt'; did you mean 'split'?
        bolt  b = splt() <- s shuffle
                  ^~~~
"""), "invalid topology: 65, nothing run")
eq(run("run", "--plan", bad)[0], 65, "--plan of an invalid topology: 65")
eq(run("run", topo("nost.topo", "    spout s = generate(count: 3)"))[0], 0, "a topology without a sink runs")
param = write("param.topo", """param n = 3
topology t {
    spout s = generate(count: $n)
    sink  o = stdout() <- s shuffle
}
""")
eq(run("run", "-p", "n=5", param), (0, "0\n1\n2\n3\n4\n", ""), "-p overrides a parameter")
# (-p of the wrong type: 64, as both man pages say: see known_bugs.py p_wrong_type.)

# ---- --plan ------------------------------------------------------------------
plan = topo("plan.topo", """    set batch.size = 64
    spout s = stdin(format: "tsv", fields: ["a", "b"])
    bolt  c = count(key: "b", emit: "tick") x2 <- s fields(b) { tick = 250ms, max.pending = 4 }
    sink  o = stdout() <- c global, s.errors shuffle""")
eq(run("run", "--plan", plan, stdin="never read\n"), (0, """topology t
  spout s = stdin x1 batch=64 pending=8  # plan.topo:3:11
    default -> c [fields b]
    errors -> o [shuffle]
  bolt c = count x2 batch=64 pending=4 tick=250ms  # plan.topo:4:11
    default -> o [global]
  sink o = stdout x1 batch=64 pending=8  # plan.topo:5:11
""", ""), "--plan")

# ---- failures: name, location, 70; inputs and outputs that cannot be opened: 74 --
os.mkdir("adir")
f = topo("fail1.topo", """    spout s = generate(count: 10)
    sink  o = file(path: "adir") <- s shuffle""")
eq(run("run", f), (74, "", "smc: error: sink 'o' (fail1.topo:3:11) failed: cannot open 'adir' for writing: Is a directory\n"),
   "a file sink on a directory: an I/O error, 74")
f = topo("fail3.topo", """    spout s = generate(count: 10)
    bolt  i = identity() x2 <- s shuffle
    sink  o = file(path: "adir") <- i shuffle""")
eq(run("run", f), (74, "", "smc: error: sink 'o' (fail3.topo:4:11) failed: cannot open 'adir' for writing: Is a directory\n"),
   "a file sink on a directory, below a bolt: 74")
f = topo("fail5.topo", """    spout s = generate(count: 10)
    sink  o = file(path: "no/such/dir/out.txt") <- s shuffle""")
eq(run("run", f), (74, "", "smc: error: sink 'o' (fail5.topo:3:11) failed: cannot open 'no/such/dir/out.txt' for writing: "
                   "No such file or directory\n"), "an unwritable file sink: 74")
f = topo("fail6.topo", """    spout s = file(path: "adir")
    sink  o = stdout() <- s shuffle""")
eq(run("run", f), (74, "", "smc: error: spout 's' (fail6.topo:2:11) failed: cannot read 'adir': Is a directory\n"),
   "a file spout on a directory: 74")
f = topo("fail7.topo", """    spout s = generate(count: 10)
    bolt  i = identity() <- s shuffle
    sink  o = file(path: "adir") <- i shuffle
    sink  p = stdout() <- s shuffle""")
rc, out, err = run("run", f)
eq((rc, err), (74, "smc: error: sink 'o' (fail7.topo:4:11) failed: cannot open 'adir' for writing: Is a directory\n"),
   "an I/O failure beside a working sink: 74")
f = topo("fail4.topo", """    spout s = stdin()
    bolt  i = identity() x2 <- s shuffle
    sink  o = stdout() <- i shuffle""")
root = os.open("/", os.O_RDONLY)
p = subprocess.run([SMC, "run", f], stdin=root, capture_output=True, text=True, timeout=30)
os.close(root)
eq((p.returncode, p.stdout, p.stderr),
   (74, "", "smc: error: spout 's' (fail4.topo:2:11) failed: cannot read standard input: Is a directory\n"),
   "stdin that is a directory: an I/O error, 74")
f = topo("full.topo", """    spout s = generate(count: 100000)
    sink  o = file(path: "/dev/full") <- s shuffle""")
eq(run("run", f), (74, "", "smc: error: cannot write to '/dev/full': No space left on device\n"), "write error: 74")
p = subprocess.run([SMC, "run", two, "--topology", "one"], stdout=open("/dev/full", "w"), capture_output=False,
                   stderr=subprocess.PIPE, text=True, timeout=30)
eq((p.returncode, p.stderr), (74, "smc: error: cannot write to standard output: No space left on device\n"),
   "stdout write error: 74")

# ---- metrics -----------------------------------------------------------------
wc = topo("wc.topo", """    spout s = stdin()
    bolt  w = split() x2 <- s shuffle
    bolt  c = count(key: "word") x2 <- w fields(word)
    sink  o = stdout() <- c global""")
inp = "a b c\n" * 10
rc, out, err = run("run", "--metrics", "-", "--metrics-format", "json", wc, stdin=inp)
eq((rc, sorted(lines(out))), (0, ["a\t10", "b\t10", "c\t10"]), "metrics json: output")
m = json.loads(err)
eq(sorted(m), ["components", "edges", "seconds", "topology"], "metrics json: keys")
eq(m["topology"], "t", "metrics json: topology")
check(isinstance(m["seconds"], float) and 0 <= m["seconds"] < 30, "metrics json: seconds", m["seconds"])
comps = [(c["name"], c["kind"], c["impl"], c["location"], c["parallelism"], c["emitted"], c["executed"], c["errors"])
         for c in m["components"]]
eq(comps, [("s", "spout", "stdin", "wc.topo:2:11", 1, 10, 0, 0),
           ("w", "bolt", "split", "wc.topo:3:11", 2, 30, 10, 0),
           ("c", "bolt", "count", "wc.topo:4:11", 2, 3, 30, 0),
           ("o", "sink", "stdout", "wc.topo:5:11", 1, 0, 3, 0)], "metrics json: counts")
for c in m["components"]:
    eq(sorted(c), sorted(["name", "kind", "impl", "location", "parallelism", "emitted", "executed", "errors",
                          "execute_latency_ms", "capacity", "streams"]), "metrics json: component keys")
    check(c["execute_latency_ms"] >= 0 and 0 <= c["capacity"] <= 1.5, "metrics json: latency and capacity", c)

rc, out, err = run("run", "--metrics", "-", wc, stdin=inp)
eq(rc, 0, "metrics text: status")
ml = lines(err)
check(re.fullmatch(r"topology t: \d+\.\d{3} s", ml[0]), "metrics text: first line", ml[0])
eq(ml[1].split(), ["component", "kind", "impl", "x", "emitted", "executed", "errors", "latency(ms)", "capacity"],
   "metrics text: header")
ml = ml[:6]  # the component table (streams and edges follow)
eq([l.split()[:7] for l in ml[2:]], [["s", "spout", "stdin", "1", "10", "0", "0"],
                                     ["w", "bolt", "split", "2", "30", "10", "0"],
                                     ["c", "bolt", "count", "2", "3", "30", "0"],
                                     ["o", "sink", "stdout", "1", "0", "3", "0"]], "metrics text: rows")
for l in ml[2:]:
    check(re.fullmatch(r"\d+\.\d{6}", l.split()[7]) and re.fullmatch(r"\d+\.\d{3}", l.split()[8]),
          "metrics text: latency and capacity", l)
widths = {len(l) for l in ml[1:]}
eq(len(widths), 1, "metrics text: aligned columns")
rc, out, err = run("run", "--metrics", "metrics.json", "--metrics-format", "json", wc, stdin=inp)
eq((rc, err), (0, ""), "metrics to a file: nothing on stderr")
eq(json.load(open("metrics.json"))["components"][2]["emitted"], 3, "metrics to a file")
eq(run("run", "--metrics", "adir/x/y.json", wc, stdin=inp), (66, "", "smc: error: cannot open 'adir/x/y.json' for writing\n"),
   "metrics file that cannot be opened: 66")

# ---- named streams: parse_json errors --------------------------------------------
pj = topo("pj.topo", """    spout s = stdin()
    bolt  p = parse_json(fields: ["a", "b"]) <- s shuffle
    sink  o = stdout() <- p shuffle
    sink  e = file(path: "errors.tsv") <- p.errors shuffle""")
bad_in = '{"a":1,"b":"x"}\nnope\n[1]\n{"a":\n{"b":true}\n\t"tab"\t\n'
rc, out, err = run("run", "--metrics", "-", "--metrics-format", "json", pj, stdin=bad_in)
eq((rc, out), (0, "1\tx\n\ttrue\n"), "parse_json: good records")
eq(open("errors.tsv").read(), "nope\tinvalid JSON at byte 1: Invalid value.\n"
                              "[1]\tnot a JSON object\n"
                              "{\"a\":\tinvalid JSON at byte 5: Invalid value.\n"
                              "\\t\"tab\"\\t\tnot a JSON object\n", "parse_json: the errors stream in a file")
m = {c["name"]: c for c in json.loads(err)["components"]}
eq((m["p"]["errors"], m["p"]["emitted"], m["p"]["executed"], m["e"]["executed"], m["o"]["executed"]), (4, 2, 6, 4, 2),
   "parse_json: errors counted in metrics, not as emits")
pj2 = topo("pj2.topo", """    spout s = stdin()
    bolt  p = parse_json(fields: ["a", "b"]) <- s shuffle
    sink  o = stdout() <- p shuffle""")
eq(run("run", pj2, stdin=bad_in), (0, "1\tx\n\ttrue\n",
   "smc: warning: bolt 'p' (pj2.topo:3:11) reported 4 errors; read its 'errors' stream to see them\n"),
   "unread errors: a warning with the count")
eq(run("run", pj2, stdin='{"a":1}\n'), (0, "1\t\n", ""), "no bad input: no warning")
rd = topo("rd.topo", """    spout s = stdin(format: "csv", fields: ["x", "y"])
    sink  o = stdout(format: "json") <- s shuffle
    sink  e = stdout(format: "csv") <- s.errors shuffle""")
rc, out, err = run("run", rd, stdin='1,2\n3\n"a,b",c\n')
eq((rc, sorted(lines(out)), err), (0, ['3,"expected 2 comma-separated fields, got 1"', '{"x": "1", "y": "2"}',
                                       '{"x": "a,b", "y": "c"}'], ""), "reader errors stream")

# ---- --for ---------------------------------------------------------------------
endless = topo("endless.topo", """    spout s = generate()
    sink  o = null() <- s shuffle""")
t0 = time.monotonic()
rc, out, err = run("run", "--for", "1s", endless, timeout=20)
el = time.monotonic() - t0
eq((rc, out, err), (0, "", ""), "--for 1s on generate(): 0")
check(0.9 <= el < 1 + 4 * SLOWDOWN, "--for 1s: about a second", el)
# stdin kept open: the spout must wake up and the totals must be written.
cnt = topo("cnt.topo", """    spout s = stdin()
    bolt  c = count(key: "line") x2 <- s fields(line)
    sink  o = stdout() <- c global""")
t0 = time.monotonic()
p = subprocess.Popen([SMC, "run", "--for", "1s", cnt], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
p.stdin.write("a\nb\na\n")
p.stdin.flush()
try:
    p.wait(timeout=10)
    el = time.monotonic() - t0
    out, err = p.stdout.read(), p.stderr.read()
finally:
    if p.poll() is None:
        p.kill()
p.stdin.close()
eq((p.returncode, sorted(lines(out)), err), (0, ["a\t2", "b\t1"], ""), "--for 1s on an open stdin: totals written")
check(0.9 <= el < 1 + 4 * SLOWDOWN, "--for 1s on an open stdin: about a second", el)

done()
