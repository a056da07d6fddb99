"""Plugins (smc/plugin.h): a user's C++ components, built in a separate CMake
project against a `cmake --install` prefix of this build, checked and run.

Usage: plugin.py SMC BUILD_DIR SOURCE_DIR CMAKE CXX

Cases, in order:
- install: `cmake --install BUILD --prefix P` puts include/smc/*.h and
  lib/cmake/smc/smcConfig.cmake there; examples/plugin configures against P
  (find_package(smc), smc::plugin) and builds libmine.so;
- run: examples/plugin/plugin.topo (split -> plugin bolt x2 through a plugin
  grouping -> plugin bolt -> stdout) gives exactly the words of 4+ bytes with
  their lengths, computed here; the same with acking on;
- spout, grouping and sink: Countdown -> Lengths-like data into Collect x3
  through ByLength: each instance's file holds exactly the strings whose
  length mod 3 is its index, and its count line;
- Flux: export of a plugin spout, bolt (named library:/component:) and sink
  as `smc component plugin` commands, import back (the sink a sink again),
  and each of the three run with the original's exact file; smc component's
  errors for a misspelt component or parameter and a missing library;
- check: exact diagnostics for a misspelt parameter, component and grouping,
  a wrong type, a missing field, a component of the wrong kind, a missing
  library and the missing name argument (exit 65);
- refusals: a library that is not a plugin, one built for ABI 99, one whose
  describe throws, and one others may write: each named with its reason;
- failures at run time: a grouping that chooses no instance, an emit on an
  undeclared stream, a throwing bolt and a sink that cannot open its file
  each fail the run with exit 70 and the component's message: nothing is
  dropped silently.
"""
import json
import os
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import *  # noqa: E402,F401,F403

BUILD, SOURCE, CMAKE, CXX = (os.path.abspath(a) if i < 2 else a for i, a in enumerate(sys.argv[2:6]))
work = workdir("smc-plugin-")


def sh(*cmd, timeout=300):
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=slow(timeout))
    check(p.returncode == 0, " ".join(cmd), p.stdout[-3000:], p.stderr[-3000:])
    return p.stdout


# -- install, and the example built against the installed tree
prefix = os.path.join(work, "prefix")
sh(CMAKE, "--install", BUILD, "--prefix", prefix)
for h in ("plugin.h", "component.h", "emitter.h", "tuple.h", "grouping.h"):
    check(os.path.exists(os.path.join(prefix, "include", "smc", h)), "installed smc/" + h)
check(os.path.exists(os.path.join(prefix, "lib", "cmake", "smc", "smcConfig.cmake")), "installed smcConfig.cmake")
env_free = {k: v for k, v in os.environ.items() if not k.startswith(("ASAN", "UBSAN", "LSAN"))}
sh(CMAKE, "-S", os.path.join(SOURCE, "examples", "plugin"), "-B", "b", "-DCMAKE_PREFIX_PATH=" + prefix,
   "-DCMAKE_CXX_COMPILER=" + CXX, "-DCMAKE_BUILD_TYPE=Release")
sh(CMAKE, "--build", "b")
lib = os.path.join(work, "b", "libmine.so")
check(os.path.exists(lib), "libmine.so built")

# -- the example, run
text = "the quick brown fox\njumps over the lazy dog\n\nhello world again ab abcd\n" * 50
want = sorted(json.dumps({"word": w, "length": len(w)}) for line in text.splitlines() for w in line.split()
              if len(w) >= 4)
example = os.path.join(SOURCE, "examples", "plugin", "plugin.topo")
rc, out, err = run("check", "-p", "lib=" + lib, example)
eq((rc, out, err), (0, "", ""), "smc check of the example")
rc, out, err = run("run", "-p", "lib=" + lib, example, stdin=text)
eq(rc, 0, "the example runs", err)
eq(sorted(out.splitlines()), want, "the example's output")

acked = open(example).read().replace("topology lengths {", "topology lengths {\n    set acking = true")
write("acked.topo", acked)
rc, out, err = run("run", "-p", "lib=" + lib, "acked.topo", stdin=text)
eq(rc, 0, "the example runs with acking", err)
eq(sorted(out.splitlines()), want, "the example's output with acking")

# -- a plugin spout, grouping and sink; the library named relative to the .topo
shutil.copy(lib, "libmine.so")
# exec turns the numbers into strings (lines) for the grouping by length.
topo("parts.topo", """
    spout n = plugin("libmine.so", "Countdown", from: 200)
    bolt  s = exec("cat") <- n shuffle
    sink  c = plugin("libmine.so", "Collect", path: "part") x3 <- s custom plugin("libmine.so", "ByLength", field: "line")
""")
rc, out, err = run("run", "parts.topo")
eq((rc, out), (0, ""), "spout -> exec -> plugin sink x3 via a plugin grouping", err)
for i in range(3):
    words = [str(k) for k in range(200, 0, -1) if len(str(k)) % 3 == i]
    got = read("part.%d" % i).splitlines()
    eq(sorted(got[:-1]), sorted(words), "instance %d got the strings of length %% 3 == %d" % (i, i))
    eq(got[-1], "# %d tuples" % len(words), "instance %d counted them at the end" % i)

