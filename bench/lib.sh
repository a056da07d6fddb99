# shellcheck shell=bash
# Benchmark helpers and reference commands.  Source it from bash:
#     source bench/lib.sh
#
# Reference word counters (FILE argument, result on stdout):
#     ref_wc_cc FILE [THREADS]   bench/ref/bin/wordcount (hand-written C++, mmap)
#     ref_wc_py FILE             bench/ref/wordcount.py (collections.Counter)
#     ref_wc_mawk FILE           mawk one-liner, associative array
#     ref_wc_tr FILE             tr -s | LC_ALL=C sort | uniq -c pipeline
# Others:
#     ref_transfer_tbb [N [B [THREADS [IN_FLIGHT]]]]   bench/ref/bin/transfer_tbb
#     ref_email_py [REGEX] [-q] < JSONL                bench/ref/email.py
#     ref_rollingsort [WINDOW] < LINES                 bench/ref/bin/rollingsort
#     ref_rollingsort --generate N | --gen-lines N     (its own strings; the input)
#     gen_email [COUNT [SEED]] > JSONL                 bench/gen-email.py
# All but ref_wc_tr print "word<TAB>count" lines in any order; ref_wc_tr prints
# uniq -c's "<spaces>count word" lines (converting would add a stage to the
# timed pipeline); wc_canon_uniq turns them into word<TAB>count.
#
# Harness:
#     median [NUM...]            median of the arguments, or of stdin lines
#     bench_time CMD             run the shell string CMD once (bash -c), stdout
#                                to $BENCH_STDOUT (default /dev/null); prints
#                                "WALL_S PEAK_RSS_KB EXIT_STATUS CPU_S"
#                                (CPU_S = user + sys of the whole tree)
#     bench_interleave [-r R] [-w W] [-i] NAME=CMD ...
#                                W warm-up rounds (default 0, untimed), then R
#                                rounds (default 5) of A B C A B C ...; prints
#                                one line per NAME: median wall, median CPU
#                                (user+sys), median peak RSS, every wall time.
#                                Raw per-run rows (name round wall rss rc cpu)
#                                are appended to $BENCH_RAW (TSV) if it is set.
#     bench_wait_idle [PCT [TIMEOUT_S]]
#                                wait until the machine's CPUs are less than PCT
#                                percent busy (default 10) over a 1 s sample, at
#                                most TIMEOUT_S seconds (default 600); returns 1
#                                on timeout.  bench_interleave -i calls it before
#                                every timed run (other work on the box, e.g. a
#                                compile, otherwise skews the figures badly;
#                                the threshold is $BENCH_IDLE_PCT, default 10,
#                                the longest wait $BENCH_IDLE_TIMEOUT seconds,
#                                default 600; after it the run goes ahead;
#                                $BENCH_IDLE_BUDGET_FILE, if set, names a file
#                                holding the seconds of waiting left in all,
#                                which every wait spends).
#     wc_check_refs FILE         run all four references on FILE and compare
#                                their word->count sets
#
# CMD strings run under `bash -c`, so they may be pipelines and may call the
# ref_* functions above (they are exported).  Wall time comes from bash's
# $EPOCHREALTIME (microseconds) around /usr/bin/time, which adds the same small
# constant (one fork/exec of time and of bash, a few ms) to every command.
# Peak RSS is GNU time's %M: for a pipeline it is the largest single process
# of the tree, not the sum.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export BENCH_DIR

# The real interpreter, not a pyenv shim (a shim is a bash script that adds
# its own start-up time to every Python run).  Override with PYTHON=...
if [[ -z "${PYTHON:-}" ]]; then
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)
fi
export PYTHON

if [[ ! -x /usr/bin/time ]]; then
    echo "lib.sh: /usr/bin/time missing; install it with: apt-get install -y time" >&2
fi

# ---------------------------------------------------------------- references

ref_wc_cc() {
    "$BENCH_DIR/ref/bin/wordcount" -t "${2:-2}" "$1"
}

ref_wc_py() {
    "$PYTHON" "$BENCH_DIR/ref/wordcount.py" < "$1"
}

# mawk's default field splitting (FS = " ") breaks fields on runs of space,
# tab and newline only; \r, \v and \f stay inside words.
ref_wc_mawk() {
    mawk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "\t" c[w] }' "$1"
}

