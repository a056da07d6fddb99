#!/usr/bin/env bash
# windows.sh: windowed count against plain count on the same input. N events
# (host, millisecond timestamp; 1000 hosts, 1 ms apart on average, out of
# order by up to 1.5 s) through count x2 fields(host): plain (to the end),
# event-time sliding (10s every 5s, lateness 2s: each event in 2 windows),
# event-time tumbling (10s) and count windows (100000 tuples); median of R
# rounds (default 5), interleaved. The goal: windowed within 1.5x of plain.
#     bench/windows.sh [R]        SMC=path/to/smc (default build/smc)
#     N=4000000 bench/windows.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
SMC=${SMC:-$root/build/smc}
R=${1:-5}
N=${N:-2000000}
work=$(mktemp -d /tmp/smc-bench-windows-XXXXXX)
trap 'rm -rf "$work"' EXIT

"$PYTHON" - "$work/events.tsv" "$N" <<'PY'
import random, sys
r = random.Random(1)
t0 = 1764745200000
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write("h%d\t%d\n" % (r.randrange(1000), t0 + i + r.randint(-1500, 1500)))
PY
topo=$here/topo/windows-count.topo
# The windowed counts of a tumbling window add up to the events less the late ones.
total=$("$SMC" run "$topo" --topology tumbling < "$work/events.tsv" | awk -F'\t' '{s += $2} END {print s}')
echo "# $(date -u +%F) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $N events, $total in tumbling windows"
bench_interleave -r "$R" \
    "plain=$SMC run $topo --topology plain < $work/events.tsv > /dev/null" \
    "event_sliding=$SMC run $topo --topology event < $work/events.tsv > /dev/null" \
    "event_tumbling=$SMC run $topo --topology tumbling < $work/events.tsv > /dev/null" \
    "count_windows=$SMC run $topo --topology tuples < $work/events.tsv > /dev/null"
