#!/bin/bash
# Exec storm with and without `kscope exec --json`: execs/s, events captured vs made,
# kscope's CPU time and peak RSS (read after it has drained and exited), and the time from
# start until attached. Fails when a storm did not run or kscope captured none of it.
# Usage: bench/exec_bench.sh [BUILD_DIR] [EXECS] [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
EXECS=${2:-20000}
RUNS=${3:-3}
STORM="$BUILD/bench/exec_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap 'kill_measured; [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT

# The storm's execs/s; fails unless it made all its execs.
storm() {
    local out
    out=$("$STORM" "$EXECS" 2 "$1") || fail "exec_storm $1 failed"
    [ "$(sed -n 's/.*execs=\([0-9]*\).*/\1/p' <<<"$out")" = "$EXECS" ] || fail "exec_storm $1: $out"
    sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
BASES=(); TRACED=()

echo "exec storm: $EXECS execs x $RUNS runs, 2 workers, $(nproc) CPUs (untraced and traced alternate)"
for run in $(seq "$RUNS"); do
    base=$(storm "base-$run")

    marker="traced-$run"
    start_measured "$TMP/out" "$TMP/err" "$KSCOPE" exec --json --stats
    traced=$(storm "$marker")
    stop_measured
    [ -n "${KEEP_TMP:-}" ] && cp "$TMP/out" "$TMP/out.$run"
    captured=$(grep -c "\"argv\":\[\"/bin/true\",\"$marker\"" "$TMP/out" || true)
    [ "$captured" -gt 0 ] || fail "run $run: kscope captured none of the $EXECS execs"
    attach=$(sed -n 's/.*attached in \([0-9.]*\) ms.*/\1/p' "$TMP/err")
    slowdown=$(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", (b - t) * 100 / b }')
    echo "run $run: untraced ${base}/s, traced ${traced}/s (slowdown ${slowdown}%)," \
         "captured $captured/$EXECS, kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB, attached in ${attach} ms"
    grep -E "lost" "$TMP/err" | sed 's/^/    /' || true
    BASES+=("$base"); TRACED+=("$traced")
done
mb=$(printf '%s\n' "${BASES[@]}" | median)
mt=$(printf '%s\n' "${TRACED[@]}" | median)
echo "median: untraced ${mb}/s, traced ${mt}/s, slowdown $(awk -v b="$mb" -v t="$mt" 'BEGIN { printf "%.1f", (b - t) * 100 / b }')%"
