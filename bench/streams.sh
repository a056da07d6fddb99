#!/usr/bin/env bash
# bench/streams.sh: what streaming sinks (issue 13, item 1: flush after
# batch.linger, writev of every queued chunk) cost, against a base commit.
#
#   bench/streams.sh [-r ROUNDS] [BASE_COMMIT [NEW_SMC]]
#
# BASE_COMMIT (default: the merge base of HEAD and main) is exported with git
# archive and built in Release under build-bench-streams/; NEW_SMC defaults to
# build/smc. The corpus is made once by a seeded Python generator (Zipf-like
# words, 40 MB: bench/data is not needed). Interleaved runs (bench_interleave):
#   wordcount   examples/wordcount.topo < corpus > /dev/null (little output)
#   lines       stdin(format: "lines") -> stdout(format: "lines") < corpus x5
#               | cat > /dev/null (every input line written into a pipe: the
#               sinks' hot path)
#   file        the same into a file sink
# Prints the medians and new/base ratios of wall and CPU time (user + sys);
# the goal is under 1.02. On a shared machine the CPU ratio is the steadier.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

rounds=7
if [[ ${1:-} == -r ]]; then rounds=$2; shift 2; fi
base=${1:-$(git -C "$root" merge-base HEAD main)}
new=$(realpath "${2:-$root/build/smc}")
work=$root/build-bench-streams
mkdir -p "$work"

src=$work/src-$base
if [[ ! -x $src/build/smc ]]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$root" archive "$base" | tar -x -C "$src" || exit 1
    cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release ${CCACHE_DIR:+-DCMAKE_CXX_COMPILER_LAUNCHER=ccache} \
        > "$work/build.log" || exit 1
    cmake --build "$src/build" -j2 --target smc >> "$work/build.log" 2>&1 || { tail "$work/build.log"; exit 1; }
fi
old=$src/build/smc

corpus=$work/corpus.txt
if [[ ! -s $corpus ]]; then
    "$PYTHON" - "$corpus" <<'PY'
import itertools, random, sys
rng = random.Random(13)
vocab = ["w%d" % i for i in range(50000)]
cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(vocab))))
with open(sys.argv[1], "w") as f:
    size = 0
    while size < 40 << 20:
        words = rng.choices(vocab, cum_weights=cum, k=100000)
        lines, i = [], 0
        while i < len(words):
            k = rng.randint(3, 20)
            lines.append(" ".join(words[i:i + k]))
            i += k
        text = "\n".join(lines) + "\n"
        f.write(text)
        size += len(text)
PY
fi
# The sinks' workloads read the corpus 5 times over (200 MB): long enough to
# see past start-up and a loaded machine.
big=$work/corpus5.txt
[[ -s $big ]] || for i in 1 2 3 4 5; do cat "$corpus"; done > "$big"
cat > "$work/lines.topo" <<'T'
topology lines {
    spout s = stdin(format: "lines")
    sink  o = stdout(format: "lines") <- s shuffle
}
T
cat > "$work/lines_file.topo" <<T
topology lines {
    spout s = stdin(format: "lines")
    sink  o = file(path: "$work/out.txt", format: "lines") <- s shuffle
}
T
wc=$root/examples/wordcount.topo
echo "base $base ($old), new $new; corpus $(wc -c < "$corpus") bytes, $(wc -l < "$corpus") lines; $rounds rounds"
# Outputs agree before anything is timed.
cmp <("$old" run "$wc" < "$corpus" | sort) <("$new" run "$wc" < "$corpus" | sort) || { echo "wordcount differs"; exit 1; }
cmp <("$old" run "$work/lines.topo" < "$corpus") "$corpus" || { echo "base lines differ"; exit 1; }
cmp <("$new" run "$work/lines.topo" < "$corpus") "$corpus" || { echo "new lines differ"; exit 1; }

table=$(bench_interleave -r "$rounds" -w 1 \
    "wc_base=$old run $wc < $corpus" "wc_new=$new run $wc < $corpus" \
    "lines_base=$old run $work/lines.topo < $big | cat > /dev/null" \
    "lines_new=$new run $work/lines.topo < $big | cat > /dev/null" \
    "file_base=$old run $work/lines_file.topo < $big" "file_new=$new run $work/lines_file.topo < $big")
echo "$table"
for w in wc lines file; do
    read -r b bc < <(awk -v n="${w}_base" '$1 == n { print $2, $3 }' <<< "$table")
    read -r n nc < <(awk -v n="${w}_new" '$1 == n { print $2, $3 }' <<< "$table")
    awk -v w="$w" -v b="$b" -v n="$n" -v bc="$bc" -v nc="$nc" \
        'BEGIN { printf "%-6s new/base wall %.3f, cpu %.3f\n", w, n / b, nc / bc }'
done
