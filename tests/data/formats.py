"""Data formats and bounded built-ins through the real binary.

Usage: formats.py SMC CASE. Each case is a regression test of issue 9:
  deep_json        a record nested 100,000 deep goes to `errors`; the records
                   after it come out (stdin json and parse_json); no SIGSEGV
  regex_long_line  filter(regex: "(a|b)*c") on a 400 KB line: no crash, exact
  long_line        a 64 MB single line is read in linear time (bound scaled
                   by SMC_TEST_SLOWDOWN)
  dedupe_memory    dedupe(window: 10) over 2,000,000 distinct keys stays small
                   (and grows by little from 200,000 keys)
  json_output      invalid UTF-8 written as U+FFFD and counted; every line
                   valid JSON; integers beyond int64 keep their digits
  csv              RFC 4180 fields with newlines, commas and quotes survive a
                   write and a read through the binary; a stray quote is an
                   error record, never a made-up one
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))
from smcutil import SMC, check, done, eq, memory_bound_kb, peak_of, run, topo, write  # noqa: E402
from smctest import SANITIZER_MEMORY_FACTOR  # noqa: E402

SLOWDOWN = float(os.environ.get("SMC_TEST_SLOWDOWN", "1"))


def run_bytes(args, stdin, timeout=60):
    p = subprocess.run([SMC, *args], input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def deep_json():
    deep = '{"a":' + "[" * 100000 + "]" * 100000 + "}"
    data = '{"a": 1}\n' + deep + '\n{"a": 2}\n'
    topo("reader.topo", """
 spout s = stdin(format: "json", fields: ["a"])
 sink o = stdout() <- s shuffle
 sink e = file(path: "errors.tsv") <- s.errors shuffle""")
    rc, out, err = run("run", "reader.topo", stdin=data)
    eq(rc, 0, "stdin json: exit status")
    eq(out, "1\n2\n", "stdin json: the good records, before and after the deep one")
    eq(open("errors.tsv").read(), deep + "\tinvalid JSON: nested deeper than 128 levels\n", "stdin json: the error")
    topo("bolt.topo", """
 spout s = stdin()
 bolt p = parse_json(fields: ["a"]) <- s shuffle
 sink o = stdout() <- p shuffle""")
    rc, out, err = run("run", "bolt.topo", stdin=data)
    eq(rc, 0, "parse_json: exit status")
    eq(out, "1\n2\n", "parse_json: the good records")
    check("reported 1 error" in err, "parse_json: the error is counted", err)


def regex_long_line():
    line = ("ab" * (200 << 10))
    topo("re.topo", """
 spout s = stdin()
 bolt f = filter(regex: "(a|b)*c") <- s shuffle
 bolt n = filter(regex: "(a|b)*c", invert: true) <- s shuffle
 sink o = stdout() <- f shuffle
 sink x = file(path: "kept.txt", format: "lines") <- n shuffle""")
    rc, out, err = run("run", "re.topo", stdin=line + "\n" + line + "c\n")
    eq(rc, 0, "exit status (std::regex died of SIGSEGV here)")
    eq(out, line + "c\n", "the line with a c matches")
    eq(open("kept.txt").read(), line + "\n", "the line without one does not")


def long_line():
    size = 64 << 20
    with open("long.txt", "wb") as f:
        f.write(b"x" * size + b"\nend\n")
    topo("long.topo", """
 spout s = file(path: "long.txt")
 sink o = file(path: "out.txt", format: "lines") <- s shuffle""")
    start = time.monotonic()
    rc, out, err = run("run", "long.topo", timeout=120)
    took = time.monotonic() - start
    eq(rc, 0, "exit status")
    eq(os.path.getsize("out.txt"), size + 5, "the line and the next come out whole")
    bound = 5.0 * SLOWDOWN
    check(took < bound, "a 64 MB line in linear time: %.1f s, bound %.1f s (was 14 s before the fix)" % (took, bound))
    os.remove("long.txt")
    os.remove("out.txt")


def dedupe_memory():
    """Two measures: the peak under 64 MB (times SANITIZER_MEMORY_FACTOR in a
    sanitizer build), and its growth from 200,000 keys to 2,000,000: a
    window that kept every key would grow by 1,800,000 keys (~100 MB)."""
    peaks = {}
    for n in (200000, 2000000):
        topo("d.topo", """
 spout s = generate(count: %d)
 bolt d = dedupe(window: 10) <- s shuffle
 sink o = file(path: "n.txt", format: "lines") <- d shuffle""" % n)
        rc, peaks[n], err = peak_of([SMC, "run", "d.topo"], timeout=120)
        eq((rc, err), (0, ""), "%d keys: exit status, nothing on stderr" % n)
        with open("n.txt") as f:
            eq(sum(1 for _ in f), n, "%d keys: every distinct key passes" % n)
    print("dedupe(window: 10): peak RSS %d kB for 200,000 keys, %d kB for 2,000,000" % (peaks[200000], peaks[2000000]))
    check(peaks[2000000] < memory_bound_kb(64 * 1024), "peak RSS %d KB under 64 MB (x%d sanitized) with window 10 (was "
          "200 MB before the fix)" % (peaks[2000000], SANITIZER_MEMORY_FACTOR))
    growth = peaks[2000000] - peaks[200000]
    check(growth < 16 * 1024, "the peak grows by %d KB, under 16 MB, from 200,000 keys to 2,000,000" % growth)


def json_output():
    topo("u.topo", """
 spout s = stdin()
 sink o = stdout(format: "json") <- s shuffle""")
    data = b"plain\nbad\xff\xfe end\ntrunc\xc3\nsurrogate \xed\xa0\x80\nok caf\xc3\xa9 \xf0\x9f\x98\x80\n"
    rc, out, err = run_bytes(["run", "u.topo"], data)
    eq(rc, 0, "exit status")
    got = [json.loads(l.decode("utf-8")) for l in out.splitlines()]  # raises on invalid UTF-8 or JSON
    eq(got, [{"line": "plain"}, {"line": "bad\ufffd\ufffd end"}, {"line": "trunc\ufffd"},
             {"line": "surrogate \ufffd\ufffd\ufffd"}, {"line": "ok caf\u00e9 \U0001F600"}], "lines, bad bytes replaced")
    check("smc: warning: sink 'o' (u.topo:4:7) replaced 6 bytes of invalid UTF-8 with U+FFFD in its JSON output\n"
          in err, "the replacements are counted", err)
    topo("n.topo", """
 spout s = stdin(format: "json", fields: ["n", "m"])
 sink o = stdout(format: "json") <- s shuffle
 sink t = file(path: "n.tsv") <- s shuffle""")
    rc, out, err = run("run", "n.topo", stdin='{"n": 12345678901234567890123, "m": [18446744073709551617]}\n')
    eq(rc, 0, "big integers: exit status")
    eq(open("n.tsv").read(), "12345678901234567890123\t[18446744073709551617]\n", "big integers: same digits")
    check("12345678901234567890123" in out and "18446744073709551617" in out, "json output keeps the digits", out)


def csv():
    topo("w.topo", """
 spout s = stdin(format: "json", fields: ["a", "b"])
 sink o = file(path: "w.csv", format: "csv") <- s shuffle""")
    rows = [["multi\nline", "comma, \"quoted\""], ["", "crlf\r\nx"], ["plain", "\"lead"], ["tail\"", ""]]
    rc, out, err = run("run", "w.topo", stdin="".join(json.dumps({"a": a, "b": b}) + "\n" for a, b in rows))
    eq(rc, 0, "write: exit status")
    topo("r.topo", """
 spout s = file(path: "w.csv", format: "csv", fields: ["a", "b"])
 sink o = stdout(format: "json") <- s shuffle
 sink e = file(path: "e.tsv") <- s.errors shuffle""")
    rc, out, err = run("run", "r.topo")
    eq(rc, 0, "read: exit status")
    eq([[d["a"], d["b"]] for d in map(json.loads, out.splitlines())], rows, "read back identically")
    eq(open("e.tsv").read(), "", "read: no errors")
    write("bad.csv", 'a,b\nst"ray,b\nnext,1\n"open,2\n')
    topo("b.topo", """
 spout s = file(path: "bad.csv", format: "csv", fields: ["a", "b"])
 sink o = stdout() <- s shuffle
 sink e = file(path: "e.tsv") <- s.errors shuffle""")
    rc, out, err = run("run", "b.topo")
    eq(rc, 0, "stray quote: exit status")
    eq(out, "a\tb\nnext\t1\n", "stray quote: no made-up record, the next line still read")
    eq(open("e.tsv").read(), 'st"ray,b\ta quote inside an unquoted field\n"open,2\\n\tunterminated quoted field\n',
       "stray quote: the errors, with reasons")



def csv_header():
    write("people.csv", "name,age\r\nann,41\nbob,x\namy,\ncid,7\ndan,10\n")
    topo("h.topo", """
 spout s = file(path: "people.csv", format: "csv", fields: ["name", "age:int"], header: true)
 bolt t = sort(key: "age", order: "desc") <- s global
 sink o = stdout(format: "csv", header: true) <- t shuffle
 sink e = file(path: "e.tsv") <- s.errors shuffle""")
    rc, out, err = run("run", "h.topo")
    eq(rc, 0, "typed header: exit status")
    eq(out, "name,age\namy,\nann,41\ndan,10\ncid,7\n",
       "typed header: the header written, ages sorted as numbers (null first when descending)")
    eq(open("e.tsv").read(), "bob,x\tcolumn 'age': 'x' is not an integer\n", "typed header: the bad cell")
    write("swapped.csv", "age,name\n41,ann\n")
    topo("m.topo", """
 spout s = file(path: "swapped.csv", format: "csv", fields: ["name", "age"], header: true)
 sink o = stdout() <- s shuffle""")
    rc, out, err = run("run", "m.topo")
    eq(rc, 70, "header mismatch: the run fails")
    eq(out, "", "header mismatch: nothing emitted")
    check("'swapped.csv': its header 'age,name' does not name the declared fields (name, age)" in err,
          "header mismatch: the reason", err)


def gzip_glob():
    import gzip
    os.makedirs("logs", exist_ok=True)
    with gzip.open("logs/2.jsonl.gz", "wt") as f:
        f.write('{"n": 3}\n{"n": 4}\n')
    write("logs/1.jsonl", '{"n": 1}\n{"n": 2}\n')
    write("logs/notes.txt", "not json\n")
    topo("g.topo", """
 spout s = file(path: "logs/*.jsonl*", format: "json", fields: ["n"])
 sink o = stdout() <- s shuffle""")
    rc, out, err = run("run", "g.topo")
    eq(rc, 0, "glob with a gzip match: exit status")
    eq(out, "1\n2\n3\n4\n", "glob with a gzip match: every file in order")
    with open("logs/2.jsonl.gz", "rb") as f:
        data = f.read()
    with open("logs/2.jsonl.gz", "wb") as f:
        f.write(data[:len(data) - 6])
    rc, out, err = run("run", "g.topo")
    eq(rc, 70, "a truncated gzip file fails the run")
    check("'logs/2.jsonl.gz' ends inside its gzip data" in err, "truncated: the reason", err)
    topo("n.topo", """
 spout s = file(path: "nothing/*.jsonl")
 sink o = stdout() <- s shuffle""")
    rc, out, err = run("run", "n.topo")
    check(rc != 0 and "no file matches 'nothing/*.jsonl'" in err, "no match: the run fails with the pattern", err)


CASES = {f.__name__: f for f in (deep_json, regex_long_line, long_line, dedupe_memory, json_output, csv, csv_header,
                                 gzip_glob)}
if __name__ == "__main__":
    CASES[sys.argv[2]]()
    done()
