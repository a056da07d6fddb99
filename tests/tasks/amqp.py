"""Task queues over a real RabbitMQ (a private node, tests/tasks/rabbit.py):
submit --wait and its exit status; --after (a dependent held until its
dependency is done; skipped after a failed one, transitively); 3 workers and 2 submitters, 1,000 tasks,
each run once, every result retrievable; kill -9 of a worker mid-task (the
broker delivers the task again, to another worker, which completes it);
abort of a running task through the fanout exchange; topologies' amqp sink
and spout, with acking (acked to the broker when the tree is done, failed
trees emitted again, a given-up message left queued); a broker restart while
a task runs (the worker reconnects, the durable task is delivered again
and completes, its end recorded once). If the node cannot start, the test
fails with the reason: CI must exercise it. The password never shows."""
import os
import subprocess

from tasksutil import *  # noqa: F401,F403
from rabbit import Rabbit

node = Rabbit()
node.start()
os.environ["SMC_BROKER"] = node.url


def row(tid):
    with db() as c:
        return c.execute("SELECT state, attempt, result FROM queue WHERE id = ?", (tid,)).fetchone()


def last_id():
    try:
        with db() as c:
            r = c.execute("SELECT id FROM queue ORDER BY seq DESC LIMIT 1").fetchone()
        return r[0] if r else None
    except Exception:
        return None


def submit(*args):
    rc, out, err = run("submit", *args)
    eq(rc, 0, "smc submit %s" % " ".join(args), err)
    return out.strip()