# -- to Storm and back: smc export --flux runs the plugin's spout, bolt and
# sink under `smc component plugin`, import brings the same topology back,
# and both, run here (the exported commands under smc's own shell(...)),
# write exactly what the original writes. Named library:/component: work too.
topo("flux.topo", """
    spout n = plugin("libmine.so", "Countdown", from: 30)
    bolt  k = plugin(library: "libmine.so", component: "Threshold", field: "n", min: 10) x2 <- n shuffle
    sink  c = plugin("libmine.so", "Collect", path: "flux") <- k shuffle
""")
want_flux = [str(k) for k in range(30, 9, -1)]


def collected(what):
    got = read("flux.0").splitlines()
    eq((sorted(got[:-1], key=int), got[-1]), (sorted(want_flux, key=int), "# 21 tuples"), what)
    os.remove("flux.0")


rc, out, err = run("run", "flux.topo")
eq((rc, out, err), (0, "", ""), "the topology for Flux runs")
collected("the topology for Flux, run")
rc, out, err = run("export", "--flux", "flux.topo", "-o", "flux.yaml")
eq((rc, out, err), (0, "", ""), "smc export --flux of plugin components")
abs_lib = os.path.realpath("libmine.so")
yaml = read("flux.yaml")
for cmd in (["component=Countdown", "from=30", "library=" + abs_lib],
            ["component=Threshold", "field=n", "library=" + abs_lib, "min=10.0"],
            ["component=Collect", "library=" + abs_lib, "path=flux"]):
    words = '"smc", "component", "plugin", ' + ", ".join('"--param", "%s"' % a for a in cmd)
    check(words in yaml, "the export runs smc component plugin " + " ".join(cmd), yaml)
rc, out, err = run("import", "--flux", "flux.yaml", "-o", "back.topo")
eq((rc, err), (0, ""), "smc import --flux of the export")
eq(read("back.topo").splitlines()[1:], [
    "topology t {",
    '    spout n = plugin(component: "Countdown", from: 30, library: "%s")' % abs_lib,
    '    bolt  k = plugin(component: "Threshold", field: "n", library: "%s", min: 10.0) x2 <- n shuffle' % abs_lib,
    '    sink  c = plugin(component: "Collect", library: "%s", path: "flux") <- k shuffle' % abs_lib,
    "}"], "the imported topology: the plugin's sink is a sink again")
rc, out, err = run("run", "back.topo")
eq((rc, out, err), (0, "", ""), "the imported topology runs")
collected("the imported topology, run")
rc, out, err = run("import", "--flux", "flux.yaml", "--as-shell", "-o", "shell.topo")
eq(rc, 0, "smc import --flux --as-shell", err)
env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(SMC)) + os.pathsep + os.environ.get("PATH", ""))
rc, out, err = run("run", "shell.topo", env=env)
eq((rc, out), (0, ""), "the exported commands run under shell(...)", err)
collected("the exported commands, run under shell(...)")
rc, out, err = run("component", "plugin", "--param", "library=" + abs_lib, "--param", "component=Lenghts")
eq((rc, err), (64, "smc component: error: plugin '%s' has no bolt 'Lenghts'; did you mean 'Lengths'?\n" % abs_lib),
   "smc component plugin: a misspelt component")
rc, out, err = run("component", "plugin", "--param", "component=Lengths")
eq((rc, err), (64, "smc component: error: 'plugin' needs --param library=PATH\n"), "smc component plugin: no library")
rc, out, err = run("component", "plugin", "--param", "library=" + abs_lib, "--param", "component=Lengths",
                   "--param", "feild=word")
eq((rc, err), (64, "smc component: error: 'plugin' has no parameter 'feild'; did you mean 'field'?\n"),
   "smc component plugin: a misspelt parameter of the plugin's")