# Every run of the six ASCII whitespace bytes becomes one newline.  If FILE
# starts with whitespace, the leading empty line is counted as an empty word.
# LC_ALL=C: byte-wise sort and uniq (a UTF-8 locale makes both use collation,
# much slower, and can merge distinct byte strings that collate equal).
ref_wc_tr() {
    LC_ALL=C tr -s ' \t\n\r\v\f' '\n' < "$1" | LC_ALL=C sort | LC_ALL=C uniq -c
}

# uniq -c output ("%7d word") -> "word\tcount".
wc_canon_uniq() {
    LC_ALL=C sed -E 's/^ *([0-9]+) (.*)$/\2\t\1/'
}

# Transfer-graph limit on oneTBB: prints "tuples=N seconds=S rate=R".
ref_transfer_tbb() {
    "$BENCH_DIR/ref/bin/transfer_tbb" "$@"
}

# RollingSort loop: a window of the latest lines, printed sorted every second
# and at the end (bench/ref/rollingsort.cc).
ref_rollingsort() {
    "$BENCH_DIR/ref/bin/rollingsort" "$@"
}

# E-mail pipeline reference: messages on stdin (from gen-email.py).
ref_email_py() {
    "$PYTHON" "$BENCH_DIR/ref/email.py" "$@"
}

# gen_email COUNT SEED > FILE
gen_email() {
    "$PYTHON" "$BENCH_DIR/gen-email.py" "$@"
}

export -f ref_wc_cc ref_wc_py ref_wc_mawk ref_wc_tr wc_canon_uniq ref_transfer_tbb ref_email_py ref_rollingsort gen_email

# ------------------------------------------------------------------- harness

