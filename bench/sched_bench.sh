#!/bin/bash
# System-performance tools, side by side in one run, alternating and reporting medians:
#  1. pipe ping-pong round trips/s: untraced, kscope runqlat, libbpf-tools runqlat,
#     bpftrace's runqlat; ratio to untraced (kscope's target: >= 0.85);
#  2. O_DIRECT 4 KiB reads at queue depth 1 on a loop device: IOPS untraced, kscope
#     biolat, libbpf-tools biolatency (kscope's target: at most 2% fewer IOPS);
#  3. minor page faults: ns per fault untraced, with the agent's totals-only faults probe
#     and with kscope faults (per process).
# Usage: bench/sched_bench.sh [BUILD_DIR] [ROUNDS] [SECONDS_PER_RUN]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
ROUNDS=${2:-5}
RUN_S=${3:-3}
KSCOPE="$BUILD/kscope"
PINGPONG="$BUILD/bench/pingpong"
BIO="$BUILD/bench/bio_qd1"
FAULTS="$BUILD/bench/fault_storm"
TMP=$(mktemp -d)
LOOPDEV=""
TRACER=""
cleanup() {
    [ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
    [ -n "$LOOPDEV" ] && losetup -d "$LOOPDEV"
    rm -rf "$TMP"
}
trap cleanup EXIT

LIBBPF_RUNQLAT=$(command -v runqlat || command -v libbpf-tools-runqlat || true)
LIBBPF_BIOLAT=$(command -v biolatency || command -v libbpf-tools-biolatency || true)
BPFTRACE=$(command -v bpftrace || true)
for tool in "$LIBBPF_RUNQLAT" "$LIBBPF_BIOLAT" "$BPFTRACE"; do
    [ -n "$tool" ] || { echo "bench: libbpf-tools and bpftrace are needed (scripts/bootstrap installs them)" >&2; exit 1; }
done

# Starts a tracer in the background and waits until it is attached: kscope says
# "tracing", libbpf-tools say "Tracing", bpftrace "Attaching".
start_tracer() {
    local ready=$1; shift
    : >"$TMP/err"
    "$@" >"$TMP/out" 2>"$TMP/err" &
    TRACER=$!
    local waited=0
    until grep -qi "$ready" "$TMP/err" "$TMP/out" 2>/dev/null; do
        if ! kill -0 "$TRACER" 2>/dev/null; then
            echo "bench: '$*' did not start:" >&2
            cat "$TMP/err" >&2
            exit 1
        fi
        sleep 0.05
        waited=$((waited + 1))
        [ "$waited" -lt 400 ] || { echo "bench: '$*' not ready after 20 s" >&2; exit 1; }
    done
    sleep 0.3
}
stop_tracer() {
    kill -INT "$TRACER" 2>/dev/null || true
    wait "$TRACER" 2>/dev/null || true
    TRACER=""
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs the workload command, checks it printed its figure, appends it to file.
measure() {
    local file=$1 key=$2; shift 2
    local out value
    out=$("$@") || { echo "bench: workload '$*' failed: $out" >&2; exit 1; }
    value=$(sed -n "s/.*$key=\([0-9.]*\).*/\1/p" <<<"$out")
    if [ -z "$value" ] || [ "$value" = 0 ]; then
        echo "bench: workload '$*' did not run: '$out'" >&2
        exit 1
    fi
    echo "$value" >>"$file"
}

# One scenario: for each round, each configuration in turn (untraced first), so drifts
# in the machine's load hit all of them alike. configs: "label|ready text|command..."
scenario() {
    local key=$1; shift
    local -n configs=$1; shift
    local workload=("$@")
    for c in "${!configs[@]}"; do : >"$TMP/r$c"; done
    for ((round = 0; round < ROUNDS; round++)); do
        for c in "${!configs[@]}"; do
            IFS='|' read -r label ready cmd <<<"${configs[$c]}"
            if [ -n "$cmd" ]; then
                # shellcheck disable=SC2086
                start_tracer "$ready" $cmd
            fi
            measure "$TMP/r$c" "$key" "${workload[@]}"
            [ -n "$cmd" ] && stop_tracer
        done
    done
}

report() {
    local unit=$1 higher_is_better=$2; shift 2
    local -n configs=$1
    local base; base=$(median <"$TMP/r0")
    for c in "${!configs[@]}"; do
        IFS='|' read -r label _ <<<"${configs[$c]}"
        local m; m=$(median <"$TMP/r$c")
        if [ "$higher_is_better" = 1 ]; then
            printf "  %-34s %12.0f %s  ratio %.3f  (runs: %s)\n" "$label" "$m" "$unit" \
                "$(awk -v m="$m" -v b="$base" 'BEGIN { print m / b }')" "$(tr '\n' ' ' <"$TMP/r$c")"
        else
            printf "  %-34s %12.0f %s  +%.0f ns  (runs: %s)\n" "$label" "$m" "$unit" \
                "$(awk -v m="$m" -v b="$base" 'BEGIN { print m - b }')" "$(tr '\n' ' ' <"$TMP/r$c")"
        fi
    done
}

cat >"$TMP/runqlat.bt" <<'BT'
tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new { @qtime[args->pid] = nsecs; }
tracepoint:sched:sched_switch {
  if (args->prev_state == 0) { @qtime[args->prev_pid] = nsecs; }
  $ns = @qtime[args->next_pid];
  if ($ns) { @usecs = hist((nsecs - $ns) / 1000); }
  delete(@qtime[args->next_pid]);
}
BT

echo "scheduler/block/fault bench: $ROUNDS rounds of ${RUN_S}s per configuration, alternating; medians; $(nproc) CPUs, $(uname -r)"

RUNQ=(
    "untraced||"
    "kscope runqlat|tracing|$KSCOPE runqlat -i 1000"
    "kscope runqlat --by pid|tracing|$KSCOPE runqlat --by pid -i 1000"
    "libbpf-tools runqlat|Tracing|stdbuf -oL $LIBBPF_RUNQLAT 1000"
    "bpftrace runqlat.bt|Attaching|$BPFTRACE $TMP/runqlat.bt"
)
scenario round_trips_per_s RUNQ "$PINGPONG" "$RUN_S"
echo "pipe ping-pong (round trips/s; higher is better):"
report "rt/s" 1 RUNQ

truncate -s 256M "$TMP/disk.img"
LOOPDEV=$(losetup --find --show "$TMP/disk.img")
dd if=/dev/urandom of="$LOOPDEV" bs=1M count=256 oflag=direct status=none
BIOLAT=(
    "untraced||"
    "kscope biolat|tracing|$KSCOPE biolat -i 1000"
    "libbpf-tools biolatency|Tracing|stdbuf -oL $LIBBPF_BIOLAT 1000"
    "libbpf-tools biolatency -Q|Tracing|stdbuf -oL $LIBBPF_BIOLAT -Q 1000"
)
scenario iops BIOLAT "$BIO" "$LOOPDEV" "$RUN_S"
echo "O_DIRECT 4 KiB reads at queue depth 1 on $(basename "$LOOPDEV") (IOPS; higher is better):"
report "IOPS" 1 BIOLAT

cat >"$TMP/agent.yaml" <<YAML
probes:
  exec: {enabled: false}
  exit: {enabled: false}
  syscalls: {enabled: false}
  tcp: {enabled: false}
  drops: {enabled: false}
  dns: {enabled: false}
  filetop: {enabled: false}
  runqlat: {enabled: false}
  biolat: {enabled: false}
  oom: {enabled: false}
  faults: {enabled: true}
YAML
FAULTS_CONFIGS=(
    "untraced||"
    "agent (faults totals only)|agent running|$KSCOPE agent --config $TMP/agent.yaml --listen 127.0.0.1:19531 --data-dir $TMP/data"
    "kscope faults (per process)|tracing|$KSCOPE faults -i 1000"
)
scenario ns_per_fault FAULTS_CONFIGS "$FAULTS" "$RUN_S"
echo "minor page faults (ns per fault; lower is better):"
report "ns/fault" 0 FAULTS_CONFIGS
