"""Windows (count and window with window:/slide:/timestamp:/lateness:) through the real binary,
compared window by window with an independent Python computation.

Usage: windows.py SMC CASE. Generated log events arrive out of order (jitter of a
second and a half either way) with a few very late ones (up to 30 s behind), their
timestamps written as milliseconds, seconds (integer and float), numeric strings and
RFC 3339 times (UTC and with offsets), with a few bad ones:
  tumbling         count(window: 10s, timestamp, lateness: 2s): every window's
                   per-host counts in order, the late events on `late` exactly,
                   the bad timestamps on `errors`, the `late` metric
  sliding          window: 10s, slide: 5s; and window: 7s, slide: 3s (windows that
                   do not line up with the slide)
  count_windows    window: 100 tuples, slide: 30 (Storm's shorter first windows)
  processing_time  window: 1s on the wall clock: every tuple in exactly one window
  window_bolt      window(window: 10s, slide: 5s, timestamp): each window's tuples
                   as one list, in arrival order
  acking           the tumbling and count cases with acking on (and max.pending 2):
                   the same output, exit 0
  parallel         count x3 fields(host): the same windows as one instance
  max_size         the window bolt's bound on the JSON its open windows hold fails the run
"""
import datetime
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime"))
from smcutil import check, done, eq, run, topo  # noqa: E402

T0 = 1764745200000  # 2025-12-03T07:00:00Z in milliseconds
HOSTS = ["web1", "web2", "db1", "db2", "cache", "queue"]


def encode(ts, how):
    """A timestamp in milliseconds written one of several ways; the value it stands for."""
    if how == 0:
        return ts, ts
    if how == 1:
        s = ts // 1000
        return s, s * 1000
    if how == 2:
        return ts / 1000.0, ts
    if how == 3:
        return str(ts), ts
    dt = datetime.datetime.fromtimestamp(ts / 1000.0, datetime.timezone.utc)
    if how == 4:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts % 1000), ts
    tz = datetime.timezone(datetime.timedelta(hours=2))
    local = dt.astimezone(tz)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + "+02:00", ts - ts % 1000


def events(n, seed, bad=True):
    """(json lines, [(host, ms or None, line)]) in arrival order."""
    rng = random.Random(seed)
    out, rows = [], []
    for i in range(n):
        ts = T0 + i * 37 + rng.randint(-1500, 1500)
        if rng.random() < 0.02:
            ts -= rng.randint(3000, 30000)
        host = rng.choice(HOSTS)
        value, ms = encode(ts, rng.randrange(6))
        if bad and i % 997 == 500:
            value, ms = rng.choice(["yesterday", "2025-13-01T00:00:00Z", None]), None
        rec = {"host": host, "ts": value, "level": rng.choice(["error", "warn"])}
        line = json.dumps(rec)
        out.append(line)
        rows.append((host, ms, rec))
    return "\n".join(out) + "\n", rows


def reference(rows, length, slide, lateness):
    """Windows [k*slide, k*slide+length) by event time with the watermark max - lateness:
    ([(host, count, start, end)] in window order, keys in first-seen order; late rows)."""
    windows, late, max_seen = {}, [], None
    for host, ms, rec in rows:
        if ms is None:
            continue
        if max_seen is not None and ms < max_seen - lateness:
            late.append(rec)
            continue
        max_seen = ms if max_seen is None else max(max_seen, ms)
        k = (ms - length) // slide + 1
        while k * slide <= ms:
            w = windows.setdefault(k, {})
            w[host] = w.get(host, 0) + 1
            k += 1
    out = []
    for k in sorted(windows):
        for host, c in windows[k].items():
            out.append((host, c, k * slide, k * slide + length))
    return out, late


def late_line(rec):
    v = rec["ts"]
    ts = v if isinstance(v, str) else json.dumps(v)
    return "%s\t%s\t%s" % (rec["host"], ts, rec["level"])


def parse_rows(text):
    return [(f[0], int(f[1]), int(f[2]), int(f[3])) for f in (l.split("\t") for l in text.splitlines())]


