#!/usr/bin/env python3
"""Python reference for the e-mail pipeline (input: bench/gen-email.py output).

    python3 bench/ref/email.py [REGEX] [-q] < messages.jsonl

For each JSON line on stdin:
  parse   json.loads
  filter  keep the message if re.search(REGEX, subject) or
          re.search(REGEX, body) finds a match (Python `re` syntax,
          case-sensitive, unanchored; default "meeting|deal")
  modify  subject = subject.lower(); add "words" = number of
          whitespace-separated words of the body (str.split())
  emit    the modified message as one JSON line on stdout (json.dumps with
          default settings, so keys keep their order and "words" comes last)

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
    args = [a for a in sys.argv[1:] if a != "-q"]
    quiet = len(args) != len(sys.argv) - 1
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
        if not (search(subject) or search(body)):
            continue
        n_kept += 1
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
