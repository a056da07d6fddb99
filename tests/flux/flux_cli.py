#!/usr/bin/env python3
"""smc export --flux / smc import --flux through the real binary: the exported
commands run under smc's own shell(...) and count the same as the original;
exit statuses and error texts; smc component serving a built-in spout."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from smctest import *  # noqa: E402,F401,F403

workdir("smc-flux-")
HERE = os.path.join(TESTS, "flux")
ENV = dict(os.environ, PATH=os.path.dirname(SMC) + os.pathsep + os.environ.get("PATH", ""))
SINK = '    sink  out = stdout(format: "tsv") <- count global\n}\n'


def with_sink(text):
    """The topology with a stdout sink on `count`, to see what it computed."""
    return text[: text.rindex("}")] + SINK


# --- The exported commands run: import(export(wordcount)) counts the same as wordcount.
rc, _, err = run("export", "--flux", os.path.join(HERE, "wordcount.topo"), "-o", "wc.yaml")
eq(rc, 0, "export of wordcount.topo", err)
check(os.path.exists("wc.yaml") and not [f for f in os.listdir(".") if ".tmp" in f], "the YAML, and no temporary file")
rc, _, err = run("import", "--flux", "--as-shell", "wc.yaml", "-o", "wc_shell.topo")
eq(rc, 0, "import --as-shell", err)
shell_topo = read("wc_shell.topo")
check('shell("smc component split --param field=sentence --fields sentence") x3' in shell_topo,
      "built-ins stay as the commands Storm runs", shell_topo)
rc, _, err = run("import", "--flux", "wc.yaml", "-o", "wc_back.topo")
eq(rc, 0, "import", err)
write("orig_run.topo", with_sink(read(os.path.join(HERE, "wordcount.topo"))))
write("shell_run.topo", with_sink(shell_topo))
write("back_run.topo", with_sink(read("wc_back.topo")))
outputs = {}
for name in ("orig_run.topo", "shell_run.topo", "back_run.topo"):
    p = subprocess.run([SMC, "run", name], capture_output=True, text=True, env=ENV, timeout=slow(60))
    eq(p.returncode, 0, "smc run " + name, p.stderr)
    outputs[name] = sorted(p.stdout.splitlines())
words = dict(l.split("\t") for l in outputs["orig_run.topo"])
eq(sum(int(n) for n in words.values()) > 500, True, "500 sentences counted", words)
eq(outputs["shell_run.topo"], outputs["orig_run.topo"], "the exported commands under shell(...) count the same")
eq(outputs["back_run.topo"], outputs["orig_run.topo"], "the imported built-ins count the same")

# --- Exit statuses and messages.
rc, out, err = run("export", "--flux", os.path.join(ROOT, "examples", "wordcount.topo"), "-o", "no.yaml")
eq(rc, 65, "a topology with stdin and stdout does not export", err)
check("'sentences' uses stdin(...), which has no meaning on a Storm cluster" in err, "stdin named", err)
check("org.apache.storm.kafka.bolt.KafkaBolt from storm-kafka-client" in err, "a Kafka bolt proposed", err)
check(not os.path.exists("no.yaml"), "nothing written on an error")
rc, _, err = run("export", os.path.join(HERE, "wordcount.topo"))
eq(rc, 64, "export without --flux", err)
check("needs --flux" in err, "says --flux is needed", err)
rc, _, err = run("export", "--flux", "missing.topo")
eq(rc, 66, "export of a missing file", err)
rc, _, err = run("export", "--flux", os.path.join(HERE, "wordcount.topo"), "--topology", "nope")
eq((rc, err), (64, "smc export: error: no topology 'nope' in '%s' (it has 'wordcount')\n" % os.path.join(HERE, "wordcount.topo")),
   "an unknown --topology")
write("two.topo", "topology a {\n  spout g = generate(count: 1)\n  bolt b = identity() <- g shuffle\n}\n"
                  "topology b {\n  spout g = generate(count: 1)\n  bolt b = identity() <- g shuffle\n}\n")
rc, _, err = run("export", "--flux", "two.topo")
eq((rc, err), (64, "smc export: error: 'two.topo' has several topologies ('a', 'b'); choose one with --topology\n"),
   "several topologies need --topology", err)
rc, out, err = run("export", "--flux", "two.topo", "--topology", "b")
eq((rc, out.splitlines()[0]), (0, 'name: "b"'), "--topology chooses", err)
rc, _, err = run("export", "--flux", os.path.join(HERE, "wordcount.topo"), "-o", "no/such/dir/x.yaml")
eq(rc, 74, "an output that cannot be written", err)
check(err.startswith("smc export: error: cannot write 'no/such/dir/x.yaml': No such file or directory"), "says why", err)
rc, _, err = run("import", "--flux", "missing.yaml")
eq((rc, err), (66, "smc import: error: cannot open 'missing.yaml': No such file or directory\n"), "import of a missing file")
write("bad.yaml", "name: t\nbolts:\n  - id: b\n    className: com.example.Mine\n")
rc, out, err = run("import", "--flux", "bad.yaml", "-o", "bad.topo")
eq((rc, out), (65, ""), "a Java class does not import", err)
eq(err.splitlines()[0], "bad.yaml:4:16: error: cannot import Java component 'com.example.Mine'", "its line", err)
check(not os.path.exists("bad.topo"), "nothing written on an error")
# The imported text is checked like any .topo file: a built-in with an unknown argument.
write("unchecked.yaml", "name: t\nspouts:\n  - id: g\n    className: org.apache.storm.flux.wrappers.spouts.FluxShellSpout\n"
                        "    constructorArgs: [[smc, component, generate, --param, cont=3], [n]]\n")
rc, out, err = run("import", "--flux", "unchecked.yaml")
eq(rc, 65, "an import that does not check", err)
check("<import>:3:24: error: " in err and "'cont'" in err, "the checker's diagnostic", err)
check(err.endswith("smc import: error: the imported topology does not check; nothing written\n"), "and the verdict", err)
rc, out, err = run("import", "--flux", "-", stdin=read("wc.yaml"))
eq((rc, out), (0, read("wc_back.topo").replace("wc.yaml", "<stdin>")), "import from standard input", err)

# --- smc component serves a built-in spout over Storm's multi-lang protocol.
msgs = [{"conf": {}, "context": {}, "pidDir": os.getcwd()}, {"command": "activate"}, {"command": "next"},
        {"command": "ack", "id": "1"}, {"command": "next"}, {"command": "next"}]
stdin = "".join(json.dumps(m) + "\nend\n" for m in msgs)
rc, out, err = run("component", "generate", "--param", "count=3", stdin=stdin)
eq(rc, 0, "smc component generate", err)
frames = [json.loads(f) for f in out.split("\nend\n") if f.strip()]
pid = frames[0]["pid"]
check(os.path.exists(str(pid)), "the pid file in pidDir")
emits = [f["tuple"] for f in frames if f.get("command") == "emit"]
eq(emits, [[0], [1], [2]], "the spout's tuples", frames)
syncs = [f for f in frames if f.get("command") == "sync"]
eq(len(syncs), 5, "a sync for every command", frames)
eq(syncs[-1].get("done"), True, "done once exhausted", frames)
rc, out, err = run("component", "stdin", stdin=stdin)
eq((rc, err), (64, "smc component: error: 'stdin' cannot run as a multi-lang component\n"), "stdin is not served")

# A spout and a sink of one name (amqp): with --fields, as smc export --flux
# writes a sink for Storm's ShellBolt, the sink is served (it has routing_key,
# the spout has not); without, the spout (it has queue).
env = {k: v for k, v in os.environ.items() if k != "SMC_BROKER"}
hs = json.dumps({"conf": {}, "context": {}, "pidDir": os.getcwd()}) + "\nend\n"
rc, out, err = run("component", "amqp", "--param", "routing_key=x", "--fields", "line", stdin=hs, env=env)
check(rc != 0 and "has no parameter" not in err and "give url" in err, "amqp with --fields is the sink", rc, err)
rc, out, err = run("component", "amqp", "--param", "routing_key=x", stdin=hs, env=env)
check(rc == 64 and "'amqp' has no parameter 'routing_key'" in err, "amqp without --fields is the spout", rc, err)
topo("kafka.topo", """
    spout k = kafka(brokers: "h:9092", topic: "in", group: "g")
    sink  o = kafka(brokers: "h:9092", topic: "out") <- k shuffle""")
rc, out, err = run("export", "--flux", "kafka.topo")
check(rc == 0 and '["smc", "component", "kafka", "--param", "brokers=h:9092", "--param", "topic=out", "--fields", '
      '"key,value,partition,offset"]' in out, "the kafka sink is exported with its input fields", out, err)

done()
