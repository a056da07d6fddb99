#!/usr/bin/env python3
"""Nothing outlives a killed parent (issue 9 item 13): the child topologies of
a multi-topology file stop when their parent `smc run` is killed with SIGKILL
(they once ran on for ever)."""
import signal

from smcutil import *

two = write("two.topo", """topology one {
    spout s = generate()
    sink  o = null() <- s shuffle
}
topology two {
    spout s = generate()
    sink  o = null() <- s shuffle
}
""")


p = subprocess.Popen([SMC, "run", two], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
kids = []
check(wait_for(lambda: len(children(p.pid)) == 2, 10), "two child topologies start", children(p.pid))
kids = children(p.pid)
# Both children are running smc themselves (exec'd), not just forked.
check(wait_for(lambda: all("--topology" in open("/proc/%d/cmdline" % k).read().replace("\0", " ") for k in kids),
               10), "the children run their topologies")
p.send_signal(signal.SIGKILL)
p.wait()
gone = wait_for(lambda: not any(alive(k) for k in kids), 10)
if not gone:
    for k in kids:
        try:
            os.kill(k, signal.SIGKILL)
        except OSError:
            pass
check(gone, "SIGKILL of the parent: every child topology is gone", [k for k in kids if alive(k)])

done()