# median 3 1 2  -> 2 ; printf '1\n2\n3\n4\n' | median -> 2.5
median() {
    if (($# > 0)); then printf '%s\n' "$@"; else cat; fi |
        LC_ALL=C sort -g |
        awk '{ v[NR] = $1 } END {
                 if (NR == 0) exit 1
                 if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
                 printf "%.10g\n", m }'
}

# bench_time 'CMD'  ->  "WALL_S PEAK_RSS_KB EXIT_STATUS CPU_S"
bench_time() {
    local cmd=$1 out=${BENCH_STDOUT:-/dev/null} rssf t0 t1 rc rss cpu line
    rssf=$(mktemp)
    t0=$EPOCHREALTIME
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f '%M %U %S' -o "$rssf" bash -c "$cmd" > "$out"
        rc=$?
    else
        bash -c "$cmd" > "$out"
        rc=$?
    fi
    t1=$EPOCHREALTIME
    line=$(tail -n 1 "$rssf" 2>/dev/null)
    read -r rss cpu <<< "$line"
    [[ $rss =~ ^[0-9]+$ ]] || rss=NA
    cpu=$(awk -v l="$line" 'BEGIN { n = split(l, f, " "); if (n == 3) printf "%.2f", f[2] + f[3]; else printf "NA" }')
    rm -f "$rssf"
    awk -v a="$t0" -v b="$t1" -v r="$rss" -v c="$rc" -v u="$cpu" \
        'BEGIN { printf "%.6f %s %s %s\n", b - a, r, c, u }'
}

# Aggregate busy share of all CPUs over one second, in percent.
bench_cpu_busy() {
    local a b
    a=$(head -n 1 /proc/stat)
    sleep 1
    b=$(head -n 1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
        printf "%d\n", (t > 0 ? 100 * (t - idle) / t : 0) }'
}

bench_wait_idle() {
    local pct=${1:-10} timeout=${2:-600} start=$SECONDS busy warned= budget=''
    # $BENCH_IDLE_BUDGET_FILE, if set, holds the seconds of waiting left to a
    # whole session (shared by the subshells of bench_interleave pipelines).
    if [[ -n ${BENCH_IDLE_BUDGET_FILE:-} && -f $BENCH_IDLE_BUDGET_FILE ]]; then
        budget=$(< "$BENCH_IDLE_BUDGET_FILE")
        ((budget < timeout)) && timeout=$budget
    fi
    while :; do
        busy=$(bench_cpu_busy)
        ((busy < pct)) && break
        if ((SECONDS - start >= timeout)); then
            echo "bench_wait_idle: still ${busy}% busy after ${timeout}s; going on" >&2
            [[ -n $budget ]] && echo $((budget - (SECONDS - start) > 0 ? budget - (SECONDS - start) : 0)) > "$BENCH_IDLE_BUDGET_FILE"
            return 1
        fi
        if [[ -z $warned ]]; then
            echo "bench_wait_idle: CPUs ${busy}% busy, waiting for < ${pct}%" >&2
            warned=1
        fi
    done
    [[ -n $budget ]] && echo $((budget - (SECONDS - start) > 0 ? budget - (SECONDS - start) : 0)) > "$BENCH_IDLE_BUDGET_FILE"
    return 0
}

# bench_interleave [-r ROUNDS] [-w WARMUP] [-i] NAME=CMD ...
bench_interleave() {
    local rounds=5 warm=0 idle='' OPTIND=1 opt
    while getopts 'r:w:i' opt; do
        case $opt in
            r) rounds=$OPTARG ;;
            w) warm=$OPTARG ;;
            i) idle=1 ;;
            *) echo "usage: bench_interleave [-r R] [-w W] [-i] NAME=CMD ..." >&2; return 2 ;;
        esac
    done
    shift $((OPTIND - 1))
    local -a names cmds
    local spec i r
    for spec in "$@"; do
        if [[ $spec != *=* ]]; then
            echo "bench_interleave: expected NAME=CMD, got: $spec" >&2
            return 2
        fi
        names+=("${spec%%=*}")
        cmds+=("${spec#*=}")
    done
    local -A walls rsses cpus fails
    local wall rss rc cpu
    for ((r = 1 - warm; r <= rounds; r++)); do
        for i in "${!names[@]}"; do
            [[ -n $idle && $r -ge 1 ]] && bench_wait_idle "${BENCH_IDLE_PCT:-10}" "${BENCH_IDLE_TIMEOUT:-600}"
            read -r wall rss rc cpu < <(bench_time "${cmds[i]}")
            ((r < 1)) && continue
            walls[$i]+="$wall "
            rsses[$i]+="$rss "
            cpus[$i]+="$cpu "
            if [[ $rc != 0 ]]; then
                fails[$i]=$((${fails[$i]:-0} + 1))
                echo "bench_interleave: ${names[i]} exited $rc (round $r)" >&2
            fi
            if [[ -n ${BENCH_RAW:-} ]]; then
                printf '%s\t%d\t%s\t%s\t%s\t%s\n' "${names[i]}" "$r" "$wall" "$rss" "$rc" "$cpu" >> "$BENCH_RAW"
            fi
        done
    done
    printf '%-16s %10s %10s %13s  %s\n' name median_s cpu_s median_rss_kb "walls (s)"
    local mw mr mc
    for i in "${!names[@]}"; do
        # shellcheck disable=SC2086
        mw=$(median ${walls[$i]})
        # shellcheck disable=SC2086
        mr=$(median ${rsses[$i]//NA/} 2>/dev/null || echo NA)
        # shellcheck disable=SC2086
        mc=$(median ${cpus[$i]//NA/} 2>/dev/null || echo NA)
        printf '%-16s %10s %10s %13s  %s%s\n' "${names[i]}" "$mw" "${mc:-NA}" "${mr:-NA}" "${walls[$i]}" \
            "${fails[$i]:+ FAILED ${fails[$i]}x}"
    done
}

# wc_check_refs FILE: every reference's word->count set against the C++ one.
wc_check_refs() {
    local f=$1 d rc=0 n x
    d=$(mktemp -d)
    ref_wc_cc "$f" 2 | LC_ALL=C sort > "$d/cc2"
    ref_wc_cc "$f" 1 | LC_ALL=C sort > "$d/cc1"
    ref_wc_py "$f" | LC_ALL=C sort > "$d/py"
    ref_wc_mawk "$f" | LC_ALL=C sort > "$d/mawk"
    ref_wc_tr "$f" | wc_canon_uniq | LC_ALL=C sort > "$d/tr"
    n=$(wc -l < "$d/cc2")
    echo "wc_check_refs: $f: $n distinct words, $(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$d/cc2") words (cc -t2)"
    for x in cc1 py mawk tr; do
        if cmp -s "$d/cc2" "$d/$x"; then
            echo "  $x: identical"
        else
            rc=1
            echo "  $x: DIFFERS ($(LC_ALL=C comm -23 "$d/cc2" "$d/$x" | wc -l) lines only in cc, $(LC_ALL=C comm -13 "$d/cc2" "$d/$x" | wc -l) only in $x); first differences:"
            diff "$d/cc2" "$d/$x" | head -n 10 | sed 's/^/    /'
        fi
    done
    rm -rf "$d"
    return $rc
}
