"""The command line (issue 13, item 5) through the real binary.

Usage: cli.py SMC CASE.
  suggest     unknown commands and options: smc's own messages, suggestions, 64
  completion  `smc completion bash` loads in bash (complete -p smc) and
              completes commands, options and choices; the zsh script's shape;
              the build installs both
  check_json  `smc check --format json`: a JSON array (python3 -m json.tool)
              with exact positions; nothing on stderr; exit statuses kept
  werror      `smc check --werror`: a warning gives 65, none gives 0
  component   `smc component` takes -p and checks its name and arguments
              before reading the handshake
  env         ${env:NAME} and ${env:NAME:-default} in strings; unset without a
              default is an error at its place (65)
  params_file --params FILE for run, check and graph: NAME=VALUE lines,
              comments skipped, -p wins; errors name FILE:LINE (64), a
              missing file 66
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import SMC, check, done, eq, run, skip, slow, topo, write, workdir  # noqa: E402

workdir("smc-cli-")


def usage(args, message, command=None):
    rc, out, err = run(*args, stdin="")
    hint = "Run 'smc %s--help' for usage.\n" % (command + " " if command else "")
    eq((rc, out, err), (64, "", "smc: error: " + message + "\n" + hint), "smc " + " ".join(args))


def case_suggest():
    usage(["runn", "x.topo"], "unknown command 'runn'; did you mean 'run'?")
    usage(["chek"], "unknown command 'chek'; did you mean 'check'?")
    usage(["frobnicate"], "unknown command 'frobnicate'")
    rc, out, err = run()
    eq(rc, 64, "no command")
    check(err.startswith("smc: error: no command given (one of: check, run, "), "no command: the list", err)
    usage(["run", "--thread", "2", "x.topo"], "unknown option '--thread' for 'smc run'; did you mean '--threads'?",
          "run")
    usage(["run", "x.topo", "--metric=m.txt"], "unknown option '--metric' for 'smc run'; did you mean '--metrics'?",
          "run")
    usage(["check", "--werro", "x.topo"], "unknown option '--werro' for 'smc check'; did you mean '--werror'?", "check")
    usage(["run", "x.topo", "-q"], "unknown option '-q' for 'smc run'", "run")
    usage(["run", "a.topo", "b.topo"], "unexpected argument 'b.topo' for 'smc run'", "run")
    usage(["check"], "'smc check' needs its files argument", "check")
    usage(["run", "x.topo", "--threads"], "'--threads' needs a value (smc run)", "run")


def bash(script):
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True,
                       timeout=slow(30))
    eq(p.returncode, 0, "bash ran", script, p.stderr)
    return p.stdout


def complete(words):
    """What bash completes for the command line `words` (the last is the word at the cursor)."""
    script = ('source <("$SMC" completion bash)\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_smc\n'
              'printf "%%s\\n" "${COMPREPLY[@]}"' % (" ".join("'%s'" % w for w in words), len(words) - 1))
    return bash("SMC='%s'\n%s" % (SMC, script)).split()


def case_completion():
    rc, out, err = run("completion", "bash")
    eq(rc, 0, "smc completion bash", err)
    write("smc.bash", out)
    eq(bash("source ./smc.bash; complete -p smc"), "complete -F _smc smc\n", "complete -p smc")
    eq(complete(["smc", "ru"]), ["run"], "a command")
    eq(complete(["smc", "c"]), ["check", "component", "completion"], "commands")
    eq(complete(["smc", "run", "--thr"]), ["--threads"], "an option of run")
    eq(complete(["smc", "check", "--w"]), ["--werror"], "an option of check")
    eq(complete(["smc", "run", "--metrics-format", ""]), ["text", "json"], "choices of --metrics-format")
    eq(complete(["smc", "completion", ""]), ["bash", "zsh"], "completion's argument")
    write("here.topo", "")
    eq(complete(["smc", "run", "her"]), ["here.topo"], "files")
    rc, out, err = run("completion", "zsh")
    eq(rc, 0, "smc completion zsh", err)
    check(out.startswith("#compdef smc\n"), "zsh: #compdef first", out[:100])
    check("'*--threads[worker threads (default  one per core)]:value:'" in out, "zsh: an option with its help",
          out)
    if shutil.which("zsh"):
        p = subprocess.run(["zsh", "-n", "-c", out], capture_output=True, text=True)
        eq(p.returncode, 0, "zsh -n accepts it", p.stderr)
    installed = os.path.join(os.path.dirname(SMC), "share", "bash-completion", "completions", "smc")
    eq(open(installed).read(), read_text("smc.bash"), "the build writes the same bash script to share/")
    zsh = os.path.join(os.path.dirname(SMC), "share", "zsh", "site-functions", "_smc")
    eq(open(zsh).read(), out, "and the zsh one")
    usage(["completion", "fish"], "shell: fish not in {bash,zsh} (smc completion)", "completion")


def read_text(name):
    with open(name) as f:
        return f.read()


def case_check_json():
    topo("bad.topo", 'spout s = stdin()\nbolt b = splitt(field: "line") <- s shuffle\nsink o = stdout() <- b shuffle')
    topo("warn.topo", 'spout s = stdin()\nbolt b = identity() <- s shuffle')
    p = subprocess.run([SMC, "check", "--format", "json", "bad.topo", "warn.topo", "missing.topo"],
                       capture_output=True, text=True, timeout=slow(30))
    eq((p.returncode, p.stderr), (66, ""), "json: the usual status, nothing on stderr")
    tool = subprocess.run([sys.executable, "-m", "json.tool"], input=p.stdout, capture_output=True, text=True)
    eq(tool.returncode, 0, "python3 -m json.tool parses it", p.stdout, tool.stderr)
    diags = json.loads(p.stdout)
    first = diags[0]
    eq({k: first[k] for k in ("file", "line", "column", "end_line", "end_column", "severity")},
       {"file": "bad.topo", "line": 3, "column": 10, "end_line": 3, "end_column": 16, "severity": "error"},
       "the first diagnostic's place", diags)
    check(first["message"] == "unknown bolt implementation 'splitt'; did you mean 'split'?", "its message", first)
    check(any(d["file"] == "warn.topo" and d["severity"] == "warning" for d in diags), "the warning", diags)
    eq(diags[-1]["file"], None, "a file that cannot be opened has no place", diags)
    check("missing.topo" in diags[-1]["message"], "and says which", diags[-1])
    # The text form says the same on stderr.
    rc, out, err = run("check", "bad.topo")
    eq((rc, out), (65, ""), "text form")
    check(err.startswith("bad.topo:3:10: error: unknown bolt implementation 'splitt'; did you mean 'split'?\n"), "text form's first line", err)
    rc, out, err = run("check", "--format", "json", "warn.topo")
    eq(rc, 0, "json: a warning alone passes")
    eq(json.loads(out)[0]["message"], "topology 't' has no sink", "the warning's text", out)
    rc, out, err = run("check", "--format", "xml", "warn.topo")
    eq(rc, 64, "an unknown format is a usage error")
    topo("good.topo", 'spout s = stdin()\nsink o = stdout() <- s shuffle')
    eq(run("check", "--format", "json", "good.topo")[:2], (0, "[]\n"), "no diagnostics: []")


def case_werror():
    topo("warn.topo", 'spout s = stdin()\nbolt b = identity() <- s shuffle')
    topo("good.topo", 'spout s = stdin()\nsink o = stdout() <- s shuffle')
    rc, out, err = run("check", "warn.topo")
    eq(rc, 0, "a warning alone passes by default", err)
    rc, out, err2 = run("check", "--werror", "warn.topo")
    eq((rc, err2), (65, err), "--werror: 65 with the same diagnostics")
    eq(run("check", "--werror", "good.topo"), (0, "", ""), "--werror without warnings: 0")


def case_component():
    # Each of these fails at once, with standard input still open and empty:
    # the handshake is never waited for.
    for args, message in ((["component", "splitt"], "no built-in bolt or spout 'splitt'; did you mean 'split'?"),
                          (["component", "split", "-p", "fiel=x"], "'split' has no parameter 'fiel'; did you mean "
                                                                     "'field'?"),
                          (["component", "split", "-p", "field"], "--param expects KEY=VALUE, got 'field'"),
                          (["component", "exec", "-p", "command=cat"], "'exec' cannot run as a multi-lang component")):
        p = subprocess.Popen([SMC, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            out, err = p.communicate(timeout=slow(10))  # stdin is closed only after it exits: see below
        except subprocess.TimeoutExpired:
            p.kill()
            check(False, "smc %s exits before any handshake" % " ".join(args))
        eq((p.returncode, err), (64, "smc component: error: " + message + "\n"), " ".join(args))
    # -p is --param: a real run through the handshake.
    hs = json.dumps({"conf": {}, "pidDir": ".", "context": {"source->stream->fields": {"s": {"default": ["line"]}}}})
    tuple_ = json.dumps({"id": "1", "stream": "default", "comp": "s", "tuple": ["a b"]})
    p = subprocess.run([SMC, "component", "split", "-p", "field=line"], input=hs + "\nend\n" + tuple_ + "\nend\n",
                       capture_output=True, text=True, timeout=slow(30))
    eq(p.returncode, 0, "component split -p field=line", p.stderr)
    check('"tuple": ["a"]' in p.stdout and '"tuple": ["b"]' in p.stdout, "the words come out", p.stdout)


def case_env():
    topo("env.topo", 'spout s = generate(count: 1)\n'
         'bolt p = project(fields: ["n"]) <- s shuffle\n'
         'sink o = file(path: "${env:SMC_T_DIR:-.}/${env:SMC_T_NAME}.txt", format: "lines") <- p shuffle')
    env = dict(os.environ)
    env.pop("SMC_T_DIR", None)
    env["SMC_T_NAME"] = "out"
    eq(run("run", "env.topo", env=env), (0, "", ""), "run with SMC_T_NAME set, SMC_T_DIR unset")
    eq(read_text("out.txt"), "0\n", "the file named from the environment, the folder by default")
    os.mkdir("sub")
    env["SMC_T_DIR"] = "sub"
    eq(run("run", "env.topo", env=env), (0, "", ""), "SMC_T_DIR set")
    eq(read_text("sub/out.txt"), "0\n", "the variable wins over the default")
    env["SMC_T_DIR"] = ""
    os.remove("out.txt")
    eq(run("run", "env.topo", env=env)[0], 0, "SMC_T_DIR empty")
    eq(read_text("out.txt"), "0\n", "an empty variable takes the default, as in the shell")
    del env["SMC_T_NAME"]
    rc, out, err = run("check", "env.topo", env=env)
    eq(rc, 65, "unset without a default: invalid", err)
    check(err.startswith("env.topo:4:44: error: environment variable 'SMC_T_NAME' is not set; give a default with "
                         "${env:SMC_T_NAME:-DEFAULT}\n"), "the message, at the reference", err)


def case_params_file():
    write("p.topo", 'param n = 2\nparam word = "x"\ntopology t {\n spout s = generate(count: $n)\n'
          ' bolt f = filter(field: "n", regex: $word, invert: true) <- s shuffle\n sink o = stdout() <- f shuffle\n}\n')
    write("p.params", "# counts\n\n  n=4\nword =1\r\n")
    eq(run("run", "--params", "p.params", "p.topo"), (0, "0\n2\n3\n", ""), "run --params: both values")
    eq(run("run", "--params", "p.params", "-p", "n=3", "p.topo"), (0, "0\n2\n", ""), "a -p wins over the file")
    eq(run("check", "--params", "p.params", "p.topo"), (0, "", ""), "check --params")
    rc, out, err = run("graph", "--format", "text", "--params", "p.params", "p.topo")
    eq(rc, 0, "graph --params", err)
    write("bad.params", "n=4\njust words\n")
    eq(run("run", "--params", "bad.params", "p.topo"),
       (64, "", "smc: error: bad.params:2: expected NAME=VALUE, got 'just words'\n"), "a malformed line")
    write("undeclared.params", "m=4\n")
    rc, out, err = run("check", "--params", "undeclared.params", "p.topo")
    eq(rc, 64, "an undeclared name is a usage error, as with -p", err)
    rc, out, err = run("run", "--params", "none.params", "p.topo")
    eq((rc, err), (66, "smc: error: cannot open 'none.params': No such file or directory\n"), "a missing file")


globals()["case_" + sys.argv[2]]()
done()
