#!/usr/bin/env python3
"""Python reference for the e-mail pipeline (input: bench/gen-email.py output).

    python3 bench/ref/email.py [REGEX] [-q] [--body-only] [--filter-only] [--ids]
        < messages.jsonl

For each JSON line on stdin:
  parse   json.loads
  filter  keep the message if re.search(REGEX, subject) or
          re.search(REGEX, body) finds a match (Python `re` syntax,
          case-sensitive, unanchored; default "meeting|deal")
  modify  subject = subject.lower(); add "words" = number of
          whitespace-separated words of the body (str.split())
  emit    the modified message as one JSON line on stdout (json.dumps with
          default settings, so keys keep their order and "words" comes last)

Options that make it do the same work as bench/topo/email.topo (whose filter
tests the body only and which emits no modified message):
  --body-only    filter on re.search(REGEX, body) alone
  --filter-only  skip the modify step (kept messages are counted, words=0)
  --ids          instead of the JSON messages, emit the "id" of each kept
                 message, one per line (to compare with smc's output)

At the end prints one metrics line
    in=<messages read> kept=<messages kept> words=<sum of "words" of kept>
to stderr, or, with -q, emits no messages and prints the metrics line to
stdout.  Blank lines are skipped; a line that is not valid JSON stops the run
with exit status 1.
"""
import json
import re
import sys


def main() -> int:
    flags = {"-q", "--body-only", "--filter-only", "--ids"}
    args = [a for a in sys.argv[1:] if a not in flags]
    given = set(sys.argv[1:]) & flags
    quiet = "-q" in given
    body_only = "--body-only" in given
    filter_only = "--filter-only" in given
    ids = "--ids" in given
    pattern = re.compile(args[0] if args else "meeting|deal")
    search = pattern.search
    loads, dumps = json.loads, json.dumps
    n_in = n_kept = n_words = 0
    out = []
    write = sys.stdout.write
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            msg = loads(line)
        except ValueError as e:
            print("email.py: line %d: %s" % (lineno, e), file=sys.stderr)
            return 1
        n_in += 1
        subject = msg.get("subject") or ""
        body = msg.get("body") or ""
        if body_only:
            if not search(body):
                continue
        elif not (search(subject) or search(body)):
            continue
        n_kept += 1
        if filter_only or ids:
            if ids and not quiet:
                out.append(msg.get("id") or "")
                if len(out) >= 1000:
                    write("\n".join(out) + "\n")
                    out.clear()
            continue
        msg["subject"] = subject.lower()
        words = len(body.split())
        msg["words"] = words
        n_words += words
        if not quiet:
            out.append(dumps(msg))
            if len(out) >= 1000:
                write("\n".join(out) + "\n")
                out.clear()
    if out:
        write("\n".join(out) + "\n")
    metrics = "in=%d kept=%d words=%d" % (n_in, n_kept, n_words)
    print(metrics, file=sys.stdout if quiet else sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
