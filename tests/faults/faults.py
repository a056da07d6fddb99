#!/usr/bin/env python3
"""Fault injection: kill each process of a running pipeline once, with SIGKILL,
at a random moment, and check smc's promise.

The pipeline (two topologies joined by a channel, so two processes under a
supervisor):

    topology up:   stdin -> throttle -> shell(pass.py) x2 -> exec(cat) -> channel
    topology down: channel -> stdout

For every victim kind (the supervisor, each topology process, each shell
child, the exec child) and every round, one run: the victim is killed once,
after a random share of the input has come out. Then:

  - the run completed (exit 0) and every input line is in the output or in
    an errors stream at least once (duplicates only from replays), or
  - it failed with a non-zero status, naming the component (when the victim
    was a child of smc) on standard error;
  - and in both cases, nothing is left: no process of the run, no segment in
    /dev/shm, no file in the private runtime folder.

Usage: tests/faults/faults.py SMC [--rounds N] [--lines N] [--rate R] [--seed S]
Prints one line per run and a summary; exits 1 on any broken promise.
Not part of CI (a few minutes); run by hand and report the summary.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def pids_matching(pattern):
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if int(p) != os.getpid()]


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def comm(pid):
    try:
        return open("/proc/%d/comm" % pid).read().strip()
    except OSError:
        return ""


def session_pids(sid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,sid="], capture_output=True, text=True).stdout
    return [int(a) for a, b in (l.split() for l in out.splitlines()) if int(b) == sid]


def wait_for(cond, timeout, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smc")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lines", type=int, default=200000)
    ap.add_argument("--victims", default="", help="a comma-separated subset of the victims")
    ap.add_argument("--rate", type=int, default=100000, help="input lines per second (a throttle)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    smc = os.path.abspath(args.smc)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="smc-faults-")
    runtime = tempfile.mkdtemp(prefix="smc-faults-xdg-")
    os.chmod(runtime, 0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime)
    shutil.copy(os.path.join(HERE, "pass.py"), work)
    with open(os.path.join(work, "in.txt"), "w") as f:
        for i in range(args.lines):
            f.write("%d\n" % i)
    expected = set(str(i) for i in range(args.lines))
    victims = ["supervisor", "topology:up", "topology:down", "shell#0", "shell#1", "exec"]
    if args.victims:
        victims = [v for v in victims if v in args.victims.split(",")]
    stats = dict(runs=0, completed=0, failed_loudly=0, broken=0, lost=0)
    print("faults: seed %d, %d lines, %d rounds x %d victims" % (args.seed, args.lines, args.rounds, len(victims)))
    for rnd in range(args.rounds):
        for victim in victims:
            tag = "ft%d_%d_%s" % (os.getpid(), rnd, victim.replace(":", "_").replace("#", "_"))
            topo = os.path.join(work, tag + ".topo")
            with open(topo, "w") as f:
                f.write(
                    'topology up {\n'
                    '    spout src  = stdin()\n'
                    '    bolt  slow = throttle(rate: %d) <- src shuffle\n'
                    '    bolt  pass = shell("python3 pass.py %s") x2 <- slow shuffle -> (line)\n'
                    '    bolt  cat  = exec("exec cat") <- pass shuffle\n'
                    '    sink  feed = channel("%s") <- cat shuffle\n'
                    '    sink  errs = file(path: "%s.errs", format: "tsv") <- cat.errors shuffle\n'
                    '}\n'
                    'topology down {\n'
                    '    spout feed = channel("%s")\n'
                    '    sink  out  = stdout() <- feed shuffle\n'
                    '}\n' % (args.rate, tag, tag, tag, tag))
            out_path = os.path.join(work, tag + ".out")
            err_path = os.path.join(work, tag + ".err")
            with open(os.path.join(work, "in.txt")) as fin, open(out_path, "w") as fout, open(err_path, "w") as ferr:
                p = subprocess.Popen([smc, "run", topo], stdin=fin, stdout=fout, stderr=ferr, cwd=work, env=env,
                                     start_new_session=True)
            # A random moment within the run's expected length (the throttle
            # sets it), once the victim exists.
            share = rng.uniform(0.05, 0.8)
            t_kill = time.time() + share * args.lines / args.rate
            wait_for(lambda: p.poll() is not None or time.time() >= t_kill, 120)
            pid = None
            if p.poll() is None:
                if victim == "supervisor":
                    pid = p.pid
                elif victim.startswith("topology:"):
                    name = victim.split(":")[1]
                    cands = [c for c in children(p.pid)
                             if ("--topology\0%s" % name) in open("/proc/%d/cmdline" % c).read()]
                    pid = cands[0] if cands else None
                elif victim.startswith("shell#"):
                    cands = sorted(pids_matching("pass.py %s" % tag))
                    i = int(victim[-1])
                    pid = cands[i] if len(cands) > i else None
                else:  # the exec command: a `cat` child of the topology process 'up'
                    ups = [c for c in children(p.pid)
                           if "--topology\0up" in open("/proc/%d/cmdline" % c).read()]
                    cands = [c for u in ups for c in children(u) if comm(c) == "cat"]
                    pid = cands[0] if cands else None
            if not pid and p.poll() is None:
                print("  (no %s process found; the run's processes: %s)" % (victim, session_pids(p.pid)))
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pid = None
            try:
                rc = p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                rc = "hang"
            stats["runs"] += 1
            err = open(err_path, errors="replace").read()
            got = set(open(out_path, errors="replace").read().split())
            errs_path = os.path.join(work, tag + ".errs")
            if os.path.exists(errs_path):  # errors(input, reason): accounted, not lost
                got |= set(l.split("\t")[0] for l in open(errs_path, errors="replace").read().splitlines())
            missing = len(expected - got)
            problems = []
            if pid is None and rc != 0:
                problems.append("failed (%s) with no fault injected: %r" % (rc, err[-300:]))
            elif rc == "hang":
                problems.append("did not finish within 120 s")
            elif rc == 0:
                if missing:
                    problems.append("exit 0 but %d input lines missing from the output" % missing)
                    stats["lost"] += missing
                else:
                    stats["completed"] += 1
            else:
                if victim != "supervisor" and pid and not any(w in err for w in ("pass", "cat", "feed", "up", "down")):
                    problems.append("failed (%s) without naming a component: %r" % (rc, err[-300:]))
                else:
                    stats["failed_loudly"] += 1
            # Nothing may be left: processes, segments, records.
            left_pids = lambda: sorted(set(pids_matching(tag)) | set(session_pids(p.pid)))
            if wait_for(lambda: not left_pids(), 10) is False or left_pids():
                problems.append("processes left: %s" % left_pids())
            subprocess.run([smc, "ps"], env=env, capture_output=True)  # cleans what a killed run left
            segs = wait_for(lambda: not [s for s in os.listdir("/dev/shm") if tag in s], 5)
            if not segs:
                problems.append("segments left: %s" % [s for s in os.listdir("/dev/shm") if tag in s])
            left = [f for f in os.listdir(os.path.join(runtime, "smc"))] if os.path.isdir(
                os.path.join(runtime, "smc")) else []
            if wait_for(lambda: not os.listdir(os.path.join(runtime, "smc")) if os.path.isdir(
                    os.path.join(runtime, "smc")) else True, 5) is False:
                problems.append("runtime folder not empty: %s" % left)
            verdict = "BROKEN: " + "; ".join(problems) if problems else "ok"
            if problems:
                stats["broken"] += 1
            print("round %d %-14s killed %-7s at %3.0f%%: exit %-4s missing %-6d %s" % (
                rnd, victim, pid or "-", share * 100, rc, missing, verdict), flush=True)
    print("faults: %(runs)d runs, %(completed)d completed with every tuple, %(failed_loudly)d failed loudly, "
          "%(broken)d broke a promise, %(lost)d tuples lost" % stats)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(runtime, ignore_errors=True)
    return 1 if stats["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
