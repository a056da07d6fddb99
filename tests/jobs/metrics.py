"""Honest metrics (issue 13, item 3), through the binary.

- a slow Python bolt that is the bottleneck shows capacity near 1
- --metrics-every writes JSON lines while the job runs (>= 2 before the end)
- --metrics-listen 127.0.0.1:0 prints its address; curl scrapes Prometheus
  text with per-component counters; other paths get 404
- smc top JOB on a pipe prints one snapshot; an unknown job is an error
"""
import json
import re
import subprocess
import time
import urllib.error
import urllib.request

from jobutil import SMC, ENV, check, eq, done, slow, wait_for, write, read

write("slow.py", "import sys, time\nsys.path.insert(0, %r)\n" % (SMC.rsplit("/", 1)[0] + "/share/smc/python") +
      "import storm\nclass B(storm.BasicBolt):\n    def process(self, t):\n        time.sleep(0.002)\n        storm.emit([t.values[0]])\n"
      "B().run()\n")
cap = write("cap.topo", "topology t {\n    spout s = generate(count: 1500)\n"
            "    bolt  b = shell(\"python3 slow.py\") <- s shuffle -> (n)\n    sink  o = null() <- b shuffle\n}\n")
p = subprocess.run([SMC, "run", "--metrics", "-", "--metrics-format", "json", cap], capture_output=True, text=True,
                   timeout=slow(60), env=ENV)
eq(p.returncode, 0, "slow bolt run", p.stderr)
m = {c["name"]: c for c in json.loads(p.stderr.splitlines()[-1])["components"]}
check(m["b"]["capacity"] >= 0.7, "a bottleneck shell bolt's capacity is near 1", m["b"])

live = write("live.topo", "topology live {\n    spout s = generate(rate: 200)\n    sink  o = null() <- s shuffle\n}\n")
p = subprocess.Popen([SMC, "run", "--for", "3s", "--metrics-every", "200ms", "--metrics", "every.jsonl", live],
                     stderr=subprocess.DEVNULL, env=ENV)
def every_lines():
    try:
        return len(read("every.jsonl").splitlines())
    except FileNotFoundError:
        return 0


check(wait_for(lambda: every_lines() >= 2, 10), "two JSON lines while running")
check(p.poll() is None, "the job still runs")
eq(p.wait(timeout=slow(20)), 0, "--metrics-every run")
for l in read("every.jsonl").splitlines():
    eq(json.loads(l)["topology"], "live", "each line is JSON")

p = subprocess.Popen([SMC, "run", "--for", "20s", "--metrics-listen", "127.0.0.1:0", live], stderr=subprocess.PIPE,
                     text=True, env=ENV)
first = p.stderr.readline()
mm = re.fullmatch(r"smc: metrics at (http://127\.0\.0\.1:\d+/metrics)\n", first)
check(mm, "the address is printed", first)
url = mm.group(1)


def scrape():
    return subprocess.run(["curl", "-sf", url], capture_output=True, text=True, timeout=10).stdout


check(wait_for(lambda: re.search(r'smc_component_executed_total\{topology="live",component="o",kind="sink"\} [1-9]',
                                 scrape()), 10), "curl scrapes a growing counter", scrape())
text = scrape()
check("# TYPE smc_component_emitted_total counter" in text and "smc_edge_queued_batches{" in text, "families", text)
try:
    urllib.request.urlopen(url.replace("/metrics", "/other"), timeout=10)
    check(False, "404 for another path")
except urllib.error.HTTPError as e:
    eq(e.code, 404, "404 for another path")

# smc top on a pipe: one snapshot, no escape codes; an unknown job is an error.
r = subprocess.run([SMC, "top", "live"], capture_output=True, text=True, timeout=slow(20), env=ENV)
rows = r.stdout.splitlines()
check(r.returncode == 0 and len(rows) == 4 and re.match(r"job \w+ \(live\), running, up \d+s, ", rows[0]) and
      rows[1].split()[:3] == ["COMPONENT", "KIND", "X"] and [l.split()[:2] for l in rows[2:]] ==
      [["s", "spout"], ["o", "sink"]] and "\x1b" not in r.stdout, "smc top | cat: one snapshot", r.returncode,
      r.stdout, r.stderr)
r = subprocess.run([SMC, "top", "nosuch"], capture_output=True, text=True, timeout=slow(20), env=ENV)
eq((r.returncode, r.stdout, r.stderr), (1, "", "smc: error: no job 'nosuch'\n"), "smc top of no job")
p.terminate()
p.wait(timeout=slow(20))
done()
