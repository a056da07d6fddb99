#!/usr/bin/env bash
# Task queues end to end (submit -> result), empty tasks: smc with the
# embedded queue, smc over RabbitMQ, and a Celery worker (Debian's
# python3-celery) on the same RabbitMQ, same parallelism.
#
#   bench/queue.sh [N] [PARALLELISM]      (default 2000 tasks, parallelism 4)
#
# Each run: one worker with PARALLELISM, one client that submits N empty
# tasks at once and then collects every result; the time is from the first
# submission to the last result stored (smc: in the submitter's job store,
# read by `smc ps`; Celery: AsyncResult.get() with the rpc:// backend).
# smc's empty task is exec(":") (one /bin/sh per task); Celery's is a Python
# function in its prefork pool: not the same work per task, which the table
# says. Needs rabbitmq-server and python3-celery (apt-get install). A
# private RabbitMQ node is started (tests/tasks/rabbit.py) and stopped.
set -euo pipefail
N=${1:-2000}
P=${2:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SMC=${SMC:-$ROOT/build/smc}
work=$(mktemp -d /tmp/smc-queue-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$SMC" "$N" "$P" "$work" "$ROOT" <<'EOF'
import os, sqlite3, subprocess, sys, time
smc, n, p, work, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path[:0] = [os.path.join(root, "tests"), os.path.join(root, "tests", "tasks")]
sys.argv = [sys.argv[0], smc]
import smctest  # noqa
from rabbit import Rabbit

os.chdir(work)
CELERY_PY = "/usr/bin/python3"  # Debian's python3-celery lives there (not in a pyenv python)
with open("q.topo", "w") as f:
    f.write('tasks bench {\n    task empty = exec(":")\n}\n')


def smc_run(label, env):
    state = os.path.join(work, label)
    os.makedirs(state, mode=0o700)
    env = dict(os.environ, XDG_STATE_HOME=state, **env)
    w = subprocess.Popen([smc, "worker", "q.topo", "--quiet", "--parallelism", str(p)], env=env,
                         stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # registered and connected
    t0 = time.monotonic()
    subprocess.run([smc, "submit", "--stdin"], input="empty\n" * n, text=True, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = os.path.join(state, "smc", "jobs.db")
    while True:
        if "SMC_BROKER" in env:
            subprocess.run([smc, "ps"], env=env, stdout=subprocess.DEVNULL)  # reads the replies in
        with sqlite3.connect(db, timeout=30) as c:
            done = c.execute("SELECT COUNT(*) FROM queue WHERE state = 'done'").fetchone()[0]
        if done >= n:
            break
        time.sleep(0.01)
    secs = time.monotonic() - t0
    w.terminate()
    w.wait()
    return secs


def celery_run(url):
    with open("capp.py", "w") as f:
        f.write("from celery import Celery\napp = Celery('capp', broker=%r, backend='rpc://')\n"
                "@app.task\ndef empty():\n    pass\n" % url)
    w = subprocess.Popen([CELERY_PY, "-m", "celery", "-A", "capp", "worker", "-c", str(p), "--pool", "prefork",
                          "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                         stdout=subprocess.DEVNULL, stderr=open("celery.log", "w"))
    code = ("import sys, time; sys.path.insert(0, '.'); from capp import empty; empty.delay().get(timeout=60)\n"
            "t0 = time.monotonic(); rs = [empty.delay() for _ in range(%d)]\n"
            "[r.get(timeout=600) for r in rs]; print(time.monotonic() - t0)\n" % n)
    out = subprocess.run([CELERY_PY, "-c", code], capture_output=True, text=True, check=True)
    w.terminate()
    w.wait()
    return float(out.stdout.split()[-1])


rows = [("smc, embedded queue (SQLite)", smc_run("embedded", {}))]
node = Rabbit()
node.start()
try:
    rows.append(("smc over RabbitMQ", smc_run("amqp", {"SMC_BROKER": node.url})))
    try:
        rows.append(("Celery 5 over RabbitMQ (rpc:// results)", celery_run(node.url)))
    except Exception as e:  # noqa
        rows.append(("Celery (failed: %s)" % str(e)[:80], float("nan")))
finally:
    node.remove()
print("| %d empty tasks, parallelism %d, load %s | seconds | tasks/s |" % (n, p, os.getloadavg()[0]))
print("|---|---:|---:|")
for label, secs in rows:
    print("| %s | %.2f | %.0f |" % (label, secs, n / secs if secs == secs else float("nan")))
EOF