def windowed(name, args, data, extra="", parallel=""):
    """Runs count(key: "host", ARGS); only event time has the late and errors streams."""
    event_time = "timestamp" in args
    sinks = """
 sink l = file(path: "late.tsv") <- c.late shuffle
 sink e = file(path: "errors.tsv") <- c.errors shuffle""" if event_time else ""
    topo(name, """%s
 spout s = stdin(format: "json", fields: ["host", "ts", "level"])
 bolt c = count(key: "host", %s)%s <- s %s
 sink o = file(path: "out.tsv") <- c shuffle%s""" % (extra, args, parallel, "fields(host)" if parallel else "shuffle", sinks))
    for f in ("out.tsv", "late.tsv", "errors.tsv"):
        if os.path.exists(f):
            os.remove(f)
    rc, out, err = run("run", name, "--metrics", "-", stdin=data, timeout=60)
    eq(rc, 0, name + ": exit status", err)
    if not event_time:
        check(not os.path.exists("late.tsv") and not os.path.exists("errors.tsv"), name + ": no late or errors files")
        return open("out.tsv").read(), "", "", err
    return open("out.tsv").read(), open("late.tsv").read(), open("errors.tsv").read(), err


def check_event_time(name, args, length, slide, lateness, n=4000, seed=1, extra=""):
    data, rows = events(n, seed)
    out, late, errors, err = windowed(name, args, data, extra)
    want, want_late = reference(rows, length, slide, lateness)
    got = parse_rows(out)
    check(len(want) > 50, name + ": the data makes many windows", len(want))
    eq(got, want, name + ": every window's counts, window by window")
    eq(late.splitlines(), [late_line(r) for r in want_late], name + ": the late events on 'late', exactly")
    check(len(want_late) > 10, name + ": the data has late events", len(want_late))
    bad = [r for _, ms, r in rows if ms is None]
    eq(len(errors.splitlines()), len(bad), name + ": each bad timestamp on 'errors'", errors)
    for line in errors.splitlines():
        check("is not seconds or milliseconds since the epoch, nor an RFC 3339 time" in line or
              line.endswith("\tno timestamp"), name + ": the reason", line)
    check(str(len(want_late)) in err and "late" in err, name + ": the late metric", err)
    if length == slide:
        eq(sum(c for _, c, _, _ in got) + len(want_late) + len(bad), n, name + ": every event counted, late or bad")
    return got


def tumbling():
    got = check_event_time("tumbling.topo", 'window: 10s, timestamp: "ts", lateness: 2s', 10000, 10000, 2000)
    eq({(e - s) for _, _, s, e in got}, {10000}, "tumbling: windows of 10 s")


def sliding():
    check_event_time("sliding.topo", 'window: 10s, slide: 5s, timestamp: "ts", lateness: 2s', 10000, 5000, 2000)
    check_event_time("odd.topo", 'window: 7s, slide: 3s, timestamp: "ts", lateness: 500ms', 7000, 3000, 500, seed=2)


