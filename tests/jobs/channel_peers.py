#!/usr/bin/env python3
"""The two sides of a channel in separate runs, when one goes away:

  producer_dies  kill -9 of an endless producer mid-stream: the consumer
                 reports it (component, location, pid), exits 70 at once and
                 removes the segment; a graceful abort of the producer is an
                 end of stream: the consumer gets all it sent and exits 0.
  consumer_dies  kill -9 of the consumer: the producer (waiting on a full
                 ring) reports it and exits 70, and, the survivor, removes the
                 segment (smc-topo(5): "the survivor reports it ... and removes
                 the segment").
"""
from jobutil import *

mode = sys.argv[2]
ch = TAG + "-peer"
seg = "smc-%d-%s" % (UID, ch)
write("producer.topo", """topology producer {
    spout s = generate()
    sink  o = channel("%s") <- s shuffle
}
""" % ch)
write("steadyproducer.topo", """topology steadyproducer {
    spout s = generate(rate: 100000)
    sink  o = channel("%s") <- s shuffle
}
""" % ch)
write("slowproducer.topo", """topology slowproducer {
    spout s = generate(rate: 5000)
    sink  o = channel("%s") <- s shuffle
}
""" % ch)
write("consumer.topo", """topology consumer {
    spout f = channel("%s") -> (n)
    sink  o = stdout() <- f shuffle
}
""" % ch)

if mode == "producer_dies":
    c = start("run", "consumer.topo", out="consumer.out", err="consumer.err")
    p = start("run", "steadyproducer.topo")
    job_of(c, cond=lambda r: r["tuples_in"] > 0)
    os.kill(p.pid, signal.SIGKILL)
    t0 = time.monotonic()
    eq(finish(c, 10, "consumer of a dead producer"), 70, "producer killed: the consumer exits 70")
    check(time.monotonic() - t0 < 5, "producer killed: the consumer ends promptly")
    err = read("consumer.err")
    want = ("smc: error: spout 'f' (consumer.topo:2:11) failed: channel '%s': its producer (pid %d) died before the "
            "end of its stream\n" % (ch, p.pid))
    check(want in err, "producer killed: the consumer says so", err, want)
    eq(segments(), [], "producer killed: the consumer removed the segment")
    got = read("consumer.out").splitlines()
    check(got and sorted(map(int, got)) == list(range(len(got))), "producer killed: what arrived is a prefix of the stream",
          got[:10])
    run("ps")  # the killed producer's record
    clean("producer killed")

    # A graceful abort of the producer ends the stream: the consumer ends too, with everything.
    c = start("run", "consumer.topo", out="consumer2.out", err="consumer2.err")
    p = start("run", "--metrics", "pm.json", "--metrics-format", "json", "slowproducer.topo")
    job_of(c, cond=lambda r: r["tuples_in"] > 0)
    st, out, err = run("abort", "slowproducer")
    eq((st, err), (0, ""), "producer aborted: abort's status")
    check("drained and stopped" in out, "producer aborted: gracefully", out)
    eq(finish(p, 10, "aborted producer"), 143, "producer aborted: 143")
    eq(finish(c, 10, "consumer of an aborted producer"), 0, "producer aborted: the consumer ends (0)")
    eq(read("consumer2.err"), "", "producer aborted: the consumer has no complaint")
    sent = {x["name"]: x for x in json.load(open("pm.json"))["components"]}["o"]["executed"]
    got = sorted(int(x) for x in read("consumer2.out").splitlines())
    check(sent > 0, "producer aborted: it sent something")
    eq((len(got), got == list(range(len(got)))), (sent, True), "producer aborted: the consumer got all it sent")
    clean("producer aborted")

elif mode == "consumer_dies":
    c = start("run", "consumer.topo", out="consumer.out", err="consumer.err")
    p = start("run", "producer.topo", out="producer.out", err="producer.err")
    job_of(c, cond=lambda r: r["tuples_in"] > 0)
    os.kill(c.pid, signal.SIGKILL)
    t0 = time.monotonic()
    eq(finish(p, 10, "producer of a dead consumer"), 70, "consumer killed: the producer exits 70")
    check(time.monotonic() - t0 < 5, "consumer killed: the producer ends promptly")
    err = read("producer.err")
    want = "smc: error: sink 'o' (producer.topo:3:11) failed: channel '%s': its consumer (pid %d) died\n" % (ch, c.pid)
    check(want in err, "consumer killed: the producer says so", err, want)
    # Before any other smc command could clean up after the pair.
    eq(segments(), [], "consumer killed: the producer, the survivor, removed the segment")
    run("ps")
    clean("consumer killed")
else:
    check(False, "a mode: producer_dies or consumer_dies", mode)
done()
