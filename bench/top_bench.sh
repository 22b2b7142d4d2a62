#!/bin/bash
# What `kscope top` costs at a 1 s refresh: its CPU time (user + system, GNU time) and
# peak RSS over SECONDS refreshes of --batch (the same sampling as the live view: /proc,
# its syscalls and tcptop maps, every BPF program's statistics), median of RUNS, with a
# mixed storm running so there is something to count.
# Usage: bench/top_bench.sh [BUILD_DIR] [RUNS] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
RUNS=${2:-3}
SECS=${3:-20}
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; rm -rf "$TMP"' EXIT
[ -x "$BUILD/bench/mixed_storm" ] || fail "$BUILD/bench/mixed_storm is missing (make build)"
"$BUILD/bench/mixed_storm" $((SECS * RUNS + 30)) 2000 100 200 20310 >/dev/null 2>&1 &
SPID=$!
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
CPU=() RSS=() ROWS=()
echo "top bench: kscope top --batch -i 1 for ${SECS} refreshes, $RUNS runs, mixed storm running, $(nproc) CPUs"
for run in $(seq "$RUNS"); do
    /usr/bin/time -f '%U %S %M' -o "$TMP/rusage" "$KSCOPE" top --batch -i 1 -n "$SECS" --top 0 >"$TMP/out" 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; fail "kscope top failed"; }
    read -r user sys maxrss < <(tail -n 1 "$TMP/rusage")
    pct=$(awk -v u="$user" -v s="$sys" -v n="$SECS" 'BEGIN { printf "%.2f", (u + s) * 100 / n }')
    rows=$(awk '/^ *PID/ { tables++ } END { print tables }' "$TMP/out")
    [ "$rows" = "$SECS" ] || fail "expected $SECS tables, got $rows"
    procs=$(awk '/^ *PID/ { n = 0; next } NF { n++ } END { print n }' "$TMP/out")
    echo "run $run: ${pct}% of a CPU, peak RSS $((maxrss / 1024)) MiB, $procs processes per refresh"
    CPU+=("$pct") RSS+=("$((maxrss / 1024))")
done
echo "median: $(median "${CPU[@]}")% of a CPU at a 1 s refresh, peak RSS $(median "${RSS[@]}") MiB"
