"""smc's Python module for multi-lang components (Apache Storm's protocol).

A spout or bolt written against Apache Storm's Python adapter (``storm.py``)
runs under smc's ``shell("python3 x.py")`` with this module unchanged: it has
the same names (``Tuple``, ``Bolt``, ``BasicBolt``, ``Spout``, ``emit``,
``emitDirect``, ``ack``, ``fail``, ``log``, ``reportError``, ``sync``, ...).
It was written for smc from the protocol description alone.

Protocol summary: every message is a JSON value followed by a line ``end``.
The parent first sends ``{"conf", "context", "pidDir"}``; the child creates
an empty file named after its pid in pidDir and answers ``{"pid": N}``.
Bolts then receive one message per tuple and answer with emit/ack/fail/log/
error/metrics messages; a heartbeat tuple (task -1, stream "__heartbeat") is
answered with ``{"command": "sync"}``. Spouts receive next/ack/fail/activate/
deactivate commands and answer each with any messages, then a sync. Every
emit that is not direct and does not say ``"need_task_ids": false`` gets a
reply from the parent: the list of task ids the tuple went to.

smc extension for bounded spouts: ``storm.done()`` (or ``self.done()`` in a
Spout) makes every later sync carry ``"done": true``; smc then ends the
spout's stream (Apache Storm ignores the extra key). A spout process that
exits with status 0 also ends its stream under smc.

Writes are buffered and flushed before every blocking read (and right away
for log and error messages), so a tuple costs as few system calls as the
protocol allows. Once the handshake is done, the process's own stdout (file
descriptor 1) is pointed at stderr, so a stray ``print`` goes to smc's log
instead of corrupting the protocol stream.

A spout's message ids come back to ack() and fail() as they were emitted
(a number stays a number) even from a parent that sends them as strings.

Python 3, standard library only.
"""

import atexit
import json
import os
import sys
import traceback
from collections import deque

__all__ = [
    "Tuple", "Bolt", "BasicBolt", "Spout",
    "emit", "emitBolt", "emitSpout", "emitDirect", "ack", "fail", "sync", "done",
    "log", "logTrace", "logDebug", "logInfo", "logWarn", "logError",
    "reportError", "rpcMetrics",
    "readMsg", "readCommand", "readTuple", "readTaskIds", "sendMsgToParent",
    "sendpid", "initComponent", "json_encode", "json_decode",
]

# ---- framing -----------------------------------------------------------------

# NaN and the infinities are not JSON: emitting one raises ValueError in the
# component (with a traceback) instead of sending the parent text it rejects.
_encode = json.JSONEncoder(ensure_ascii=True, check_circular=False, allow_nan=False,
                           separators=(",", ":")).encode
_decode = json.JSONDecoder().decode
_scan = json.JSONDecoder().scan_once  # the C scanner where there is one
try:
    from json.encoder import encode_basestring_ascii as _estr  # C, where there is one
except ImportError:  # pragma: no cover
    _estr = _encode


def _j(value):
    """JSON text of one value (a fast path for strings)."""
    return _estr(value) if type(value) is str else _encode(value)


