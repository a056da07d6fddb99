#!/usr/bin/env bash
# acking.sh: what acking costs. WordCount (bench/topo/acking-wordcount.topo on
# a generated corpus) and transfer (bench/topo/acking-transfer.topo) with
# `acking` off and on, side by side, interleaved (off on off on ...), median
# of R rounds (default 5). The outputs with acking on and off are compared
# first (the word counts must be identical).
#     bench/acking.sh [R]        SMC=path/to/smc (default build/smc)
#     N=2000000 LINES=200000 bench/acking.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
SMC=${SMC:-$root/build/smc}
R=${1:-5}
N=${N:-2000000}
LINES=${LINES:-200000}
work=$(mktemp -d /tmp/smc-bench-acking-XXXXXX)
trap 'rm -rf "$work"' EXIT

"$PYTHON" - "$work/words.txt" "$LINES" <<'PY'
import random, sys
r = random.Random(1)
vocab = ["".join(r.choice("abcdefghij") for _ in range(r.randint(2, 7))) for _ in range(5000)]
with open(sys.argv[1], "w") as f:
    for _ in range(int(sys.argv[2])):
        f.write(" ".join(r.choice(vocab) for _ in range(10)) + "\n")
PY
wc_topo=$here/topo/acking-wordcount.topo
tr_topo=$here/topo/acking-transfer.topo
"$SMC" run "$wc_topo" -p ack=false < "$work/words.txt" | LC_ALL=C sort > "$work/off.txt"
"$SMC" run "$wc_topo" -p ack=true < "$work/words.txt" | LC_ALL=C sort > "$work/on.txt"
cmp -s "$work/off.txt" "$work/on.txt" || { echo "acking.sh: the word counts differ with acking on" >&2; exit 1; }
echo "# $(date -u +%F) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wordcount $LINES lines ($(wc -c < "$work/words.txt") bytes), transfer n=$N"
bench_interleave -r "$R" \
    "wordcount_off=$SMC run $wc_topo -p ack=false < $work/words.txt" \
    "wordcount_on=$SMC run $wc_topo -p ack=true < $work/words.txt"
bench_interleave -r "$R" \
    "transfer_off=$SMC run $tr_topo -p n=$N -p ack=false" \
    "transfer_on=$SMC run $tr_topo -p n=$N -p ack=true"
