#!/usr/bin/env python3
"""Python reference word counter: reads stdin, splits on ASCII whitespace,
counts with collections.Counter, prints "word\\tcount" lines (any order).

Works on bytes: bytes.split() splits on runs of exactly the six ASCII
whitespace bytes (space, \\t, \\n, \\v, \\f, \\r), the same rule as
bench/ref/wordcount.cc, and needs no decoding (str.split() would also split
on \\x1c-\\x1f, \\x85 and Unicode spaces, and fail on invalid UTF-8).

    python3 bench/ref/wordcount.py < FILE
"""
import sys
from collections import Counter


def main() -> None:
    counts = Counter()
    update = counts.update
    for line in sys.stdin.buffer:
        update(line.split())
    sys.stdout.buffer.write(b"".join(b"%s\t%d\n" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