def _parse(text):
    """Parses one JSON value; the fast path skips the checks of decode() for
    a message that is exactly one value (and a newline)."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _decode(text)  # raises the right error
    if end != len(text) and text[end:].strip():
        return _decode(text)
    return value

_END = b"\nend\n"

_in = None   # binary reader of the protocol input (stdin)
_out = None  # binary buffered writer of the protocol output (stdout at start)


def _streams():
    global _in, _out
    if _in is None:
        _in = sys.stdin.buffer
    if _out is None:
        _out = sys.stdout.buffer
    return _in, _out


def json_encode(obj):
    return _encode(obj)


def json_decode(text):
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8")
    return _decode(text)


def _write(msg):
    out = _out if _out is not None else _streams()[1]
    out.write(_encode(msg).encode("ascii") + _END)


def _write_text(text):
    """Sends one message given as ASCII JSON text ending in "\nend\n"."""
    out = _out if _out is not None else _streams()[1]
    out.write(text.encode("ascii"))


def _flush():
    if _out is not None:
        try:
            _out.flush()
        except (BrokenPipeError, ValueError):
            pass


atexit.register(_flush)


def sendMsgToParent(msg):
    """Sends one message (buffered: it leaves before the next blocking read)."""
    _write(msg)


def _is_end(line):
    return line == b"end\n" or line.rstrip(b"\r\n") == b"end"


def readMsg():
    """Reads one message: lines joined up to a line 'end', parsed as JSON.

    Flushes what was sent first. At the end of the input (the parent closed
    the pipe) the process exits with status 0.
    """
    inp = _in if _in is not None else _streams()[0]
    if _out is not None:
        _out.flush()
    else:
        _streams()[1].flush()
    readline = inp.readline
    line = readline()
    if not line:
        raise SystemExit(0)
    if _is_end(line):
        raise ValueError("storm: empty multi-lang message")
    nxt = readline()
    if nxt == b"end\n":  # the common case: a message on one line
        return _parse(line.decode("utf-8"))
    parts = [line]
    while True:
        if not nxt:
            sys.stderr.write("storm: input ended inside a message\n")
            raise SystemExit(1)
        if _is_end(nxt):
            break
        parts.append(nxt)
        nxt = readline()
    return _parse(b"".join(parts).decode("utf-8"))


# Task-id replies (JSON arrays) and commands/tuples (JSON objects) interleave:
# whichever arrives while waiting for the other is queued here.
_pending_commands = deque()
_pending_taskids = deque()


def readTaskIds():
    """Reads the parent's reply to an emit: the list of task ids."""
    if _pending_taskids:
        return _pending_taskids.popleft()
    while True:
        msg = readMsg()
        if isinstance(msg, list):
            return msg
        _pending_commands.append(msg)


def readCommand():
    """Reads the next command (spouts) or tuple message (bolts)."""
    if _pending_commands:
        return _pending_commands.popleft()
    while True:
        msg = readMsg()
        if isinstance(msg, list):
            _pending_taskids.append(msg)
        else:
            return msg


class Tuple(object):
    """An input tuple: its id, source component, stream and task, and values."""

    __slots__ = ("id", "component", "stream", "task", "values")

    def __init__(self, id, component, stream, task, values):
        self.id = id
        self.component = component
        self.stream = stream
        self.task = task
        self.values = values

    def __repr__(self):
        return "<%s%s>" % (
            self.__class__.__name__,
            "".join(" %s=%r" % (k, getattr(self, k)) for k in self.__slots__))

    def __eq__(self, other):
        if not isinstance(other, Tuple):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = None

    def is_heartbeat_tuple(self):
        return self.task == -1 and self.stream == "__heartbeat"


def readTuple():
    cmd = _pending_commands.popleft() if _pending_commands else readMsg()
    while type(cmd) is list:
        _pending_taskids.append(cmd)
        cmd = readMsg()
    return Tuple(cmd.get("id"), cmd.get("comp"), cmd.get("stream"), cmd.get("task"), cmd.get("tuple"))


# ---- state -------------------------------------------------------------------

MODE = None          # Bolt or Spout once run() started
ANCHOR_TUPLE = None  # the tuple a BasicBolt is processing: emits anchor to it
_DONE = False        # a spout said it has nothing more to emit
# A spout's non-string message ids, by their JSON text: a parent that sends
# ids back as strings (smc does) still gives ack()/fail() the id as emitted.
_spout_ids = {}
_MISSING = object()


def _spout_msg_id(mid):
    if _spout_ids:
        key = mid if isinstance(mid, str) else _encode(mid)
        orig = _spout_ids.pop(key, _MISSING)
        if orig is not _MISSING:
            return orig
    return mid


def _tuple_id(t):
    return t.id if isinstance(t, Tuple) else t


# ---- what a component sends ----------------------------------------------------

def sync():
    if _DONE:
        _write({"command": "sync", "done": True})
    else:
        _write({"command": "sync"})


def done():
    """smc extension: this spout is finished; the next sync says so."""
    global _DONE
    _DONE = True


def ack(tup):
    """Acks a tuple (a Tuple, or its id)."""
    _write_text('{"command":"ack","id":' + _j(tup.id if type(tup) is Tuple else _tuple_id(tup)) + '}\nend\n')


