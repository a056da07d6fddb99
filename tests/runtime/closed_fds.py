#!/usr/bin/env python3
"""Closed standard descriptors (issue 9 item 9): `smc run x.topo <&-` reads an
empty input and ends (it once hung reading its own signal pipe); with standard
output closed, writing fails with exit 74 and the --metrics file holds only
metrics (tuples once landed in it)."""
from smcutil import *

echo = topo("echo.topo", """    spout s = stdin()
    sink  o = stdout() <- s shuffle""")
sh = subprocess.run(["bash", "-c", '"$0" run "$1" <&-', SMC, echo], capture_output=True, text=True, timeout=20)
eq((sh.returncode, sh.stdout, sh.stderr), (0, "", ""), "stdin closed: an empty input, the run ends at once")

gen = topo("gen.topo", """    spout s = generate(count: 5)
    sink  o = stdout() <- s shuffle""")
sh = subprocess.run(["bash", "-c", '"$0" run --metrics m.txt "$1" >&-', SMC, gen], capture_output=True, text=True,
                    timeout=20)
eq((sh.returncode, sh.stderr), (74, "smc: error: cannot write to standard output: Bad file descriptor\n"),
   "stdout closed: an output error, 74")
text = open("m.txt").read()
check(text.startswith("topology t: "), "stdout closed: the metrics file holds the metrics", text)
check(not any(l in ("0", "1", "2", "3", "4") for l in lines(text)), "stdout closed: no tuple in the metrics file", text)

done()
