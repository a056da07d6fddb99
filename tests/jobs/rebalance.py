#!/usr/bin/env python3
"""smc rebalance (Storm's rebalance -e, with keyed state kept): a WordCount
fed through a pipe is rebalanced mid-stream, at seeded random points of its
input (count 1 -> 3 -> 2, split 2 -> 4 -> 1), and its output equals the plain
run's exactly; the same with the splitter a Python shell bolt and acking on.
smc ps shows the new parallelism. Requests the job cannot honour are
refused with the reason (exit 64): unknown components, spouts, bounds,
state that cannot move (sort), keyed state read with shuffle; an unknown job
exits 1."""
import random
from jobutil import *

SEED = int(os.environ.get("SMC_TEST_SEED", random.randrange(1 << 30)))
print("rebalance.py: seed %d (SMC_TEST_SEED)" % SEED)
rng = random.Random(SEED)
words = ["w%d" % i for i in range(3000)]
lines = [" ".join(rng.choice(words) for _ in range(8)) for _ in range(40000)]

split_py = write("splitsentence.py", """import storm
class SplitSentenceBolt(storm.BasicBolt):
    def process(self, tup):
        for word in tup.values[0].split(" "):
            storm.emit([word])
SplitSentenceBolt().run()
""")
plain_topo = write("wc.topo", """topology wordcount {
    spout sentences = stdin()
    bolt  split     = split(field: "line")  x2 <- sentences shuffle
    bolt  count     = count(key: "word")    x1 <- split fields(word)
    sink  out       = stdout(format: "tsv")    <- count global
}
""")
shell_topo = write("shwc.topo", """topology shwc {
    set acking = true
    spout sentences = stdin()
    bolt  split     = shell("python3 splitsentence.py") x2 <- sentences shuffle -> (word)
    bolt  count     = count(key: "word")                x1 <- split fields(word)
    sink  out       = stdout(format: "tsv")                <- count global
}
""")


def parallelism(r):
    return {c["name"]: c["parallelism"] for c in r["metrics"]["components"]}


def rebalanced_run(topo, name, data, steps):
    """Runs `topo` fed `data` through a pipe; before each step's cut of the
    input is written, waits until the spout has read all before it, then
    rebalances. The output, sorted."""
    p = start("run", topo, stdin=subprocess.PIPE)
    cuts = sorted(rng.sample(range(1, len(data)), len(steps)))
    sent = 0
    for cut, changes in zip(cuts, steps):
        p.stdin.write("".join(l + "\n" for l in data[sent:cut]).encode())
        p.stdin.flush()
        sent = cut
        job_of(p, timeout=30, cond=lambda r: r["tuples_in"] >= cut)
        args = []
        for comp, n in changes.items():
            args += ["-e", "%s=%d" % (comp, n)]
        st, out, err = run("rebalance", name, *args)
        done = ", ".join("%s=%d" % kv for kv in changes.items())
        check(st == 0 and out.endswith("): %s\n" % done), "%s: rebalance %s at line %d" % (name, done, cut), st, out,
              err)
        r = job_of(p)
        for comp, n in changes.items():
            eq(parallelism(r)[comp], n, "%s: smc ps --json shows %s's new parallelism" % (name, comp))
    p.stdin.write("".join(l + "\n" for l in data[sent:]).encode())
    p.stdin.close()
    eq(finish(p, slow(60), name), 0, "%s: the rebalanced run exits 0" % name, tail(p))
    return sorted(read(p.out_path).splitlines())


def plain_run(topo, data):
    st, out, err = run("run", topo, stdin="".join(l + "\n" for l in data), timeout=slow(60))
    eq(st, 0, "plain run", err)
    return sorted(out.splitlines())


want = plain_run(plain_topo, lines)
check(len(want) == 3000, "the plain run counts every word", len(want))
got = rebalanced_run(plain_topo, "wordcount", lines, [{"count": 3}, {"count": 2, "split": 4}, {"split": 1}])
eq(got, want, "count rebalanced 1 -> 3 -> 2 mid-stream: exactly the plain run's output")
clean("wordcount")

few = lines[:4000]
want = plain_run(shell_topo, few)
got = rebalanced_run(shell_topo, "shwc", few, [{"split": 4, "count": 3}, {"split": 1, "count": 2}])
eq(got, want, "shell bolt 2 -> 4 -> 1 and count 1 -> 3 -> 2, with acking: exactly the plain run's output")
clean("shwc")

# ---- refusals ------------------------------------------------------------------
odd = write("odd.topo", """topology odd {
    spout s = stdin()
    bolt  k = count(key: "line") x2 <- s shuffle
    bolt  r = sort(key: "line")     <- s shuffle
    sink  o = null()                <- k shuffle
    sink  n = null()                <- r shuffle
}
""")
p = start("run", odd, stdin=subprocess.PIPE)
r = job_of(p)
who = "%s (odd)" % r["id"]
for args, status, message in [
    (["-e", "nope=2"], 64,
     "cannot rebalance job %s: topology 'odd' has no component 'nope'; its bolts and sinks: k, r, o, n" % who),
    (["-e", "s=2"], 64, "cannot rebalance job %s: 's' is a spout: rebalance changes the instances of bolts and sinks"
     % who),
    (["-e", "r=2"], 64, "cannot rebalance job %s: 'r' (sort) keeps state that cannot move between instances" % who),
    (["-e", "k=3"], 64,
     "cannot rebalance job %s: 'k' (count) keeps its state per 'line', but reads 's' with 'shuffle': its state can "
     "move only when every input is grouped by fields(line)" % who),
    (["-e", "o=2", "-e", "o=3"], 64, "cannot rebalance job %s: 'o' is named twice" % who),
    (["-e", "o=0"], 64, "the parallelism of 'o' must be between 1 and 1024, got 0"),
    (["-e", "o"], 64, "-e takes COMPONENT=N, got 'o'"),
    (["-e", "o=2", "--wait", "soon"], 64, None),
]:
    st, out, err = run("rebalance", r["id"], *args)
    eq(st, status, "rebalance %s: exit status" % " ".join(args), err)
    if message:
        eq(err, "smc: error: %s\n" % message, "rebalance %s: the reason" % " ".join(args))
st, out, err = run("rebalance", r["id"], "-e", "o=2")
eq((st, out, err), (0, "rebalanced %s: o=2\n" % who, ""), "a stateless sink gains an instance")
eq(parallelism(job_of(p))["o"], 2, "smc ps --json: o has 2 instances")
st, out, err = run("rebalance", "nosuchjob", "-e", "o=2")
eq(st, 1, "rebalance of an unknown job exits 1", err)
p.stdin.write(b"a\nb\n")
p.stdin.close()
eq(finish(p, slow(30), "odd"), 0, "odd: exits 0 after the rebalance")
check(not [f for f in os.listdir(JOBS_DIR) if "rebalance" in f or f.endswith(".reply")],
      "no request or reply file left", os.listdir(JOBS_DIR))
clean("odd")
done()