def fail(tup):
    """Fails a tuple (a Tuple, or its id)."""
    _write_text('{"command":"fail","id":' + _j(tup.id if type(tup) is Tuple else _tuple_id(tup)) + '}\nend\n')


def reportError(msg):
    _write({"command": "error", "msg": str(msg)})
    _flush()


def log(msg, level=2):
    _write({"command": "log", "msg": str(msg), "level": level})
    _flush()


def logTrace(msg):
    log(msg, 0)


def logDebug(msg):
    log(msg, 1)


def logInfo(msg):
    log(msg, 2)


def logWarn(msg):
    log(msg, 3)


def logError(msg):
    log(msg, 4)


def rpcMetrics(name, params):
    _write({"command": "metrics", "name": name, "params": params})


def emitBolt(tup, stream=None, anchors=None, directTask=None, need_task_ids=None,
             direct_task=None, needTaskIds=None):
    """A bolt's emit. Returns the task ids the tuple went to, or None for a
    direct emit or when need_task_ids is False.

    Without anchors, a BasicBolt anchors to the tuple it is processing.
    """
    if anchors is None:
        text = '{"command":"emit","anchors":[' + (_j(ANCHOR_TUPLE.id) if ANCHOR_TUPLE is not None else "") + "]"
    else:
        text = '{"command":"emit","anchors":[' + ",".join([_j(_tuple_id(a)) for a in anchors]) + "]"
    return _finish_emit(text, tup, stream, directTask, direct_task, need_task_ids, needTaskIds)


def _finish_emit(text, tup, stream, directTask, direct_task, need_task_ids, needTaskIds):
    if stream is not None:
        text += ',"stream":' + _j(stream)
    task = directTask if directTask is not None else direct_task
    if task is not None:
        _write_text(text + ',"task":' + _j(task) + ',"tuple":' + _encode(tup) + "}\nend\n")
        return None
    need = need_task_ids if need_task_ids is not None else needTaskIds
    if need is not None and not need:
        _write_text(text + ',"need_task_ids":false,"tuple":' + _encode(tup) + "}\nend\n")
        return None
    _write_text(text + ',"tuple":' + _encode(tup) + "}\nend\n")
    return readTaskIds()


def emitSpout(tup, stream=None, id=None, directTask=None, need_task_ids=None,
              direct_task=None, needTaskIds=None):
    """A spout's emit; id (a message id) asks for ack/fail of the tuple.
    Returns the task ids, or None for a direct emit or when need_task_ids is
    False."""
    text = '{"command":"emit"'
    if id is not None:
        key = _j(id)
        text += ',"id":' + key
        if type(id) is not str:
            _spout_ids[key] = id
    return _finish_emit(text, tup, stream, directTask, direct_task, need_task_ids, needTaskIds)


def emit(*args, **kwargs):
    """emit(values, stream=None, anchors=None, directTask=None) in a bolt;
    emit(values, stream=None, id=None, directTask=None) in a spout.
    Keywords also accepted: direct_task, need_task_ids (default True)."""
    if MODE is Spout or (MODE is None and "id" in kwargs):
        return emitSpout(*args, **kwargs)
    return emitBolt(*args, **kwargs)


def emitDirect(task, *args, **kwargs):
    kwargs["directTask"] = task
    kwargs.pop("direct_task", None)
    return emit(*args, **kwargs)


# ---- handshake -----------------------------------------------------------------

def sendpid(heartbeatdir):
    pid = os.getpid()
    if heartbeatdir:
        open(os.path.join(heartbeatdir, str(pid)), "w").close()
    _write({"pid": pid})
    _flush()


def _protect_stdout():
    """Keeps the protocol on a private copy of fd 1 and points fd 1 (and
    sys.stdout) at stderr, so stray prints cannot corrupt the protocol."""
    global _out
    if _out is not None and _out is not getattr(sys.stdout, "buffer", None):
        return  # already done, or the output was replaced on purpose
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
        if fd != 1:
            return
        private = os.dup(1)
        os.dup2(2, 1)
    except (AttributeError, OSError, ValueError):
        return
    _out = os.fdopen(private, "wb", buffering=1 << 16)
    sys.stdout = sys.stderr


