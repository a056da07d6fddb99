#!/usr/bin/env python3
"""Runs `smc check` on a golden .topo file and compares its diagnostics with
the expectations written in the file itself, next to the offending lines:

    bolt a = splt() <- s shuffle   #! error:14: unknown bolt implementation 'splt'; did you mean 'split'?

An annotation `#! SEVERITY:COLUMN: MESSAGE` states one diagnostic at the line
it stands on. A line may hold several annotations; `#!^ ...` states one for
the line above (for diagnostics pointing at a line that cannot hold a
comment, such as one inside an unterminated string). The expected exit status
is 65 when any error is expected, else 0; a first line `#! exit: N` overrides
it, and `#! args: ...` adds command-line arguments (such as -p NAME=VALUE).
Usage: golden_check.py SMC FILE
"""
import re
import subprocess
import sys

ANNOTATION = re.compile(r"#!(\^?) *(error|warning|note):(\d+): (.*?)(?= *#!|$)")
HEADER = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|note): (.*)$")


def expected(path):
    diags, args, status = [], [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = re.match(r"\s*#! exit: (\d+)", line)
            if m:
                status = int(m.group(1))
                continue
            m = re.match(r"\s*#! args: (.*)", line)
            if m:
                args += m.group(1).split()
                continue
            for a in ANNOTATION.finditer(line):
                at = number - 1 if a.group(1) else number
                diags.append((at, int(a.group(3)), a.group(2), a.group(4).strip()))
    if status is None:
        status = 65 if any(d[2] == "error" for d in diags) else 0
    return diags, args, status


def actual(smc, path, args):
    p = subprocess.run([smc, "check", *args, path], capture_output=True, text=True, timeout=60)
    diags, others = [], []
    for line in p.stderr.splitlines():
        m = HEADER.match(line)
        if m and m.group(1) == path:
            diags.append((int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
        elif line.startswith("smc: "):
            others.append(line)
    return diags, others, p.returncode, p.stderr


def main():
    smc, path = sys.argv[1], sys.argv[2]
    want, args, want_status = expected(path)
    got, others, status, stderr = actual(smc, path, args)
    ok = True
    if sorted(want) != sorted(got):
        ok = False
        for d in sorted(set(want) - set(got)):
            print("missing:    %d:%d: %s: %s" % d)
        for d in sorted(set(got) - set(want)):
            print("unexpected: %d:%d: %s: %s" % d)
    if status != want_status:
        ok = False
        print("exit status %d, expected %d" % (status, want_status))
    if not ok:
        print("--- smc's stderr ---")
        print(stderr)
        return 1
    print("ok: %d diagnostics, exit %d" % (len(got), status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
