#!/bin/bash
# chmod+rename storm untraced and with `kscope filechange --json` writing to a file: ns
# per iteration (two syscalls, both traced, both paths resolved from the cwd), events
# delivered vs generated, kscope's CPU time and peak RSS. Fails when the storm did not
# run or kscope saw none of it.
# Usage: bench/filechange_bench.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-200000}
STORM="$BUILD/bench/filechange_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap 'kill_measured; rm -rf "$TMP"' EXIT
mkdir "$TMP/dir"

storm() {
    local out
    out=$("$STORM" "$N" "$TMP/dir") || fail "filechange_storm failed"
    [ "$(sed -n 's/.*iterations=\([0-9]*\).*/\1/p' <<<"$out")" = "$N" ] || fail "filechange_storm: $out"
    sed -n 's/.*ns_per_iteration=\([0-9]*\).*/\1/p' <<<"$out"
}

BASE=$(storm)
echo "chmod+rename storm: $N iterations ($((2 * N)) events), $(nproc) CPUs"
echo "untraced: ${BASE} ns/iteration"
start_measured "$TMP/out" "$TMP/err" "$KSCOPE" filechange --json -c filechange_stor --stats
T=$(storm)
stop_measured
GOT=$(grep -c '"resolved_path":"[^"]*/dir/storm-' "$TMP/out" || true)
[ "$GOT" -gt 0 ] || fail "kscope saw none of the storm's calls"
echo "kscope filechange --json >file: ${T} ns/iteration ($(awk -v t="$T" -v b="$BASE" 'BEGIN { printf "%.2fx", t / b }') untraced)," \
     "events $GOT/$((2 * N)), kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
grep lost "$TMP/err" | sed 's/^/    /' || true
BASE=$(storm)
echo "untraced again: ${BASE} ns/iteration"
