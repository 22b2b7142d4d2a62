#!/bin/bash
# CPU profiling cost and stack completeness, side by side in one run: untraced, kscope
# profile at 99 and 999 Hz, bpftrace (profile:hz with ustack/kstack), perf record with
# frame-pointer stacks and with --call-graph dwarf. The workload is the profiler test
# target (-O2 -fomit-frame-pointer), a fixed number of rounds on every CPU; the figure is
# its wall time. Completeness: the share of the target's samples whose stack reaches
# main. Configurations alternate within each run; medians over runs.
# BCC's `profile` is not in Debian's libbpf-tools, so it is not measured here.
# Usage: bench/profile_bench.sh [BUILD_DIR] [ROUNDS] [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
ROUNDS=${2:-3000}
RUNS=${3:-3}
TARGET="$BUILD/tests/profile_target"
KSCOPE="$BUILD/kscope"
CPUS=$(nproc)
TMP=$(mktemp -d)
BPFTRACE_PID=
cleanup() {
    kill_measured
    [ -n "$BPFTRACE_PID" ] && kill "$BPFTRACE_PID" 2>/dev/null
    rm -rf "$TMP"
    return 0
}
trap cleanup EXIT
[ -x "$TARGET" ] || fail "$TARGET missing: build first"
command -v bpftrace >/dev/null || fail "bpftrace is not installed (apt-get install bpftrace)"
command -v perf >/dev/null || fail "perf is not installed (apt-get install linux-perf)"

# Runs the target on every CPU; prints the mean seconds taken.
workload() {
    local pids=() i
    for i in $(seq "$CPUS"); do "$TARGET" rounds "$ROUNDS" >"$TMP/w.$i" & pids+=($!); done
    wait "${pids[@]}" || fail "the target failed"
    cat "$TMP"/w.* | awk '{ s += $1; n++ } END { if (n == 0 || s == 0) exit 1; printf "%.3f", s / n }' ||
        fail "the target printed no time"
    rm -f "$TMP"/w.*
}

# Share of the target's samples (folded lines of comm profile_target) that reach main.
folded_complete() {
    awk '/^profile_target;/ { n = $NF; all += n; if ($0 ~ /;main;/) ok += n }
         END { if (all == 0) exit 1; printf "%.1f%% of %d", ok * 100 / all, all }' "$1" ||
        fail "no samples of the target in $1"
}

# The kernel's own accounting of ks_profile (bpf_stats): average ns per sample.
prog_ns_per_run() {
    bpftool prog show name ks_profile -j 2>/dev/null |
        jq -r 'if type == "array" then .[0] else . end | if .run_cnt and .run_cnt > 0
               then "\(.run_time_ns / .run_cnt | floor) ns/sample in the kernel over \(.run_cnt) samples"
               else "no bpf_stats" end' 2>/dev/null || echo "no bpf_stats"
}

run_kscope() {  # HZ: sets T (seconds) and INFO
    start_measured "$TMP/k.out" "$TMP/k.err" "$KSCOPE" profile -F "$1" --folded --stats
    T=$(workload)
    local kernel
    kernel=$(prog_ns_per_run)
    stop_measured
    INFO="complete $(folded_complete "$TMP/k.out"), $kernel, kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
}

run_bpftrace() {
    bpftrace -e 'profile:hz:99 /comm == "profile_target"/ { @[ustack, kstack] = count(); }' >"$TMP/b.out" 2>&1 &
    local bp=$!
    BPFTRACE_PID=$bp
    local deadline=$((SECONDS + 30))
    until grep -q Attaching "$TMP/b.out"; do
        kill -0 "$bp" 2>/dev/null || { cat "$TMP/b.out" >&2; fail "bpftrace did not start"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "bpftrace did not attach in 30 s"
        sleep 0.1
    done
    sleep 1  # bpftrace prints Attaching before its probes are live
    T=$(workload)
    kill -INT "$bp"; wait "$bp" || true
    BPFTRACE_PID=
    # Each map entry: "@[", one frame per line, ", ]: count"; complete when a frame is main.
    INFO="complete $(awk '/^@\[/ { inmain = 0; next } /^ *main\+/ { inmain = 1 }
        /\]: [0-9]+$/ { n = $NF; all += n; if (inmain) ok += n }
        END { if (all == 0) exit 1; printf "%.1f%% of %d", ok * 100 / all, all }' "$TMP/b.out" || echo n/a)"
}

run_perf() {  # perf record options...
    perf record -q -o "$TMP/perf.data" -a "$@" -- sleep 1000 >/dev/null 2>"$TMP/p.err" &
    local pp=$!
    sleep 1
    T=$(workload)
    kill -INT "$pp"; wait "$pp" || true
    local size
    size=$(du -m "$TMP/perf.data" | cut -f1)
    # One block per sample: the comm, then "ip symbol" lines, then a blank line.
    INFO="complete $(perf script -i "$TMP/perf.data" -F comm,ip,sym --comms profile_target 2>/dev/null |
        awk 'NF == 0 { if (n) { all++; if (m) ok++ } n = 0; m = 0; next }
             { n++; if ($2 == "main") m = 1 }
             END { if (n) { all++; if (m) ok++ } if (all == 0) exit 1; printf "%.1f%% of %d", ok * 100 / all, all }' ||
        echo n/a), perf.data ${size} MiB"
    rm -f "$TMP/perf.data"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Run-time statistics of BPF programs while the bench runs (restored on exit).
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"; cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1
declare -A TIMES
CONFIGS=(untraced kscope-99 kscope-999 bpftrace-99 perf-fp-99 perf-dwarf-99)
echo "profile bench: $ROUNDS rounds of the -O2 -fomit-frame-pointer target on each of $CPUS CPUs, $RUNS runs"
for run in $(seq "$RUNS"); do
    for c in "${CONFIGS[@]}"; do
        INFO=""
        case $c in
        untraced) T=$(workload) ;;
        kscope-99) run_kscope 99 ;;
        kscope-999) run_kscope 999 ;;
        bpftrace-99) run_bpftrace ;;
        perf-fp-99) run_perf -F 99 -g ;;
        perf-dwarf-99) run_perf -F 99 --call-graph dwarf ;;
        esac
        TIMES[$c]="${TIMES[$c]:-} $T"
        echo "run $run: $c ${T} s${INFO:+, $INFO}"
    done
done
base=$(tr ' ' '\n' <<<"${TIMES[untraced]}" | grep . | median)
echo "median wall time of the workload (slowdown vs untraced):"
for c in "${CONFIGS[@]}"; do
    m=$(tr ' ' '\n' <<<"${TIMES[$c]}" | grep . | median)
    echo "  $c: ${m} s ($(awk -v b="$base" -v t="$m" 'BEGIN { printf "%+.1f%%", (t - b) * 100 / b }'))"
done