try:
    write_topo("q.topo", """
tasks work {
    set parallelism = 4
    task count(i) = exec("echo ${i} >> runs; echo result-${i}")
    task greet(name) = exec("echo hello ${name}")
    task steps(tag) = exec("echo 50 half >&3; until [ -e ${tag}.go ]; do sleep 0.01; done; echo stepped")
    task fail(code) = exec("exit ${code}")
    task hold(tag) = exec("echo $$ >> ${tag}.runs; until [ -e ${tag}.go ]; do sleep 0.01; done; echo held-${tag}")
    task forever(tag) = exec("echo $$ >> ${tag}.runs; sleep NNN.5 & wait")
}
""")
    w1 = worker("q.topo", "--quiet")
    rc, out, err = run("submit", "greet", "name=it's", "--wait")
    eq((rc, out), (0, "hello it's\n"), "submit --wait over RabbitMQ", err)
    p = subprocess.Popen([SMC, "submit", "steps", "tag=p", "--wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    seen = []
    check(wait_for(lambda: seen.append(run("ps", *[l for l in [last_id()] if l])[1]) or "progress 50% half" in seen[-1],
                   30), "progress reaches the submitter's record (smc ps ID)", seen[-1:])
    write("p.go", "")
    out, err = p.communicate(timeout=slow(30))
    check(p.returncode == 0 and out == "stepped\n" and "running (attempt 1) 50% half" in err,
          "submit --wait shows the progress and the result", p.returncode, out, err)
    rc, out, err = run("submit", "fail", "code=5", "--wait")
    eq(rc, 5, "the task's exit status", err)
    rc, out, err = run("submit", "greet", "nmae=x", "--wait")
    check(rc == 70 and "'greet' has no parameter 'nmae'; did you mean 'name'?" in err,
          "the worker checks the arguments and fails the task with the reason", rc, err)
    check("guest:guest" not in err and "guest:guest" not in read("worker.log"), "no credentials in messages")

    # ---- --after over RabbitMQ: the worker holds a dependent until its ------------
    # dependencies end (their end queues); a failed one skips it.
    def state(tid):
        run("ps")  # reads the replies into the local record
        return row(tid)[0]

    a = submit("hold", "tag=a1")
    check(wait_for(lambda: os.path.exists("a1.runs"), 20), "a runs")
    b = submit("hold", "tag=b1", "--after", a)
    c = submit("greet", "name=c")  # submitted after b: once it is done, b was delivered too
    rc, out, err = run("result", c, "--wait", timeout=60)
    eq((rc, out), (0, "hello c\n"), "a task without dependencies runs meanwhile", err)
    check(not os.path.exists("b1.runs") and state(b) == "queued", "b waits for a (held, not run)", state(b))
    write("a1.go", "")
    check(wait_for(lambda: os.path.exists("b1.runs"), 30), "b runs once a is done", state(b))
    write("b1.go", "")
    rc, out, err = run("result", b, "--wait", timeout=60)
    eq((rc, out), (0, "held-b1\n"), "b's result", err)
    f = submit("fail", "code=1")
    g = submit("greet", "name=g", "--after", f)
    h = submit("greet", "name=h", "--after", g)
    check(wait_for(lambda: state(h) == "skipped", 30), "after a failed task: skipped, and the task after it too",
          state(g), state(h))
    rc, out, err = run("result", g)
    check(rc == 70 and "it is skipped (after failed task '%s')" % f in err, "smc result says why g was skipped", err)
    rc, out, err = run("result", h)
    check(rc == 70 and "it is skipped (after skipped task '%s')" % g in err, "and why h was", err)
    rc, out, err = run("submit", "greet", "name=d", "--after", f)
    check(rc == 0 and row(out.strip())[0] == "skipped", "submitted after a known failed task: skipped at once",
          out, err)
    # A worker of parallelism 1 serving two queues, where the dependent may
    # be delivered before its dependency: the prefetch grows by the task
    # held, so the dependency still comes and both run.
    a = submit("greet", "name=first", "--queue", "qa")
    b = submit("greet", "name=second", "--queue", "qb", "--after", a)
    w9 = worker("q.topo", "--quiet", "--parallelism", "1", "--queue", "qb", "--queue", "qa", log="w9.log")
    rc, out, err = run("result", b, "--wait", timeout=60)
    eq((rc, out), (0, "hello second\n"), "a held dependent does not starve its dependency of the only slot", err,
       read("w9.log"))
    eq(stop(w9), 0, "that worker stops")
    # An abort of a queued task reaches a worker that starts later: it reads
    # the task's end queue before running it.
    z = submit("hold", "tag=z", "--queue", "qz")
    rc, out, err = run("abort", z)
    eq((rc, out), (0, "aborted %s (hold): removed from queue qz\n" % z), "abort of a queued task, no worker alive", err)
    z2 = submit("greet", "name=z2", "--queue", "qz")
    w8 = worker("q.topo", "--quiet", "--queue", "qz", log="w8.log")
    rc, out, err = run("result", z2, "--wait", timeout=60)
    eq((rc, out), (0, "hello z2\n"), "the worker that starts later serves the queue", err, read("w8.log"))
    check(not os.path.exists("z.runs") and state(z) == "aborted", "and ends the aborted task without running it",
          state(z))
    eq(stop(w8), 0, "that worker stops")
    rc, out, err = run("submit", "greet", "name=x", "--after", "q0000000000")
    check(rc != 0 and "no task 'q0000000000' to run after" in err, "--after an unknown task is refused", err)

    # ---- 3 workers, 2 submitters, 1,000 tasks: once each, all results -------------
    w2, w3 = worker("q.topo", "--quiet"), worker("q.topo", "--quiet")
    subs = [subprocess.Popen([SMC, "submit", "--stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    ids = []
    for k, s in enumerate(subs):
        out, err = s.communicate("".join("count i=%d\n" % i for i in range(k * 500 + 1, k * 500 + 501)),
                                 timeout=slow(120))
        eq(s.returncode, 0, "a submitter submits 500 tasks", err[-500:])
        ids += out.split()
    eq(len(set(ids)), 1000, "1,000 distinct ids")

    def done_count():
        run("ps")  # reads the replies into the local record
        with db() as c:
            return c.execute("SELECT COUNT(*) FROM queue WHERE task = 'count' AND state = 'done'").fetchone()[0]

    check(wait_for(lambda: done_count() == 1000, 120), "all 1,000 tasks end done", done_count())
    runs = read("runs").split()
    eq(sorted(runs, key=int), [str(i) for i in range(1, 1001)], "each task ran exactly once")
    with db() as c:
        bad = [a for a, r in c.execute("SELECT args, result FROM queue WHERE task = 'count'")
               if r != ("result-%s\n" % a.strip().split("=", 1)[1]).encode()]
        workers = {r[0] for r in c.execute("SELECT worker FROM queue WHERE task = 'count'")}
    eq(bad, [], "every result arrived and was stored")
    eq(len(workers), 3, "the three workers shared the tasks")
    rc, out, err = run("ps")
    lines = out.splitlines()
    head = [l.split() for l in lines if l.startswith("QUEUE ")]
    row_default = [l.split() for l in lines if l.startswith("default ")]
    check(head and head[0][-2:] == ["WORKERS", "READY"] and row_default and row_default[0][-2:] == ["3", "0"],
          "smc ps over RabbitMQ: the broker's consumers of the queue (3 workers) and what waits there (0)", out, err)
    for tid in ids[::200]:
        rc, out, err = run("result", tid)
        check(rc == 0 and out.startswith("result-"), "smc result " + tid, out, err)
    stop(w2)
    stop(w3)

    # ---- abort of a running task, through the fanout exchange --------------------
    r = submit("forever", "tag=r")
    check(wait_for(lambda: os.path.exists("r.runs") and processes_with("sleep NNN.5"), 20), "the task runs")
    rc, out, err = run("abort", r)
    check(rc == 0 and out.startswith("aborted %s (forever): stopped in " % r), "abort of a running task", out, err)
    eq(processes_with("sleep NNN.5"), [], "its process group is gone")

    # ---- kill -9 of a worker mid-task: delivered again, completed elsewhere ---------
    k = submit("hold", "tag=k")
    check(wait_for(lambda: os.path.exists("k.runs"), 20), "the task started")
    first = int(read("k.runs").split()[0])
    w1.kill()
    w1.wait()
    w2 = worker("q.topo", log="w2.log")
    check(wait_for(lambda: len(read("k.runs").split()) == 2, 30), "the broker delivers it again to another worker",
          read("k.runs"), read("w2.log"))
    check(not alive(first), "the first attempt's process was killed")
    write("k.go", "")
    rc, out, err = run("result", k, "--wait", timeout=60)
    eq((rc, out), (0, "held-k\n"), "it completes on the second worker", err)

    # ---- a broker restart while a task runs --------------------------------------
    b = submit("hold", "tag=b")
    check(wait_for(lambda: os.path.exists("b.runs"), 20), "the task started before the restart")
    node.restart()
    check(wait_for(lambda: len(read("b.runs").split()) >= 2, 60), "after the restart the task is delivered again",
          read("b.runs"), read("w2.log")[-2000:])
    write("b.go", "")
    rc, out, err = run("result", b, "--wait", timeout=60)
    eq((rc, out), (0, "held-b\n"), "and completes", err)
    check("reconnect" in read("w2.log") or "taken over" in read("w2.log"), "the worker says what happened",
          read("w2.log")[-2000:])
    rc, out, err = run("submit", "greet", "name=after", "--wait")
    eq((rc, out), (0, "hello after\n"), "the worker serves on after the restart", err)
    eq(stop(w2), 0, "the worker stops")
    check("guest" not in read("w2.log"), "no credentials in the worker's log")

    # ---- topologies: the amqp sink (publisher confirms) and spout (acks) ----------
    write_topo("pubsub.topo", """
topology pub {
    spout g = generate(count: 500)
    sink q = amqp(routing_key: "smc.test.t") <- g shuffle
}
topology sub {
    spout q = amqp(queue: "smc.test.t", count: 500)
    sink o = stdout() <- q shuffle
}
topology bad {
    spout g = generate(count: 5)
    sink q = amqp(exchange: "no.such.exchange", routing_key: "x") <- g shuffle
}
""")
    rc, out, err = run("run", "pubsub.topo", "--topology", "pub")
    eq(rc, 0, "the amqp sink publishes 500 tuples, confirmed", err)
    rc, out, err = run("run", "pubsub.topo", "--topology", "sub")
    eq((rc, sorted(map(int, out.split()))), (0, list(range(500))), "the amqp spout reads them back, each once", err)
    # With acking, a message is acked to the broker only when its tree is
    # done: failed trees are emitted again, and one given up stays queued.
    bolt = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "acking", "bolt.py")
    write_topo("acked.topo", """
topology pub {
    spout g = generate(count: 300)
    sink q = amqp(routing_key: "smc.test.a") <- g shuffle
}
topology third {
    set acking = true
    spout q = amqp(queue: "smc.test.a", count: 300, prefetch: 50)
    bolt b = shell("python3 BOLT failthird") <- q shuffle -> (n)
    sink o = stdout() <- b shuffle
}
topology seven {
    set acking = true
    set max.replays = 2
    spout q = amqp(queue: "smc.test.a", count: 300)
    bolt b = shell("python3 BOLT failseven") <- q shuffle -> (n)
    sink o = stdout() <- b shuffle
}
topology one {
    spout q = amqp(queue: "smc.test.a", count: 1)
    sink o = stdout() <- q shuffle
}
""".replace("BOLT", bolt))
    rc, out, err = run("run", "acked.topo", "--topology", "pub")
    eq(rc, 0, "300 messages published for the acking runs", err)
    rc, out, err = run("run", "acked.topo", "--topology", "third")
    eq((rc, sorted(map(int, out.split()))), (0, list(range(300))),
       "with acking, every third message fails once and is emitted again: each arrives once", err)
    rc, out, err = run("run", "acked.topo", "--topology", "pub")
    eq(rc, 0, "300 more messages", err)
    rc, out, err = run("run", "acked.topo", "--topology", "seven")
    eq((rc, sorted(map(int, out.split()))), (75, [n for n in range(300) if n != 7]),
       "a message that always fails is given up after max.replays: exit 75", err)
    check('message id "7" (delivery' in err and "left in the queue" in err, "the report names the message", err)
    rc, out, err = run("run", "acked.topo", "--topology", "one")
    eq((rc, out), (0, "7\n"), "the given-up message is still in the queue, and nothing else is", err)
    rc, out, err = run("run", "pubsub.topo", "--topology", "bad")
    check(rc != 0 and "no such exchange" in err and "guest" not in err,
          "a sink the broker refuses fails the run, saying why", rc, err)
finally:
    node.remove()
done()
