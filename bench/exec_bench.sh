#!/bin/bash
# Exec storm with and without `kscope exec --json`: execs/s, events captured vs made,
# kscope's CPU time and peak RSS, and the time from start until attached.
# Usage: bench/exec_bench.sh [BUILD_DIR] [EXECS] [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
EXECS=${2:-20000}
RUNS=${3:-3}
STORM="$BUILD/bench/exec_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT

rate() { sed -n 's/.*per_second=\([0-9]*\).*/\1/p'; }
ticks=$(getconf CLK_TCK)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
BASES=(); TRACED=()

echo "exec storm: $EXECS execs x $RUNS runs, 2 workers, $(nproc) CPUs (untraced and traced alternate)"
for run in $(seq "$RUNS"); do
    base=$("$STORM" "$EXECS" 2 "base-$run" | rate)

    marker="traced-$run"
    rm -f "$TMP/err"  # the redirection below happens in the child, later
    "$KSCOPE" exec --json --stats >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_tracing "$pid" "$TMP/err"
    traced=$("$STORM" "$EXECS" 2 "$marker" | rate)
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -INT "$pid"; wait "$pid"
    [ -n "${KEEP_TMP:-}" ] && cp "$TMP/out" "$TMP/out.$run"
    captured=$(grep -c "\"argv\":\[\"/bin/true\",\"$marker\"" "$TMP/out" || true)
    attach=$(sed -n 's/.*attached in \([0-9.]*\) ms.*/\1/p' "$TMP/err")
    cpu_ms=$(( (utime + stime) * 1000 / ticks ))
    slowdown=$(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", (b - t) * 100 / b }')
    echo "run $run: untraced ${base}/s, traced ${traced}/s (slowdown ${slowdown}%)," \
         "captured $captured/$EXECS, kscope cpu ${cpu_ms} ms, peak RSS $((hwm / 1024)) MiB, attached in ${attach} ms"
    grep -E "lost" "$TMP/err" | sed 's/^/    /'
    BASES+=("$base"); TRACED+=("$traced")
done
mb=$(printf '%s\n' "${BASES[@]}" | median)
mt=$(printf '%s\n' "${TRACED[@]}" | median)
echo "median: untraced ${mb}/s, traced ${mt}/s, slowdown $(awk -v b="$mb" -v t="$mt" 'BEGIN { printf "%.1f", (b - t) * 100 / b }')%"