def initComponent():
    """Does the handshake; returns [conf, context]."""
    _streams()
    setup = readMsg()
    _protect_stdout()
    sendpid(setup.get("pidDir"))
    return [setup.get("conf", {}), setup.get("context", {})]


# ---- components ----------------------------------------------------------------

def _report_current_exception():
    try:
        reportError(traceback.format_exc())
    except Exception:
        pass


class Bolt(object):
    """A bolt that acks (or fails) its tuples itself: storm.ack(tup)."""

    def initialize(self, stormconf, context):
        pass

    def process(self, tuple):
        pass

    def run(self):
        global MODE
        MODE = Bolt
        conf, context = initComponent()
        try:
            self.initialize(conf, context)
            while True:
                tup = readTuple()
                if tup.task == -1 and tup.stream == "__heartbeat":
                    sync()
                else:
                    self.process(tup)
        except Exception:
            _report_current_exception()
            raise
        finally:
            _flush()


class BasicBolt(object):
    """A bolt whose emits anchor to the input tuple and that acks each tuple
    after process() returns. If process() raises, the error is reported, the
    tuple failed, and the exception ends the process (smc reports the crash
    and applies the component's failure policy)."""

    def initialize(self, stormconf, context):
        pass

    def process(self, tuple):
        pass

    def run(self):
        global MODE, ANCHOR_TUPLE
        MODE = Bolt
        conf, context = initComponent()
        reported = False
        try:
            self.initialize(conf, context)
            while True:
                tup = readTuple()
                if tup.task == -1 and tup.stream == "__heartbeat":
                    sync()
                    continue
                ANCHOR_TUPLE = tup
                try:
                    self.process(tup)
                except Exception:
                    ANCHOR_TUPLE = None
                    reported = True
                    _report_current_exception()
                    fail(tup)
                    raise
                ANCHOR_TUPLE = None
                ack(tup)
        except Exception:
            if not reported:
                _report_current_exception()
            raise
        finally:
            ANCHOR_TUPLE = None
            _flush()


class Spout(object):
    """A spout: nextTuple() emits (storm.emit([...], id=...)); ack(id) and
    fail(id) hear back about tuples emitted with an id."""

    def initialize(self, conf, context):
        pass

    def ack(self, id):
        pass

    def fail(self, id):
        pass

    def nextTuple(self):
        pass

    def activate(self):
        pass

    def deactivate(self):
        pass

    def done(self):
        """smc extension: no more tuples; smc ends this spout's stream."""
        done()

    def run(self):
        global MODE
        MODE = Spout
        conf, context = initComponent()
        try:
            self.initialize(conf, context)
            while True:
                msg = readCommand()
                command = msg.get("command")
                if command == "next":
                    self.nextTuple()
                elif command == "ack":
                    self.ack(_spout_msg_id(msg.get("id")))
                elif command == "fail":
                    self.fail(_spout_msg_id(msg.get("id")))
                elif command == "activate":
                    self.activate()
                elif command == "deactivate":
                    self.deactivate()
                sync()
        except Exception:
            _report_current_exception()
            raise
        finally:
            _flush()


# ---- task graphs ---------------------------------------------------------------

_progress_out = None


def progress(fraction, message=None):
    """Reports a task's progress to smc (smc-topo(5), "Task graphs").

    `fraction` is the part done, from 0.0 to 1.0 (None: unchanged);
    `message` a short text shown by the status line and `smc ps JOB`.
    Writes one JSON line to the file descriptor named by $SMC_PROGRESS_FD;
    does nothing when the program does not run as a task of smc."""
    global _progress_out
    if _progress_out is None:
        fd = os.environ.get("SMC_PROGRESS_FD", "")
        if not fd.isdigit():
            return
        try:
            _progress_out = os.fdopen(int(fd), "w", buffering=1, closefd=False)
        except OSError:
            return
    msg = {}
    if fraction is not None:
        msg["progress"] = max(0.0, min(1.0, float(fraction)))
    if message is not None:
        msg["message"] = str(message)
    try:
        _progress_out.write(json.dumps(msg) + "\n")
    except (OSError, ValueError):
        pass


__all__.append("progress")
