#!/bin/bash
# Open+close storm untraced and with `kscope open --json` writing to a file: ns per
# iteration, events delivered vs generated, kscope's CPU time and peak RSS (read after it
# has drained and exited). Fails when a storm did not run or kscope saw none of it.
# Usage: bench/open_bench.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-2000000}
STORM="$BUILD/bench/open_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap 'kill_measured; rm -rf "$TMP"' EXIT
TARGET="$TMP/storm-target"
echo x >"$TARGET"

# The storm's ns per iteration; fails unless it ran all its iterations.
storm() {
    local out
    out=$("$STORM" "$N" "$TARGET") || fail "open_storm failed"
    [ "$(sed -n 's/.*iterations=\([0-9]*\).*/\1/p' <<<"$out")" = "$N" ] || fail "open_storm: $out"
    sed -n 's/.*ns_per_iteration=\([0-9]*\).*/\1/p' <<<"$out"
}

# Runs the storm under `kscope <args>`; prints ns/iteration and kscope's costs.
traced() {
    local label=$1; shift
    start_measured "$TMP/out" "$TMP/err" "$KSCOPE" "$@" --stats
    local t; t=$(storm)
    stop_measured
    local got; got=$(grep -c "storm-target" "$TMP/out" || true)
    [ "$got" -gt 0 ] || fail "$label: kscope saw none of the $N opens"
    echo "$label: ${t} ns/iteration ($(awk -v t="$t" -v b="$BASE" 'BEGIN { printf "%.2fx", t / b }') untraced)," \
         "events $got/$N, kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
    grep lost "$TMP/err" | sed 's/^/    /' || true
}

BASE=$(storm)
echo "open+close storm: $N iterations, $(nproc) CPUs"
echo "untraced: ${BASE} ns/iteration"
traced "kscope open --json >file" open --json
BASE=$(storm)
echo "untraced again: ${BASE} ns/iteration"

# In-kernel aggregation only: the cost per syscall (open and close each count).
start_measured "$TMP/syscalls" "$TMP/err" "$KSCOPE" syscalls --interval 1
T=$(storm)
stop_measured
grep -q openat "$TMP/syscalls" || fail "kscope syscalls printed no openat count"
BASE2=$(storm)
echo "kscope syscalls: ${T} ns/iteration vs ${BASE2} untraced:" \
     "$(( (T - BASE2) / 2 )) ns added per syscall, kscope cpu ${CPU_MS} ms"
