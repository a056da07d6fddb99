"""`smc test` (issue 13, item 4) through the real binary.

Usage: test_cmd.py SMC CASE.
  pass_fail   a passing and a failing case: PASS/FAIL lines, the exact diff,
              the summary, exit 1; all passing: exit 0
  options     unordered, param (file-wide and per case), topology, status,
              timeout, a name-derived .topo file, stderr shown on failure
  junit       --junit FILE: valid XML with per-case results and the diff
  errors      malformed test files: file:line: error: ..., exit 65; a
              missing file 66; no files 64
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import SMC, check, done, eq, run, slow, topo, write, workdir  # noqa: E402

workdir("smc-test-cmd-")

UPPER = 'spout s = stdin()\nbolt u = exec(command: "tr a-z A-Z") <- s shuffle\nsink o = stdout() <- u shuffle'


def smc_test(*args):
    rc, out, err = run("test", *args, timeout=60)
    return rc, out, err


def times_removed(text):
    """The output with each case's '(0.123 s)' made '(T s)'."""
    import re
    return re.sub(r"\(\d+\.\d{3} s\)", "(T s)", text)


def case_pass_fail():
    topo("upper.topo", UPPER)
    write("upper.topo.test", "# upper\ncase one line\n< abc\n> ABC\n\ncase wrong\n< a\n< b\n< c\n> A\n> X\n> C\n")
    rc, out, err = smc_test("upper.topo.test")
    eq((rc, err), (1, ""), "a failing case: exit 1", out)
    eq(times_removed(out),
       "PASS upper.topo.test: one line (T s)\n"
       "FAIL upper.topo.test: wrong (T s): output differs\n"
       "    --- expected\n"
       "    +++ actual\n"
       "    @@ -2 +2 @@\n"
       "     A\n"
       "    -X\n"
       "    +B\n"
       "     C\n"
       "2 cases: 1 passed, 1 failed\n", "the report and its diff")
    write("good.test", "file upper.topo\ncase ok\n< x\n> X\n")
    rc, out, err = smc_test("good.test", "upper.topo.test")
    eq(rc, 1, "one failing file fails the whole run")
    rc, out, err = smc_test("good.test")
    eq((rc, times_removed(out), err), (0, "PASS good.test: ok (T s)\n1 case: 1 passed, 0 failed\n", ""),
       "all passing: exit 0")


def case_options():
    write("multi.topo", 'param word = "x"\n'
          'topology a {\n spout s = stdin()\n bolt f = filter(field: "line", regex: $word) <- s shuffle\n'
          ' sink o = stdout() <- f shuffle\n}\n'
          'topology b {\n spout s = stdin()\n bolt w = split(field: "line") <- s shuffle\n'
          ' bolt c = count(key: "word") x2 <- w fields(word)\n sink o = stdout() <- c shuffle\n}\n')
    write("multi.topo.test",
          "param word=keep\n"
          "case file-wide param\ntopology a\n< keep me\n< drop me\n> keep me\n"
          "case per-case param\ntopology a\nparam word=drop\n< keep me\n< drop me\n> drop me\n"
          "case unordered counts\ntopology b\nunordered\n< b a b\n< c\n> a\t1\n> b\t2\n> c\t1\n"
          "case  data lines keep their spaces\ntopology a\nparam word=^\n<   two leading\n<\n>   two leading\n>\n")
    rc, out, err = smc_test("multi.topo.test")
    eq((rc, err), (0, ""), "param, topology, unordered", out)
    eq(out.count("PASS "), 4, "four cases passed", out)
    topo("bad.topo", 'set on.failure = "fail"\nspout s = stdin()\n'
         'bolt e = exec(command: "echo oops >&2; exit 3") <- s shuffle\nsink o = stdout() <- e shuffle')
    write("bad.topo.test", "case fails\n< x\ncase expects 70\nstatus 70\n< x\n")
    rc, out, err = smc_test("bad.topo.test")
    eq(rc, 1, "a failing run fails its case", out)
    check("FAIL bad.topo.test: fails" in out and ": exit status 70, expected 0\n" in out, "the status named", out)
    check("    standard error:\n" in out and "oops" in out, "its standard error shown", out)
    check("PASS bad.topo.test: expects 70" in out, "status 70 expected: passes", out)
    topo("slow.topo", 'spout s = stdin()\nbolt e = exec(command: "sleep 30") <- s shuffle\nsink o = stdout() <- e shuffle')
    write("slow.topo.test", "case hangs\ntimeout 500ms\n< x\n")
    rc, out, err = smc_test("slow.topo.test")
    eq(rc, 1, "a timed-out case fails")
    check("FAIL slow.topo.test: hangs" in out and ": timed out after 0.500 s\n" in out, "timed out", out)


def case_junit():
    topo("upper.topo", UPPER)
    write("upper.topo.test", "case ok\n< a\n> A\ncase <bad> & \"odd\"\n< a\n> B\n")
    rc, out, err = smc_test("--junit", "report.xml", "upper.topo.test")
    eq(rc, 1, "one failure", out)
    root = ET.parse("report.xml").getroot()
    eq((root.tag, root.get("tests"), root.get("failures")), ("testsuites", "2", "1"), "totals")
    suite = root.find("testsuite")
    eq(suite.get("name"), "upper.topo.test", "one suite per test file")
    cases = suite.findall("testcase")
    eq([c.get("name") for c in cases], ["ok", '<bad> & "odd"'], "case names, escaped and read back")
    eq(cases[0].find("failure"), None, "the passing case has no failure")
    failure = cases[1].find("failure")
    eq(failure.get("message"), "output differs", "the failure's message")
    check("-B\n" in failure.text and "+A\n" in failure.text, "the diff in the failure", failure.text)


def case_errors():
    topo("upper.topo", UPPER)
    for text, message in (
            ("> A\n", "x.test:1: error: '>' lines belong to a case; start one with 'case NAME'"),
            ("case a\nstatus many\n", "x.test:2: error: 'status' expects an exit status from 0 to 255, got 'many'"),
            ("case a\nfrobnicate\n", "x.test:2: error: unknown line 'frobnicate' (expected case, file, param, "
                                     "unordered, topology, status, timeout, '< input' or '> output')"),
            ("case a\ncase a\n", "x.test:2: error: a second case named 'a' (the first is on line 1)"),
            ("# nothing\n", "x.test:1: error: no test cases (start one with 'case NAME')"),
            ("case a\nfile upper.topo\n", "x.test:2: error: 'file' comes before the first case"),
            ("case a\nparam x\n", "x.test:2: error: 'param' expects NAME=VALUE, got 'x'")):
        write("x.test", text)
        rc, out, err = smc_test("x.test")
        eq((rc, err), (65, message + "\n"), "malformed: %r" % text, out)
    write("y.txt", "case a\n")
    rc, out, err = smc_test("y.txt")
    eq((rc, err), (65, "y.txt:1: error: no 'file' line, and the name does not end in .test to say which .topo "
                       "file it tests\n"), "no topology named")
    rc, out, err = smc_test("missing.test")
    eq((rc, err), (66, "smc: error: cannot open 'missing.test': No such file or directory\n"), "missing file")
    rc, out, err = smc_test()
    eq(rc, 64, "no files: usage")
    write("nosuch.topo.test", "case a\n< x\n")
    rc, out, err = smc_test("nosuch.topo.test")
    eq(rc, 1, "a missing .topo file fails the case (smc run says 66)", out)
    check("exit status 66, expected 0" in out and "cannot open 'nosuch.topo'" in out, "and says why", out)


globals()["case_" + sys.argv[2]]()
done()
