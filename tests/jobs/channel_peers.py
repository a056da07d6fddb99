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
    c, p = start_pair("consumer.topo", "steadyproducer.topo")
    os.kill(p.pid, signal.SIGKILL)
    survivor_notices(c, 70, 5, "producer killed", "smc: error: spout 'f' (consumer.topo:2:11) failed: channel '%s': "
                     "its producer (pid %d) died before the end of its stream\n" % (ch, p.pid))
    got = read("consumer.out").splitlines()
    check(got and sorted(map(int, got)) == list(range(len(got))), "producer killed: what arrived is a prefix of the stream",
          got[:10])
    run("ps")  # the killed producer's record
    clean("producer killed")

    # A graceful abort of the producer ends the stream: the consumer ends too, with everything.
    c, p = start_pair("consumer.topo", "slowproducer.topo", ("--metrics", "pm.json", "--metrics-format", "json"), "2")
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
    c, p = start_pair("consumer.topo", "producer.topo")
    os.kill(c.pid, signal.SIGKILL)
    survivor_notices(p, 70, 5, "consumer killed", "smc: error: sink 'o' (producer.topo:3:11) failed: channel '%s': "
                     "its consumer (pid %d) died\n" % (ch, c.pid))
    run("ps")
    clean("consumer killed")
else:
    check(False, "a mode: producer_dies or consumer_dies", mode)
done()
