"""The docs in step with the binary (issue 13, item 9).

Usage: docs.py SMC. Checks:
  - the README's `smc check` example is what smc prints for that mistake
    (file:line:column, message, source line);
  - every examples/... path in the man pages and the README exists;
  - `smc run --plan --topology NAME` prints that topology only, and a
    fields grouping shows its fields by name;
  - `| head -1` of a file with several topologies is quiet.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import ROOT, SMC, check, done, eq, read, run, slow, workdir  # noqa: E402

workdir("smc-docs-")
readme = read(os.path.join(ROOT, "README.md"))
m = re.search(r"```\n(wordcount\.topo:\d+:\d+: error: [^\n]*)\n([^\n]*)\n", readme)
check(m, "the README shows a diagnostic")
wc = read(os.path.join(ROOT, "examples", "wordcount.topo"))
with open("wordcount.topo", "w") as f:
    f.write(wc.replace("= split(field", "= splt(field"))
rc, out, err = run("check", "wordcount.topo")
eq(rc, 65, "the mistake is an error")
eq(err.splitlines()[0], m.group(1), "the README's diagnostic line is smc's")
eq(err.splitlines()[1].split(), m.group(2).split(), "and its source line (spacing aside)")

for page in ("man/smc.1", "man/smc-topo.5", "README.md", "examples/README.md"):
    text = read(os.path.join(ROOT, page)).replace("\\-", "-")
    base = os.path.join(ROOT, "examples") if page.startswith("examples/") else ROOT
    for path in sorted(set(re.findall(r"\b(examples/[\w./-]+\.(?:topo|test|py|sh))\b", text))):
        check(os.path.exists(os.path.join(ROOT, path)), "%s names %s, which exists" % (page, path))

channels = os.path.join(ROOT, "examples", "channels.topo")
rc, out, err = run("run", "--plan", "--topology", "report", channels)
eq((rc, err), (0, ""), "--plan --topology")
eq([l for l in out.splitlines() if l.startswith("topology ")], ["topology report"], "only the topology named", out)
check("    default -> top [fields word]\n" in out, "a fields grouping by name", out)
rc, out, err = run("run", "--plan", channels)
eq([l for l in out.splitlines() if l.startswith("topology ")], ["topology ingest", "topology report"],
   "without --topology: every topology", out)

text = read(os.path.join(ROOT, "examples", "data", "gettysburg.txt"))
with open("big.txt", "w") as f:
    for i in range(200):
        f.write(text)
p = subprocess.run(["bash", "-c", '"$0" run "$1" < big.txt | head -1', SMC, channels], capture_output=True,
                   text=True, timeout=slow(60))
eq(len(p.stdout.splitlines()), 1, "head -1 has its line", p.stdout, p.stderr)
eq(p.stderr, "", "| head -1 of a multi-topology file is quiet")
done()
