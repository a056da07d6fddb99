# filter.py: the plain stdin -> stdout limit for the multilang workload.
#   python3 filter.py [list|bytes]
# list (default): the per-line Python work of the pass-through bolt without
#   the protocol: decode the line to a str, put it in a one-element list (the
#   tuple's values), and write values[0] back with its newline.
# bytes: copy the lines as bytes (the least Python can do per line).
# Lines end at "\n" only (as smc's stdin spout splits them).
import sys


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "list"
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    write = out.write
    if mode == "bytes":
        for line in inp:
            write(line)
    else:
        for line in inp:
            if line.endswith(b"\n"):
                line = line[:-1]
            values = [line.decode("utf-8", "surrogateescape")]
            write((values[0] + "\n").encode("utf-8", "surrogateescape"))
    out.flush()


main()
