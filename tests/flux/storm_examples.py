#!/usr/bin/env python3
"""smc import --flux on Apache Storm's own Flux examples, unchanged in
../shared/storm/flux (or $SMC_STORM_FLUX): every Java class is reported with
its line, every other problem too; with its Java bolt replaced by a shell
wrapper, multilang.yaml imports to an exact .topo. Skips when they are absent."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from smctest import *  # noqa: E402,F401,F403

FLUX = os.environ.get("SMC_STORM_FLUX") or os.path.join(ROOT, "..", "shared", "storm", "flux")
FLUX = os.path.abspath(FLUX)
if not os.path.isfile(os.path.join(FLUX, "multilang.yaml")):
    skip("Storm's Flux examples are not in %s (set SMC_STORM_FLUX)" % FLUX)
workdir("smc-flux-storm-")

WORKERS = "warning: Storm setting 'topology.workers' has no smc counterpart; ignored"


def java(cls):
    return "error: cannot import Java component '%s'" % cls


TEST_WORD_SPOUT = java("org.apache.storm.testing.TestWordSpout")
TEST_WORD_COUNTER = java("org.apache.storm.testing.TestWordCounter")
ADD_CONFIG = "warning: config method 'addComponentConfig' has no smc counterpart; ignored"
EXPECTED = {
    "diamond-topology.yaml": [(27, 3, WORKERS), (32, 16, TEST_WORD_SPOUT)],
    "include_test.yaml": [(22, 1, "error: Flux includes are not supported: import the included file itself")],
    "kafka_spout.yaml": [(58, 3, WORKERS), (64, 16, java("org.apache.storm.kafka.spout.KafkaSpout")),
                         (85, 16, TEST_WORD_COUNTER)],
    "multilang.yaml": [(28, 3, WORKERS), (62, 16, TEST_WORD_COUNTER)],
    "shell_test.yaml": [(43, 3, WORKERS), (57, 9, ADD_CONFIG), (59, 9, ADD_CONFIG), (76, 9, ADD_CONFIG),
                        (78, 9, ADD_CONFIG), (91, 16, TEST_WORD_COUNTER)],
    "simple_windowing.yaml": [(32, 3, WORKERS), (37, 16, TEST_WORD_SPOUT),
                              (43, 16, java("org.apache.storm.flux.examples.TestWindowBolt")),
                              (49, 16, java("org.apache.storm.flux.examples.TestPrintBolt"))],
    "simple_wordcount.yaml": [(27, 3, WORKERS), (32, 16, TEST_WORD_SPOUT), (38, 16, TEST_WORD_COUNTER)],
    "substitution-test.yaml": [
        (22, 7, "error: Flux property substitution '${topology.name}' is not supported: substitute the properties "
                "before importing"),
        (43, 3, WORKERS),
        (45, 3, "warning: Storm setting 'test.env.value' has no smc counterpart; ignored"),
        (47, 3, "warning: Storm setting 'list.property.target' has no smc counterpart; ignored"),
        (49, 3, "warning: Storm setting 'list.element.property.target' has no smc counterpart; ignored"),
        (82, 16, TEST_WORD_COUNTER)],
    "tck.yaml": [(46, 3, WORKERS), (52, 16, TEST_WORD_SPOUT), (63, 16, TEST_WORD_COUNTER),
                 (92, 13, "error: cannot import Java custom grouping 'org.apache.storm.testing.NGrouping'")],
}
for name in sorted(os.listdir(FLUX)):
    if not name.endswith(".yaml"):
        continue
    check(name in EXPECTED, "an expectation for every Flux example", name)
    path = os.path.join(FLUX, name)
    rc, out, err = run("import", "--flux", path)
    eq((rc, out), (65, ""), name + " does not import", err)
    got = [l for l in err.splitlines() if l.startswith(path + ":")]
    eq(got, ["%s:%d:%d: %s" % (path, line, col, msg) for line, col, msg in EXPECTED[name]], name + ": what it says")

# multilang.yaml with its one Java bolt (TestWordCounter) replaced by a shell bolt serving smc's count.
text = read(os.path.join(FLUX, "multilang.yaml"))
java_bolt = 'className: "org.apache.storm.testing.TestWordCounter"'
eq(text.count(java_bolt), 1, "multilang.yaml has one TestWordCounter")
write("multilang.yaml", text.replace(
    java_bolt, 'className: "org.apache.storm.flux.wrappers.bolts.FluxShellBolt"\n'
               '    constructorArgs: [[smc, component, count, --param, key=word], [word, count]]'))
rc, out, err = run("import", "--flux", "multilang.yaml")
eq(rc, 0, "multilang.yaml with a shell counter imports", err)
eq(out,
   "# Imported from the Apache Storm Flux definition multilang.yaml (smc import --flux)\n"
   "topology shell-topology {\n"
   '    spout sentence-spout = shell("node randomsentence.js") -> (word)\n'
   '    bolt  splitsentence = shell("python3 splitsentence.py") <- sentence-spout shuffle -> (word)\n'
   "    sink  log = stdout() <- count shuffle\n"
   '    bolt  count = count(key: "word") <- splitsentence fields(word)\n'
   "}\n", "the .topo of multilang.yaml", err)
done()