# -- smc check: the plugin's signature, as a built-in's
write("bad.topo", """topology t {
    spout s = plugin("libmine.so", "Countdown", form: 3)
    bolt  a = plugin("libmine.so", "Lenghts", field: "n") <- s shuffle
    bolt  b = plugin("libmine.so", "Threshold", field: "n", min: "x") <- s shuffle
    bolt  c = plugin("nosuch.so", "X") <- s shuffle
    bolt  d = plugin("libmine.so") <- s shuffle
    sink  e = plugin("libmine.so", "Countdown") <- a shuffle, b shuffle, c shuffle, d shuffle
}
topology u {
    spout s = plugin("libmine.so", "Countdown")
    bolt  b = plugin("libmine.so", "Threshold", field: "m", min: 2) <- s shuffle
    sink  f = stdout() <- s custom plugin("libmine.so", "ByLen", field: "n"), b shuffle
    sink  g = stdout() <- s custom plugin("libmine.so", "ByLength", field: "q")
    sink  h = plugin("libmine.so", "Collect") <- s shuffle
}
""")
rc, out, err = run("check", "bad.topo")
expected = [
    "bad.topo:2:49: error: 'Countdown' has no parameter 'form'; did you mean 'from'?",
    "bad.topo:3:36: error: plugin 'libmine.so' has no bolt 'Lenghts'; did you mean 'Lengths'?",
    "bad.topo:4:66: error: argument 'min' of 'Threshold' must be a number, got string \"x\"",
    "bad.topo:5:22: error: cannot load plugin 'nosuch.so' (./nosuch.so): No such file or directory",
    "bad.topo:6:15: error: 'plugin' takes the name of the component in it as its second argument, a string, "
    "such as plugin(\"libmine.so\", \"MyBolt\")",
    "bad.topo:7:36: error: 'Countdown' in plugin 'libmine.so' is a spout, not a sink",
    "bad.topo:11:56: error: unknown field 'm' for 'b': its input has fields (n)",
    "bad.topo:12:57: error: plugin 'libmine.so' has no grouping 'ByLen'; did you mean 'ByLength'?",
    "bad.topo:13:76: error: stream 'default' of 's' has no field 'q'",
    "bad.topo:14:15: error: missing required argument 'path' of 'Collect'",
]
eq(rc, 65, "smc check of wrong uses exits 65", err)
eq([l for l in err.splitlines() if ": error: " in l or ": warning: " in l], expected, "the diagnostics", err)

# -- libraries smc refuses to load
sh(CXX, "-std=c++20", "-shared", "-fPIC", "-o", "abi99.so", os.path.join(SOURCE, "tests", "plugin", "abi99.cc"))
inc = "-I" + os.path.join(prefix, "include")
bad_src = os.path.join(SOURCE, "tests", "plugin", "misbehaving.cc")
sh(CXX, "-std=c++20", "-shared", "-fPIC", inc, "-o", "misbehaving.so", bad_src)
sh(CXX, "-std=c++20", "-shared", "-fPIC", inc, "-DREFUSE", "-o", "refusing.so", bad_src)
write("empty.cc", "int smc_nothing_here;\n")
sh(CXX, "-shared", "-fPIC", "-o", "notplugin.so", "empty.cc")
shutil.copy("libmine.so", "shared.so")
os.chmod("shared.so", 0o777)
write("refused.topo", """topology t {
    spout a = plugin("notplugin.so", "A")
    spout b = plugin("abi99.so", "A")
    spout c = plugin("refusing.so", "A")
    spout d = plugin("shared.so", "Countdown")
    sink  o = stdout() <- a shuffle, b shuffle, c shuffle, d shuffle
}
""")
rc, out, err = run("check", "refused.topo")
eq(rc, 65, "refused libraries: exit 65", err)
eq([l for l in err.splitlines() if ": error: " in l], [
    "refused.topo:2:22: error: cannot load plugin 'notplugin.so': it is not an smc plugin (it defines no "
    "smc_plugin_library: see SMC_PLUGIN in smc/plugin.h)",
    "refused.topo:3:22: error: cannot load plugin 'abi99.so': it was built for smc plugin ABI 99, and this smc "
    "loads ABI 1: rebuild it against this smc's headers",
    "refused.topo:4:22: error: cannot load plugin 'refusing.so': this plugin refuses to load",
    "refused.topo:5:22: error: cannot load plugin 'shared.so': writable by others (mode 777)",
], "why each library is refused", err)

# -- contract breaches at run time fail the run loudly
def fails(body, message, what, stdin=None):
    topo("fail.topo", body)
    rc, out, err = run("run", "fail.topo", stdin=stdin)
    eq(rc, 70, what + ": exit 70", err)
    check(message in err, what + ": says " + message, err)


fails("""    spout n = plugin("libmine.so", "Countdown", from: 5)
    sink  o = stdout() x2 <- n custom plugin("misbehaving.so", "Nowhere")""",
      "plugin grouping 'Nowhere' chose no instance of 2 for a tuple", "a grouping that chooses nothing")
fails("""    spout n = plugin("libmine.so", "Countdown", from: 5)
    sink  o = stdout() x2 <- n custom plugin("misbehaving.so", "Beyond")""",
      "plugin grouping 'Beyond' chose instance 99 of 2", "a grouping that chooses an instance that is not there")
fails("""    spout n = plugin("libmine.so", "Countdown", from: 5)
    bolt  w = plugin("misbehaving.so", "WrongStream") <- n shuffle
    sink  o = stdout() <- w shuffle""",
      "emitted on stream 3, which 'w' does not declare (it has 1)", "an emit on an undeclared stream")
fails("""    spout n = plugin("libmine.so", "Countdown", from: 5)
    bolt  w = plugin("misbehaving.so", "Thrower") <- n shuffle
    sink  o = stdout() <- w shuffle""",
      "three is not allowed", "a bolt that throws")
fails("""    spout n = plugin("libmine.so", "Countdown", from: 5)
    sink  c = plugin("libmine.so", "Collect", path: "no/such/folder/x") <- n shuffle""",
      "cannot write", "a sink that cannot open its file")
done()
