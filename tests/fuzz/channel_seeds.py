#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_channel.cc into the folder given:
a width byte, then a segment image (runtime/channel_layout.h: an 80-byte
header, then the ring) with valid records, a wrap mark, a finished stream
and a departed producer. Usage: channel_seeds.py DIR."""
import os
import struct
import sys

out = sys.argv[1]


def field(t, length=0, value=0):
    return struct.pack("<BxxxIq", t, length, value)


def record(fields, arena):
    body = struct.pack("<II", len(fields), len(arena)) + b"".join(fields) + arena
    return struct.pack("<I", len(body)) + body


def image(width, cap, ring, head, tail=0, pstate=1, cstate=1, finished=0):
    header = struct.pack("<8sQQQiiQQIIIIQ", b"SMCCHAN2", cap, head, tail, 0, 0, 0, 0, finished, 0, pstate, cstate, 0)
    ring = ring.ljust(cap, b"\0")
    return bytes([width - 1]) + header + ring


ints = record([field(1, 0, 7), field(1, 0, -1)], b"")
strs = record([field(4, 3, 0), field(4, 2, 3)], b"abcde")
mixed = record([field(0), field(2, 0, 0x3ff0000000000000), field(3, 0, 1), field(4, 1, 0)], b"z")
seeds = {
    "ints": image(1, 256, ints, len(ints)),
    "strings": image(1, 256, strs, len(strs)),
    "mixed": image(4, 256, mixed, len(mixed), finished=1),
    "two": image(2, 512, ints + strs, len(ints) + len(strs), pstate=2, finished=1),
    # A wrap mark at 200, the record at 0 (positions 256 + ...).
    "wrap": image(1, 256, ints + b"\0" * (200 - len(ints)) + struct.pack("<I", 0xffffffff), 256 + len(ints), 200),
    "empty": image(1, 64, b"", 0),
}
for name, data in seeds.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)