def count_reference(hosts, length, slide):
    """Storm's count windows: one ends every `slide` tuples, [m*slide - length, m*slide)."""
    windows = {}
    for p, host in enumerate(hosts):
        for m in range(p // slide + 1, (p + length) // slide + 1):
            w = windows.setdefault(m, {})
            w[host] = w.get(host, 0) + 1
    return [(h, c, max(0, m * slide - length), m * slide) for m in sorted(windows) for h, c in windows[m].items()]


def count_windows():
    data, rows = events(1000, 3, bad=False)
    out, late, errors, err = windowed("count.topo", "window: 100, slide: 30", data)
    want = count_reference([h for h, _, _ in rows], 100, 30)
    eq(parse_rows(out), want, "count windows: every window's counts")
    eq(parse_rows(out)[0][2:], (0, 30), "count windows: the first window is Storm's shorter one")
    out, *_ = windowed("count_tumbling.topo", "window: 250", data)
    eq(parse_rows(out), count_reference([h for h, _, _ in rows], 250, 250), "count windows: tumbling")


def processing_time():
    data, rows = events(2000, 4, bad=False)
    import time
    before = int(time.time() * 1000)
    out, late, errors, err = windowed("proc.topo", "window: 1s", data)
    after = int(time.time() * 1000)
    got = parse_rows(out)
    eq(sum(c for _, c, _, _ in got), 2000, "processing time: every tuple in exactly one window")
    for host, c, s, e in got:
        check(e - s == 1000 and s % 1000 == 0, "processing time: aligned 1 s windows", (s, e))
        check(before - 1000 <= s <= after, "processing time: windows of the wall clock", (before, s, after))
    out, *_ = windowed("proc_slide.topo", "window: 1s, slide: 250ms", data)
    got = parse_rows(out)
    eq(sum(c for _, c, _, _ in got), 2000 * 4, "processing time, sliding: every tuple in 4 windows")


def window_bolt():
    data, rows = events(3000, 5)
    topo("bolt.topo", """
 spout s = stdin(format: "json", fields: ["host", "ts", "level"])
 bolt w = window(window: 10s, slide: 5s, timestamp: "ts", lateness: 2s) <- s shuffle
 sink o = file(path: "out.jsonl", format: "json") <- w shuffle
 sink l = file(path: "late.tsv") <- w.late shuffle
 sink e = null() <- w.errors shuffle""")
    rc, out, err = run("run", "bolt.topo", stdin=data, timeout=60)
    eq(rc, 0, "window bolt: exit status", err)
    got = [json.loads(l) for l in open("out.jsonl")]
    # The reference: each window's events in arrival order.
    windows, late, max_seen = {}, [], None
    for host, ms, rec in rows:
        if ms is None:
            continue
        if max_seen is not None and ms < max_seen - 2000:
            late.append(rec)
            continue
        max_seen = ms if max_seen is None else max(max_seen, ms)
        for k in range((ms - 10000) // 5000 + 1, ms // 5000 + 1):
            windows.setdefault(k, []).append(rec)
    want = [{"tuples": windows[k], "window_start": k * 5000, "window_end": k * 5000 + 10000} for k in sorted(windows)]
    eq(len(got), len(want), "window bolt: one tuple per window")
    for g, w in zip(got, want):
        eq(g, w, "window bolt: the window's tuples, in arrival order")
    eq(open("late.tsv").read().splitlines(), [late_line(r) for r in late], "window bolt: the late events")


def acking():
    data, rows = events(4000, 1)
    plain = windowed("a0.topo", 'window: 10s, timestamp: "ts", lateness: 2s', data)
    acked = windowed("a1.topo", 'window: 10s, timestamp: "ts", lateness: 2s', data,
                     extra=" set acking = true\n set max.pending = 2")
    eq(acked[:3], plain[:3], "acking: the same windows, late and error tuples")
    plain = windowed("a2.topo", "window: 100, slide: 30", data)
    acked = windowed("a3.topo", "window: 100, slide: 30", data, extra=" set acking = true\n set max.pending = 2")
    eq(acked[:3], plain[:3], "acking: count windows")


def parallel():
    data, rows = events(4000, 6)
    out, late, errors, err = windowed("p.topo", 'window: 10s, slide: 5s, timestamp: "ts", lateness: 1h', data,
                                      parallel=" x3")
    want, want_late = reference(rows, 10000, 5000, 3600000)
    eq(want_late, [], "parallel: no late events with lateness: 1h")
    eq(sorted(parse_rows(out)), sorted(want), "parallel: the same windows from three instances")


def max_size():
    data, rows = events(200, 7, bad=False)
    topo("big.topo", """
 spout s = stdin(format: "json", fields: ["host", "ts", "level"])
 bolt w = window(window: 10s, slide: 5s, timestamp: "ts", max_size: 2KiB) <- s shuffle
 sink o = null() <- w shuffle
 sink l = null() <- w.late shuffle
 sink e = null() <- w.errors shuffle""")
    rc, out, err = run("run", "big.topo", stdin=data, timeout=60)
    eq(rc, 70, "max_size: the run fails", err)
    check("hold more than max_size (2048 bytes) of tuples; raise 'max_size', or shorten the window or lengthen "
          "its slide" in err, "max_size: the reason", err)


CASES = {f.__name__: f for f in (tumbling, sliding, count_windows, processing_time, window_bolt, acking, parallel,
                                 max_size)}
if __name__ == "__main__":
    CASES[sys.argv[2]]()
    done()
