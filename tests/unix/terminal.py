"""The live status line in a pseudo-terminal 70 columns wide (issue 13, item 2).

Usage: terminal.py SMC CASE. smc runs with standard output and standard
error on the pty; what it writes is played on a small terminal model (70
columns, autowrap, \\r, \\n, ESC [ K) and the screen is checked.
  status      a status line wider than 70 columns is cut to fit, and cleared
              before each data line: the screen ends holding the data lines
              only, each whole (no stray status lines, nothing glued)
  stdin_tty   standard input is the terminal: no status line, the note
              "reading standard input from the terminal; Ctrl-D ends it"
  drain       the first SIGINT says "draining ... (Ctrl-C again stops now)",
              the run drains and exits 130
"""
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smctest import SMC, check, done, eq, slow, topo, workdir  # noqa: E402

workdir("smc-terminal-")
COLUMNS = 70


class Pty:
    """smc on a pty of COLUMNS columns; `stdin`: a pipe (default) or the pty."""

    def __init__(self, args, stdin_tty=False):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
        self.stdin_r = None
        if stdin_tty:
            stdin = slave
        else:
            self.stdin_r, self.stdin_w = os.pipe()
            stdin = self.stdin_r
        self.p = subprocess.Popen([SMC, *args], stdin=stdin, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        if self.stdin_r is not None:
            os.close(self.stdin_r)
        self.data = b""

    def pump(self, timeout=0.05):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer of the slave has gone
                return False
            self.data += chunk
            return bool(chunk)
        return True

    def until(self, cond, timeout):
        end = time.monotonic() + slow(timeout)
        while time.monotonic() < end and not cond():
            self.pump()
        return cond()

    def finish(self, timeout=30):
        end = time.monotonic() + slow(timeout)
        while self.p.poll() is None and time.monotonic() < end:
            self.pump()
        while self.pump(0.05):
            pass
        if self.p.poll() is None:
            self.p.kill()
            check(False, "smc ends", self.text())
        os.close(self.master)
        return self.p.returncode

    def text(self):
        return self.data.decode("utf-8", "replace")


def screen(text, columns=COLUMNS):
    """The rows a terminal shows after `text` (autowrap at `columns`)."""
    rows, row, col = [], [], 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\x1b" and text[i + 1:i + 3] == "[K":
            del row[col:]
            i += 3
            continue
        if c == "\r":
            col = 0
        elif c == "\n":
            rows.append("".join(row))
            row, col = [], 0
        else:
            if col == columns:  # autowrap: the line so far stays on the screen
                rows.append("".join(row))
                row, col = [], 0
            if col < len(row):
                row[col] = c
            else:
                row.append(c)
            col += 1
        i += 1
    if row:
        rows.append("".join(row))
    return rows


LONG = ("spout numbers_with_a_long_name = generate(rate: 4)\n"
        "bolt  first_identity_stage = identity() <- numbers_with_a_long_name shuffle\n"
        "bolt  second_identity_stage = identity() <- first_identity_stage shuffle\n"
        "sink  out = stdout(format: \"lines\") <- second_identity_stage shuffle")


def case_status():
    topo("long.topo", LONG)
    t = Pty(["run", "long.topo", "--for", "3500ms"])
    rc = t.finish()
    eq(rc, 0, "the run ends after --for", t.text())
    raw = t.text().replace("\r\n", "\n")
    check("smc: t 1s | numbers_with_a_long_name " in raw, "a status line was drawn", raw)
    for line in raw.replace("\r", "\n").split("\n"):
        if line.startswith("\x1b[K"):
            line = line[3:]
        check(len(line.replace("\x1b[K", "")) < COLUMNS, "every line drawn fits in %d columns" % COLUMNS, line)
    rows = [r for r in screen(raw)]
    data = [r for r in rows if r]
    check(len(data) >= 10, "data lines on the screen", rows)
    eq(data, [str(i) for i in range(len(data))], "the screen holds the data lines only, each whole", rows, raw)


def case_stdin_tty():
    topo("echo.topo", 'spout s = stdin()\nsink o = stdout(format: "lines") <- s shuffle')
    t = Pty(["run", "echo.topo"], stdin_tty=True)
    note = "smc: reading standard input from the terminal; Ctrl-D ends it"
    check(t.until(lambda: note in t.text(), 10), "the note", t.text())
    os.write(t.master, b"typed line\n")
    check(t.until(lambda: t.text().count("typed line") >= 2, 10), "the line echoed and written", t.text())
    # A status line would be drawn within a second or two; wait past that, on a condition of time passed.
    end = time.monotonic() + 2.5
    t.until(lambda: time.monotonic() > end, 5)
    os.write(t.master, b"\x04")
    rc = t.finish()
    eq(rc, 0, "Ctrl-D ends the run", t.text())
    check("smc: t " not in t.text() and "/s" not in t.text(), "no status line drawn", t.text())
    eq([r for r in screen(t.text().replace("\r\n", "\n")) if r],
       [note, "typed line", "typed line"], "the screen: the note, what was typed, what came out", t.text())


def case_drain():
    topo("slow.topo", 'spout s = stdin()\nbolt w = exec(command: "cat") <- s shuffle\n'
         'sink o = stdout(format: "lines") <- w shuffle')
    t = Pty(["run", "slow.topo"])
    os.write(t.stdin_w, b"before\n")
    check(t.until(lambda: "before" in t.text(), 10), "a line through", t.text())
    check(t.until(lambda: "smc: t " in t.text(), 10), "the status line drawn", t.text())
    t.p.send_signal(signal.SIGINT)
    note = "smc: draining: finishing what is in flight (Ctrl-C again stops now)"
    check(t.until(lambda: note in t.text(), 10), "the draining note", t.text())
    rc = t.finish()
    os.close(t.stdin_w)
    eq(rc, 130, "drained and stopped by SIGINT", t.text())
    rows = [r for r in screen(t.text().replace("\r\n", "\n")) if r]
    eq(rows, ["before", note], "the screen: the data line and the note, no status line", t.text())


globals()["case_" + sys.argv[2]]()
done()
