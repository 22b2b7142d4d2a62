#!/bin/bash
# Open+close storm untraced and with `kscope open --json` writing to a file: ns per
# iteration, events delivered vs generated, kscope's CPU time and peak RSS.
# Usage: bench/open_bench.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-2000000}
STORM="$BUILD/bench/open_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT
ticks=$(getconf CLK_TCK)
TARGET="$TMP/storm-target"
echo x >"$TARGET"

ns() { sed -n 's/.*ns_per_iteration=\([0-9]*\).*/\1/p'; }

# Runs the storm under `kscope <args>`; prints ns/iteration and kscope's costs.
traced() {
    local label=$1; shift
    rm -f "$TMP/err"
    "$KSCOPE" "$@" --stats >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_tracing "$pid" "$TMP/err"
    local t; t=$("$STORM" "$N" "$TARGET" | ns)
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
    local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -INT "$pid"; wait "$pid"
    local got; got=$(grep -c "storm-target" "$TMP/out" || true)
    echo "$label: ${t} ns/iteration ($(awk -v t="$t" -v b="$BASE" 'BEGIN { printf "%.2fx", t / b }') untraced)," \
         "events $got/$N, kscope cpu $(( (utime + stime) * 1000 / ticks )) ms, peak RSS $((hwm / 1024)) MiB"
    grep lost "$TMP/err" | sed 's/^/    /'
}

BASE=$("$STORM" "$N" "$TARGET" | ns)
echo "open+close storm: $N iterations, $(nproc) CPUs"
echo "untraced: ${BASE} ns/iteration"
traced "kscope open --json >file" open --json
BASE=$("$STORM" "$N" "$TARGET" | ns)
echo "untraced again: ${BASE} ns/iteration"

# In-kernel aggregation only: the cost per syscall (open and close each count).
rm -f "$TMP/err"
"$KSCOPE" syscalls --interval 1 >/dev/null 2>"$TMP/err" &
pid=$!
wait_tracing "$pid" "$TMP/err"
T=$("$STORM" "$N" "$TARGET" | ns)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
kill -INT "$pid"; wait "$pid"
BASE2=$("$STORM" "$N" "$TARGET" | ns)
echo "kscope syscalls: ${T} ns/iteration vs ${BASE2} untraced:" \
     "$(( (T - BASE2) / 2 )) ns added per syscall, kscope cpu $(( (utime + stime) * 1000 / ticks )) ms"
