"""A private RabbitMQ node for tests (Debian's rabbitmq-server): its own node
name, ports derived from the test's pid, its own data folder and its own
epmd (ERL_EPMD_PORT), so that it collides with nothing and stopping it stops
everything it started. See /work/shared/design/RABBITMQ.md for the recipe.

    node = Rabbit(folder); node.start()   # fails the test, with the reason, if it cannot start
    node.url                              # amqp://guest:guest@127.0.0.1:PORT/
    node.restart(); node.stop()
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import smctest


class Rabbit:
    def __init__(self, folder=None):
        base = 20000 + (os.getpid() * 7) % 20000
        self.port, self.dist_port, self.epmd_port = base, base + 1, base + 2
        # Its own folder under /tmp, reachable by the rabbitmq user (a
        # test's private work folder is not).
        self.folder = folder or tempfile.mkdtemp(prefix="smc-rabbit-")
        self.own_folder = folder is None
        self.name = "smctest%d@localhost" % os.getpid()
        self.url = "amqp://guest:guest@127.0.0.1:%d/" % self.port
        self.proc = None

    def _env(self):
        env = dict(os.environ)
        env.update({
            "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port), "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_MNESIA_BASE": os.path.join(self.folder, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.folder, "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.folder, "plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": os.path.join(self.folder, "mnesia", "ff"),
            "HOME": self.folder,
        })
        return env

    def ready(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"AMQP\x00\x00\x09\x01")
                return len(s.recv(8)) > 0
        except OSError:
            return False

    def start(self, timeout=60):
        server = shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server"
        smctest.check(os.path.exists(server), "rabbitmq-server is installed (scripts/install-deps)")
        for d in ("mnesia", "log"):
            os.makedirs(os.path.join(self.folder, d), exist_ok=True)
        with open(os.path.join(self.folder, "plugins"), "w") as f:
            f.write("[].\n")
        if os.getuid() == 0:  # the server script drops to the rabbitmq user when run as root
            pw = pwd.getpwnam("rabbitmq")
            for root, dirs, files in os.walk(self.folder):
                for n in [root] + [os.path.join(root, x) for x in dirs + files]:
                    os.chown(n, pw.pw_uid, pw.pw_gid)
            os.chmod(self.folder, 0o755)
        self.log = open(os.path.join(self.folder, "server.out"), "a")
        self.proc = subprocess.Popen([server], env=self._env(), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=self.folder)
        ok = smctest.wait_for(lambda: self.ready() or self.proc.poll() is not None, timeout, step=0.1) and self.ready()
        if not ok:
            with open(os.path.join(self.folder, "server.out")) as f:
                tail = f.read()[-3000:]
            self.stop()
            smctest.check(False, "the private RabbitMQ node starts (port %d)" % self.port, tail)

    def _ours(self):
        """Pids of this node's processes (beam, its epmd, the scripts): their
        environment holds our ERL_EPMD_PORT (the server drops to another user
        and session, so the process group does not find them)."""
        mark = ("ERL_EPMD_PORT=%d" % self.epmd_port).encode()
        out = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/environ" % pid, "rb") as f:
                    if mark in f.read().split(b"\0"):
                        out.append(int(pid))
            except OSError:
                pass
        return out

    def stop(self):
        if self.proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self._ours():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            if smctest.wait_for(lambda: not [p for p in self._ours() if smctest.alive(p)], 30):
                break
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None

    def remove(self):
        """Stops the node and removes its folder (when it made it)."""
        self.stop()
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self):
        self.stop()
        self.start()
