#!/usr/bin/env bash
# bench/tasks.sh: the per-task overhead of smc's task graphs.
#
#   bench/tasks.sh [SMC [N [ROUNDS]]]
#
# N (default 1000) independent exec("true") tasks with parallelism = cores,
# against GNU parallel (-j cores) and xargs -P cores running the same `true`
# through /bin/sh -c, as smc does. Interleaved rounds (bench_interleave),
# median wall time, per-task overhead = wall / N. smc runs with a private,
# fresh job store (XDG_STATE_HOME) each round, so the figures include every
# durable commit (WAL, synchronous=FULL) and the result files. GNU parallel
# is skipped, with a message, when it is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
smc=$(realpath "${1:-$here/../build/smc}")
n=${2:-1000}
rounds=${3:-5}
cores=$(nproc)
work=$(mktemp -d /tmp/smc-bench-tasks.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/rt"
{
  echo "tasks many {"
  echo "    set parallelism = $cores"
  for ((i = 0; i < n; i++)); do echo "    task t$i = exec(\"true\")"; done
  echo "}"
} > "$work/many.topo"
seq "$n" > "$work/list"

cmds=("smc=rm -rf $work/st && XDG_STATE_HOME=$work/st XDG_RUNTIME_DIR=$work/rt $smc run $work/many.topo 2>/dev/null")
cmds+=("xargs=xargs -P $cores -n 1 sh -c true < $work/list")
if command -v parallel >/dev/null; then
  cmds+=("parallel=parallel --will-cite -j $cores sh -c true ::: \$(cat $work/list)")
else
  echo "bench/tasks.sh: GNU parallel is not installed: skipped (apt-get install parallel)" >&2
fi
echo "# $n tasks of true, parallelism $cores, $rounds rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $cores cores"
bench_interleave -r "$rounds" -w 1 "${cmds[@]}" | tee "$work/table"
awk -v n="$n" 'NR > 1 { printf "%-10s per task: %.3f ms\n", $1, $2 * 1000 / n }' "$work/table"
