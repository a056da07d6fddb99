#!/usr/bin/env python3
"""Unit tests of smc's Python multi-lang module (stdlib/python/storm.py).

Each test starts a component as a subprocess (a script written here, or one
of examples/multilang/*.py) and plays the parent's part of Apache Storm's
multi-lang protocol through its pipes: the handshake, tuples, heartbeats,
spout commands and task-id replies, checking every message the child writes
back, byte for byte where the framing matters.

Usage: test_storm_module.py [unittest options]
"""
import json
import math
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE_DIR = os.path.join(ROOT, "stdlib", "python")
EXAMPLES = os.path.join(ROOT, "examples", "multilang")
TIMEOUT = 20.0


def frame(obj, **dumps_args):
    return (json.dumps(obj, **dumps_args) + "\nend\n").encode("utf-8")


class Child:
    """A component subprocess and the parent's end of its pipes."""

    def __init__(self, script=None, path=None, args=(), cwd=None):
        self.tmp = tempfile.mkdtemp(prefix="smc-storm-test-")
        if script is not None:
            path = os.path.join(self.tmp, "component.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent(script))
        self.pid_dir = os.path.join(self.tmp, "pid dir \u00e9")  # a space and non-ASCII
        os.mkdir(self.pid_dir)
        env = dict(os.environ)
        env["PYTHONPATH"] = MODULE_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("PYTHONIOENCODING", None)
        self.proc = subprocess.Popen([sys.executable, path] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     cwd=cwd or self.tmp)
        self.messages = queue.Queue()
        self.raw = []          # every frame as the child wrote it (bytes)
        self.stderr_chunks = []
        self.framing_errors = []
        self._out_thread = threading.Thread(target=self._read_stdout, daemon=True)
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._out_thread.start()
        self._err_thread.start()

    def _read_stdout(self):
        out = self.proc.stdout
        lines = []
        while True:
            line = out.readline()
            if not line:
                if lines:
                    self.framing_errors.append(b"".join(lines))
                self.messages.put(EOFError())
                return
            if line == b"end\n":
                data = b"".join(lines)
                self.raw.append(data + b"end\n")
                lines = []
                try:
                    self.messages.put(json.loads(data.decode("utf-8")))
                except ValueError as e:
                    self.framing_errors.append(data)
                    self.messages.put(e)
            else:
                lines.append(line)

    def _read_stderr(self):
        while True:
            try:
                chunk = self.proc.stderr.read1(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            self.stderr_chunks.append(chunk)

    @property
    def stderr(self):
        return b"".join(self.stderr_chunks).decode("utf-8", "replace")

    def send(self, obj, **dumps_args):
        self.send_raw(frame(obj, **dumps_args))

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def recv(self, timeout=TIMEOUT):
        try:
            m = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("the child sent nothing within %ss; stderr:\n%s" % (timeout, self.stderr))
        if isinstance(m, EOFError):
            self.messages.put(m)
            self.proc.wait(timeout)
            raise AssertionError("the child closed its output (exit %s); stderr:\n%s" % (self.proc.returncode, self.stderr))
        if isinstance(m, Exception):
            raise AssertionError("the child sent malformed JSON: %r" % (self.framing_errors,))
        return m

    def nothing_within(self, seconds=0.3):
        try:
            m = self.messages.get(timeout=seconds)
        except queue.Empty:
            return True
        self.messages.put(m)
        return False

    def handshake(self, conf=None, context=None):
        self.conf = conf if conf is not None else {"topology.name": "t", "topology.message.timeout.secs": 30}
        self.context = context if context is not None else {
            "task->component": {"1": "src", "2": "me", "3": "me", "4": "sink"},
            "taskid": 2, "componentid": "me",
            "stream->target->grouping": {"default": {"sink": {"type": "SHUFFLE"}}},
            "streams": ["default"], "stream->outputfields": {"default": ["x"]},
            "source->stream->grouping": {"src": {"default": {"type": "SHUFFLE"}}},
            "source->stream->fields": {"src": {"default": ["x"]}}}
        self.send({"conf": self.conf, "pidDir": self.pid_dir, "context": self.context})
        reply = self.recv()
        return reply

    def tuple(self, id, values, comp="src", stream="default", task=1, **dumps_args):
        self.send({"id": id, "comp": comp, "stream": stream, "task": task, "tuple": values}, **dumps_args)

    def heartbeat(self):
        self.send({"id": "-1", "comp": None, "stream": "__heartbeat", "task": -1, "tuple": []})

    def command(self, command, id=""):
        self.send({"command": command, "id": id})

    def close(self, timeout=TIMEOUT):
        """Closes the child's input; returns its exit status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout)
        finally:
            self._out_thread.join(timeout)
            self._err_thread.join(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                s.close()
            except (OSError, ValueError):
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


class ChildTest(unittest.TestCase):
    def start(self, script=None, path=None, args=(), handshake=True):
        c = Child(script=script, path=path, args=args)
        self.addCleanup(c.kill)
        if handshake:
            reply = c.handshake()
            self.assertEqual(reply, {"pid": c.proc.pid})
        return c

    def expect(self, child, message):
        self.assertEqual(child.recv(), message)

    def expect_exit(self, child, status=0):
        self.assertEqual(child.close(), status, child.stderr)
        self.assertEqual(child.framing_errors, [])


# A bolt that reports what it gets and what emit returned, driven by the
# tuple's first value: ["emit", values, {keyword arguments}] and so on.
SCRIPTED_BOLT = """
import storm

class Scripted(storm.{base}):
    def initialize(self, conf, context):
        storm.log("init " + storm.json_encode([conf, context]))

    def process(self, tup):
        for step in tup.values:
            op, args = step[0], step[1:]
            if op == "emit":
                r = storm.emit(args[0], **(args[1] if len(args) > 1 else {{}}))
                storm.log("returned " + storm.json_encode(r))
            elif op == "emitpos":
                r = storm.emit(*args)
                storm.log("returned " + storm.json_encode(r))
            elif op == "emitDirect":
                r = storm.emitDirect(args[0], args[1], **(args[2] if len(args) > 2 else {{}}))
                storm.log("returned " + storm.json_encode(r))
            elif op == "ack":
                storm.ack(tup)
            elif op == "ackid":
                storm.ack(tup.id)
            elif op == "fail":
                storm.fail(tup)
            elif op == "anchored":
                storm.emit(args[0], anchors=[tup, "other-id"])
            elif op == "tuple":
                storm.log("tuple %s %s %s %s %s" % (tup.id, tup.component, tup.stream, tup.task,
                                                    storm.json_encode(tup.values)))
            elif op == "repr":
                storm.log(repr(tup))
            elif op == "raise":
                raise RuntimeError(args[0])
            elif op == "print":
                print(args[0])
            elif op == "log":
                storm.log(*args)
            elif op == "levels":
                storm.logTrace("t"); storm.logDebug("d"); storm.logInfo("i"); storm.logWarn("w"); storm.logError("e")
            elif op == "error":
                storm.reportError(args[0])
            elif op == "metrics":
                storm.rpcMetrics(args[0], args[1])
            elif op == "sync":
                storm.sync()

Scripted().run()
"""


def scripted(base):
    return SCRIPTED_BOLT.format(base=base)


class HandshakeTest(ChildTest):
    def test_pid_reply_and_pid_file(self):
        c = self.start(scripted("BasicBolt"))
        pid = c.proc.pid
        path = os.path.join(c.pid_dir, str(pid))
        self.assertTrue(os.path.isfile(path))
        self.assertEqual(os.path.getsize(path), 0)
        self.assertEqual(os.listdir(c.pid_dir), [str(pid)])
        # initialize() got conf and context exactly.
        m = c.recv()
        self.assertEqual(m["command"], "log")
        self.assertEqual(json.loads(m["msg"][len("init "):]), [c.conf, c.context])
        self.expect_exit(c)

    def test_init_component_returns_conf_and_context(self):
        c = self.start("""
            import storm
            conf, context = storm.initComponent()
            storm.log(storm.json_encode({"conf": conf, "context": context}))
            storm.readMsg()
        """)
        m = c.recv()
        self.assertEqual(json.loads(m["msg"]), {"conf": c.conf, "context": c.context})
        self.expect_exit(c)

    def test_handshake_spanning_lines(self):
        c = self.start(scripted("Bolt"), handshake=False)
        conf = {"a": [1, 2, {"b": "c"}], "topology.name": "x"}
        c.send({"conf": conf, "pidDir": c.pid_dir, "context": {"taskid": 9}}, indent=2)
        self.assertEqual(c.recv(), {"pid": c.proc.pid})
        m = c.recv()
        self.assertEqual(json.loads(m["msg"][len("init "):]), [conf, {"taskid": 9}])
        self.expect_exit(c)

    def test_frames_are_exact(self):
        c = self.start(scripted("Bolt"))
        c.recv()  # init log
        c.tuple("7", [["emit", ["w"], {"need_task_ids": False}], ["ack"]])
        c.recv(); c.recv(); c.recv()
        self.expect_exit(c)
        self.assertEqual(c.raw[0], ("{\"pid\":%d}\nend\n" % c.proc.pid).encode())
        for data in c.raw:
            self.assertTrue(data.endswith(b"}\nend\n"), data)
            self.assertEqual(data.count(b"\n"), 2, data)  # one line of JSON, then "end"

    def test_eof_exits_cleanly_before_handshake(self):
        c = self.start(scripted("BasicBolt"), handshake=False)
        self.expect_exit(c, 0)


class BasicBoltTest(ChildTest):
    def test_splitsentence_example(self):
        c = self.start(path=os.path.join(EXAMPLES, "splitsentence.py"))
        c.tuple("-6955786537413359385", ["snow white and the seven dwarfs"], comp="sentences")
        for i, word in enumerate("snow white and the seven dwarfs".split(" ")):
            self.expect(c, {"command": "emit", "anchors": ["-6955786537413359385"], "tuple": [word]})
            c.send([2 + i % 2])
        self.expect(c, {"command": "ack", "id": "-6955786537413359385"})
        c.heartbeat()
        self.expect(c, {"command": "sync"})
        self.expect_exit(c)

    def test_auto_anchor_and_ack_after_process(self):
        c = self.start(scripted("BasicBolt"))
        c.recv()
        c.tuple("t1", [["emit", ["a"]], ["emit", ["b"], {"stream": "s"}], ["emit", ["c"], {"anchors": []}],
                       ["emit", ["d"], {"anchors": ["x", "y"]}]])
        self.expect(c, {"command": "emit", "anchors": ["t1"], "tuple": ["a"]})
        c.send([3])
        self.expect(c, {"command": "log", "msg": "returned [3]", "level": 2})
        self.expect(c, {"command": "emit", "anchors": ["t1"], "stream": "s", "tuple": ["b"]})
        c.send([])
        self.expect(c, {"command": "log", "msg": "returned []", "level": 2})
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["c"]})  # explicit anchors win
        c.send([2, 3])
        self.expect(c, {"command": "log", "msg": "returned [2,3]", "level": 2})
        self.expect(c, {"command": "emit", "anchors": ["x", "y"], "tuple": ["d"]})
        c.send([4])
        c.recv()
        self.expect(c, {"command": "ack", "id": "t1"})
        # The next tuple anchors to itself, not to the previous one.
        c.tuple("t2", [["emit", ["e"], {"need_task_ids": False}]])
        self.expect(c, {"command": "emit", "anchors": ["t2"], "tuple": ["e"], "need_task_ids": False})
        self.expect(c, {"command": "log", "msg": "returned null", "level": 2})
        self.expect(c, {"command": "ack", "id": "t2"})
        self.expect_exit(c)

    def test_exception_reports_fails_and_exits(self):
        c = self.start(scripted("BasicBolt"))
        c.recv()
        c.tuple("ok", [])
        self.expect(c, {"command": "ack", "id": "ok"})
        c.tuple("bad", [["emit", ["x"], {"need_task_ids": False}], ["raise", "kaboom \u00e9"]])
        self.expect(c, {"command": "emit", "anchors": ["bad"], "tuple": ["x"], "need_task_ids": False})
        self.expect(c, {"command": "log", "msg": "returned null", "level": 2})
        m = c.recv()
        self.assertEqual(m["command"], "error")
        self.assertIn("Traceback", m["msg"])
        self.assertIn("RuntimeError: kaboom \u00e9", m["msg"])
        self.expect(c, {"command": "fail", "id": "bad"})
        status = c.close()
        self.assertNotEqual(status, 0)
        self.assertIn("RuntimeError: kaboom", c.stderr)
        self.assertTrue(c.nothing_within(0.1) or isinstance(c.messages.get(), EOFError))

    def test_initialize_exception_is_reported(self):
        c = self.start("""
            import storm
            class B(storm.BasicBolt):
                def initialize(self, conf, context):
                    raise ValueError("no config")
            B().run()
        """)
        m = c.recv()
        self.assertEqual(m["command"], "error")
        self.assertIn("ValueError: no config", m["msg"])
        self.assertNotEqual(c.close(), 0)


class BoltTest(ChildTest):
    def test_no_auto_ack_and_explicit_ack_fail(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("a", [["emit", ["x"], {"need_task_ids": False}]])
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["x"], "need_task_ids": False})
        self.expect(c, {"command": "log", "msg": "returned null", "level": 2})
        c.heartbeat()  # no ack may come before the heartbeat's sync
        self.expect(c, {"command": "sync"})
        c.tuple("b", [["anchored", ["y"]], ["ack"]])
        self.expect(c, {"command": "emit", "anchors": ["b", "other-id"], "tuple": ["y"]})
        c.send([5])
        self.expect(c, {"command": "ack", "id": "b"})
        c.tuple("c", [["fail"]])
        self.expect(c, {"command": "fail", "id": "c"})
        c.tuple("d", [["ackid"]])
        self.expect(c, {"command": "ack", "id": "d"})
        self.expect_exit(c)

    def test_exclaim_example(self):
        c = self.start(path=os.path.join(EXAMPLES, "exclaim.py"), args=["5"])
        self.assertEqual(c.recv()["level"], 1)  # the "ready" debug log
        c.tuple("1", ["hi"])
        self.expect(c, {"command": "emit", "anchors": ["1"], "tuple": ["hi!"]})
        c.send([3])
        self.expect(c, {"command": "ack", "id": "1"})
        c.tuple("2", ["wonderful"])
        self.expect(c, {"command": "emit", "anchors": ["2"], "tuple": ["wonderful!"]})
        c.send([3])
        self.expect(c, {"command": "emit", "anchors": ["2"], "stream": "long", "tuple": ["wonderful", 9]})
        c.send([4])
        self.expect(c, {"command": "ack", "id": "2"})
        c.tuple("3", [""])
        self.assertEqual(c.recv()["level"], 3)
        self.expect(c, {"command": "fail", "id": "3"})
        self.expect_exit(c)

    def test_passthrough_example(self):
        c = self.start(path=os.path.join(EXAMPLES, "passthrough.py"))
        values = ["a", 1, 2.5, None, True, [1, {"k": "v"}]]
        c.tuple("p", values)
        self.expect(c, {"command": "emit", "anchors": ["p"], "tuple": values, "need_task_ids": False})
        self.expect(c, {"command": "ack", "id": "p"})
        self.expect_exit(c)

    def test_tuple_attributes_and_repr(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("42", [["tuple"], ["repr"]], comp="sentences", stream="side", task=7)
        self.expect(c, {"command": "log", "level": 2,
                        "msg": 'tuple 42 sentences side 7 [["tuple"],["repr"]]'})
        r = c.recv()["msg"]
        for part in ("Tuple", "id='42'", "component='sentences'", "stream='side'", "task=7"):
            self.assertIn(part, r)
        self.expect_exit(c)

    def test_exception_in_plain_bolt(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("x", [["raise", "oops"]])
        m = c.recv()
        self.assertEqual(m["command"], "error")
        self.assertIn("RuntimeError: oops", m["msg"])
        self.assertNotEqual(c.close(), 0)

    def test_heartbeat_is_not_processed(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        for _ in range(3):
            c.heartbeat()
            self.expect(c, {"command": "sync"})
        c.tuple("a", [["log", "after"]])
        self.expect(c, {"command": "log", "msg": "after", "level": 2})
        self.expect_exit(c)


class EmitTest(ChildTest):
    def test_stream_direct_and_keywords(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("a", [["emitDirect", 7, ["d1"]],
                      ["emit", ["d2"], {"direct_task": 8, "stream": "s"}],
                      ["emit", ["d3"], {"directTask": 9}],
                      ["emit", ["n"], {"needTaskIds": False}],
                      ["emitpos", ["p"], "s2", ["anc"]],
                      ["emitpos", ["q"], None, None, 4]])
        self.expect(c, {"command": "emit", "anchors": [], "task": 7, "tuple": ["d1"]})
        self.expect(c, {"command": "log", "msg": "returned null", "level": 2})
        self.expect(c, {"command": "emit", "anchors": [], "task": 8, "stream": "s", "tuple": ["d2"]})
        c.recv()
        self.expect(c, {"command": "emit", "anchors": [], "task": 9, "tuple": ["d3"]})
        c.recv()
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["n"], "need_task_ids": False})
        c.recv()
        self.expect(c, {"command": "emit", "anchors": ["anc"], "stream": "s2", "tuple": ["p"]})
        c.send([1, 2, 3])
        self.expect(c, {"command": "log", "msg": "returned [1,2,3]", "level": 2})
        self.expect(c, {"command": "emit", "anchors": [], "task": 4, "tuple": ["q"]})
        c.recv()
        self.expect_exit(c)

    def test_task_ids_interleaved_with_tuples(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("a", [["emit", ["x"]], ["emit", ["y"]], ["ack"]])
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["x"]})
        # Before the reply: two tuples and a heartbeat. They wait their turn.
        c.tuple("b", [["emit", ["z"]], ["ack"]])
        c.heartbeat()
        c.tuple("c", [["ack"]])
        self.assertTrue(c.nothing_within(0.2))  # still waiting for its task ids
        c.send([11])
        self.expect(c, {"command": "log", "msg": "returned [11]", "level": 2})
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["y"]})
        c.send([12, 13])
        self.expect(c, {"command": "log", "msg": "returned [12,13]", "level": 2})
        self.expect(c, {"command": "ack", "id": "a"})
        self.expect(c, {"command": "emit", "anchors": [], "tuple": ["z"]})
        c.send([])
        self.expect(c, {"command": "log", "msg": "returned []", "level": 2})
        self.expect(c, {"command": "ack", "id": "b"})
        self.expect(c, {"command": "sync"})
        self.expect(c, {"command": "ack", "id": "c"})
        self.expect_exit(c)

    def test_task_ids_arriving_while_reading_commands_are_queued(self):
        c = self.start("""
            import storm
            storm.initComponent()
            storm.sendMsgToParent({"command": "emit", "tuple": ["early"]})
            t = storm.readTuple()          # the task ids come first: queued
            storm.log("tuple " + t.id)
            storm.log("ids " + storm.json_encode(storm.readTaskIds()))
            storm.log("ids " + storm.json_encode(storm.readTaskIds()))
            t = storm.readTuple()
            storm.log("tuple " + t.id)
        """)
        self.expect(c, {"command": "emit", "tuple": ["early"]})
        c.send([1])
        c.send([2, 3])
        c.tuple("t1", [])
        c.tuple("t2", [])
        self.expect(c, {"command": "log", "msg": "tuple t1", "level": 2})
        self.expect(c, {"command": "log", "msg": "ids [1]", "level": 2})
        self.expect(c, {"command": "log", "msg": "ids [2,3]", "level": 2})
        self.expect(c, {"command": "log", "msg": "tuple t2", "level": 2})
        self.expect_exit(c)

    def test_writes_are_flushed_before_waiting(self):
        # Emits that need no reply and the ack must reach the parent while the
        # bolt waits for the next tuple.
        c = self.start(scripted("BasicBolt"))
        c.recv()
        c.tuple("a", [["emit", [i], {"need_task_ids": False}] for i in range(100)])
        for i in range(100):
            self.assertEqual(c.recv()["tuple"], [i])
            c.recv()
        self.expect(c, {"command": "ack", "id": "a"})
        self.assertEqual(c.proc.poll(), None)
        self.expect_exit(c)


class MessagesTest(ChildTest):
    def test_log_levels_error_metrics_sync(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("a", [["log", "plain"], ["log", "warned", 3], ["levels"], ["log", 12345],
                      ["error", "it broke"], ["metrics", "my-metric", {"n": 42}], ["sync"]])
        self.expect(c, {"command": "log", "msg": "plain", "level": 2})
        self.expect(c, {"command": "log", "msg": "warned", "level": 3})
        for level, text in enumerate("tdiwe"):
            self.expect(c, {"command": "log", "msg": text, "level": level})
        self.expect(c, {"command": "log", "msg": "12345", "level": 2})
        self.expect(c, {"command": "error", "msg": "it broke"})
        self.expect(c, {"command": "metrics", "name": "my-metric", "params": {"n": 42}})
        self.expect(c, {"command": "sync"})
        self.expect_exit(c)

    def test_nan_is_refused_in_the_component(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("a", [["emit", [1.0], {"need_task_ids": False}]])
        c.recv(); c.recv()
        c.send_raw(b'{"id": "b", "comp": "s", "stream": "default", "task": 1, "tuple": [["emit", [NaN]]]}\nend\n')
        m = c.recv()
        self.assertEqual(m["command"], "error")
        self.assertIn("ValueError", m["msg"])
        self.assertNotEqual(c.close(), 0)
        self.assertEqual(c.framing_errors, [])

    def test_stray_print_goes_to_stderr(self):
        c = self.start(scripted("BasicBolt"))
        c.recv()
        c.tuple("a", [["print", "not protocol"], ["emit", ["x"], {"need_task_ids": False}]])
        self.expect(c, {"command": "emit", "anchors": ["a"], "tuple": ["x"], "need_task_ids": False})
        self.expect(c, {"command": "log", "msg": "returned null", "level": 2})
        self.expect(c, {"command": "ack", "id": "a"})
        self.expect_exit(c)
        self.assertIn("not protocol", c.stderr)
        self.assertEqual(c.framing_errors, [])


VALUES = [
    "", "plain", "h\u00e9llo", "\u65e5\u672c\u8a9e", "\U0001F600 emoji", "tab\tnew\nline\r",
    "\u0000nul", "end", "\nend\n", "quote\" back\\slash /", "\u2028\u2029", "\ufeffbom",
    0, 1, -1, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, -2**63, 2**64, 10**40, -(10**40),
    0.0, -0.0, 0.1, 1.5, -2.25, 1e308, 5e-324, 2.2250738585072014e-308, 1e-7, 123456789.125,
    3.141592653589793, True, False, None, [], {}, [1, [2, [3, ["deep"]]]],
    {"k": "v", "n": [1, 2.5, None], "\u00e9": {"nested": True}},
]


class RoundTripTest(ChildTest):
    def check_roundtrip(self, values, **dumps_args):
        c = self.start(path=os.path.join(EXAMPLES, "passthrough.py"))
        c.tuple("u", values, **dumps_args)
        m = c.recv()
        self.assertEqual(m["tuple"], values)
        for a, b in zip(m["tuple"], values):
            self.assertIs(type(a), type(b))
            if isinstance(a, float):
                self.assertEqual(math.copysign(1, a), math.copysign(1, b))
                self.assertEqual(repr(a), repr(b))
        self.expect(c, {"command": "ack", "id": "u"})
        self.expect_exit(c)
        for data in c.raw:
            self.assertTrue(all(byte < 128 for byte in data))  # the child writes ASCII JSON
        return c

    def test_values_escaped_input(self):
        self.check_roundtrip(VALUES)

    def test_values_raw_utf8_input(self):
        self.check_roundtrip(VALUES, ensure_ascii=False)

    def test_values_pretty_printed_input(self):
        self.check_roundtrip(VALUES, ensure_ascii=False, indent=1)

    def test_unicode_ids_and_names(self):
        c = self.start(scripted("Bolt"))
        c.recv()
        c.tuple("id-\u00e9\U0001F600", [["tuple"], ["ack"]], comp="s\u00f8urce", stream="str\u00e9am")
        m = c.recv()
        self.assertEqual(m["msg"], 'tuple id-\u00e9\U0001F600 s\u00f8urce str\u00e9am 1 [["tuple"],["ack"]]')
        self.expect(c, {"command": "ack", "id": "id-\u00e9\U0001F600"})
        self.expect_exit(c)

    def test_huge_tuples(self):
        big = "x\u00e9" * (4 * 1024 * 1024)  # 8M characters, 12 MB of UTF-8
        many = list(range(200000))
        c = self.start(path=os.path.join(EXAMPLES, "passthrough.py"))
        c.tuple("h1", [big], ensure_ascii=False)
        c.tuple("h2", [many, {"k": big[:1000]}])
        m = c.recv(60)
        self.assertEqual(len(m["tuple"][0]), len(big))
        self.assertEqual(m["tuple"], [big])
        self.expect(c, {"command": "ack", "id": "h1"})
        self.assertEqual(c.recv(60)["tuple"], [many, {"k": big[:1000]}])
        self.expect(c, {"command": "ack", "id": "h2"})
        self.expect_exit(c)


SCRIPTED_SPOUT = """
import storm

class S(storm.Spout):
    def initialize(self, conf, context):
        self.n = 0
        storm.log("init " + context["componentid"])

    def nextTuple(self):
        self.n += 1
        if self.n == 1:
            r = storm.emit(["one"], id=1)
            storm.log("returned " + storm.json_encode(r))
        elif self.n == 2:
            storm.emit(["two"], id="m2", stream="s", need_task_ids=False)
            storm.emit(["untracked"], need_task_ids=False)
            storm.emitDirect(5, ["direct"], id=2.5)
        elif self.n == 3:
            r = storm.emit(["pos"], "s", {"composite": 1})
            storm.log("returned " + storm.json_encode(r))
        elif self.n == 4:
            self.done()

    def ack(self, id):
        storm.log("ack %r" % (id,))

    def fail(self, id):
        storm.log("fail %r" % (id,))

    def activate(self):
        storm.log("activate")

    def deactivate(self):
        storm.log("deactivate")

S().run()
"""


class SpoutTest(ChildTest):
    def test_commands_each_answered_with_sync(self):
        c = self.start(SCRIPTED_SPOUT)
        self.expect(c, {"command": "log", "msg": "init me", "level": 2})
        c.command("activate")
        self.expect(c, {"command": "log", "msg": "activate", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("next")
        self.expect(c, {"command": "emit", "id": 1, "tuple": ["one"]})
        c.send([3, 4])
        self.expect(c, {"command": "log", "msg": "returned [3,4]", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("next")
        self.expect(c, {"command": "emit", "id": "m2", "stream": "s", "tuple": ["two"], "need_task_ids": False})
        self.expect(c, {"command": "emit", "tuple": ["untracked"], "need_task_ids": False})
        self.expect(c, {"command": "emit", "id": 2.5, "task": 5, "tuple": ["direct"]})
        self.expect(c, {"command": "sync"})
        c.command("next")
        self.expect(c, {"command": "emit", "id": {"composite": 1}, "stream": "s", "tuple": ["pos"]})
        c.send([2])
        self.expect(c, {"command": "log", "msg": "returned [2]", "level": 2})
        self.expect(c, {"command": "sync"})
        # Ids come back with the type they were emitted with, whether the
        # parent sends them as strings (smc) or as they were (Storm).
        c.command("ack", "1")
        self.expect(c, {"command": "log", "msg": "ack 1", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("fail", "m2")
        self.expect(c, {"command": "log", "msg": "fail 'm2'", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("ack", 2.5)
        self.expect(c, {"command": "log", "msg": "ack 2.5", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("fail", {"composite": 1})
        self.expect(c, {"command": "log", "msg": "fail {'composite': 1}", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("ack", "unknown")
        self.expect(c, {"command": "log", "msg": "ack 'unknown'", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("deactivate")
        self.expect(c, {"command": "log", "msg": "deactivate", "level": 2})
        self.expect(c, {"command": "sync"})
        c.command("next")  # this one calls done()
        self.expect(c, {"command": "sync", "done": True})
        c.command("next")
        self.expect(c, {"command": "sync", "done": True})
        self.expect_exit(c)

    def test_numbers_example(self):
        c = self.start(path=os.path.join(EXAMPLES, "numbers.py"), args=["3"])
        c.command("activate")
        self.expect(c, {"command": "sync"})
        for n in (1, 2, 3):
            c.command("next")
            self.expect(c, {"command": "emit", "id": n, "tuple": [n]})
            c.send([2])
            self.expect(c, {"command": "sync", "done": True} if n == 3 else {"command": "sync"})
            c.command("ack", str(n))
            self.expect(c, {"command": "sync", "done": True} if n == 3 else {"command": "sync"})
        c.command("fail", 2)
        self.assertEqual(c.recv()["command"], "log")
        self.expect(c, {"command": "emit", "id": 2, "tuple": [2]})
        c.send([2])
        self.expect(c, {"command": "sync", "done": True})
        self.expect_exit(c)

    def test_spout_exception_is_reported(self):
        c = self.start("""
            import storm
            class S(storm.Spout):
                def nextTuple(self):
                    raise KeyError("gone")
            S().run()
        """)
        c.command("next")
        m = c.recv()
        self.assertEqual(m["command"], "error")
        self.assertIn("KeyError: 'gone'", m["msg"])
        self.assertNotEqual(c.close(), 0)

    def test_module_done_function(self):
        c = self.start("""
            import storm
            class S(storm.Spout):
                def nextTuple(self):
                    storm.emit(["last"], id="x")
                    storm.done()
            S().run()
        """)
        c.command("next")
        self.expect(c, {"command": "emit", "id": "x", "tuple": ["last"]})
        c.send([1])
        self.expect(c, {"command": "sync", "done": True})
        self.expect_exit(c)


class ThroughputTest(ChildTest):
    def test_many_tuples(self):
        n = 20000
        c = self.start(path=os.path.join(EXAMPLES, "passthrough.py"))
        payload = b"".join(frame({"id": str(i), "comp": "s", "stream": "default", "task": 1, "tuple": [i, "w"]})
                           for i in range(n))
        start = time.time()
        writer = threading.Thread(target=c.send_raw, args=(payload,))
        writer.start()
        for i in range(n):
            m = c.recv()
            self.assertEqual(m["tuple"], [i, "w"])
            self.assertEqual(c.recv(), {"command": "ack", "id": str(i)})
        writer.join()
        elapsed = time.time() - start
        self.expect_exit(c)
        sys.stderr.write("[%d tuples through passthrough.py in %.2fs: %.0f/s] " % (n, elapsed, n / elapsed))


if __name__ == "__main__":
    unittest.main()
