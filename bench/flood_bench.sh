#!/bin/bash
# What flood protection costs and does: a UDP flood from a network namespace (veth, one
# source, one sending thread) against a UDP sink here, three ways, alternating, RUNS
# times each: no kscope; the agent (its flood program only) counting at generic XDP
# (flood.mitigate off, limits above the flood); the agent dropping the source (mitigate
# on, a limit far below it). MODE=native or MODE=tc measures the other hooks.
# Medians of packets sent, received and dropped per second, the whole machine's CPU busy
# time (softirq included, from /proc/stat) and the agent's own CPU, and the flood
# program's ns per packet from the kernel's BPF statistics.
# Usage: bench/flood_bench.sh [BUILD_DIR] [RUNS] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
RUNS=${2:-3}
MODE=${MODE:-generic}  # the flood hook: generic, native or tc
SECS=${3:-4}
KSCOPE="$BUILD/kscope"
FLOOD="$BUILD/bench/udp_flood"
NS=ksfbench
PORT=19496
HTTP=19495
TMP=$(mktemp -d)
cleanup() {
    [ -n "${APID:-}" ] && kill "$APID" 2>/dev/null
    ip link del $NS 2>/dev/null || true
    ip netns del $NS 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
[ -x "$FLOOD" ] || fail "$FLOOD is missing (make build)"
ip netns del $NS 2>/dev/null || true
ip netns add $NS
ip link add $NS type veth peer name ${NS}p netns $NS
ip addr add 10.204.1.1/24 dev $NS
ip link set $NS up
ip -n $NS link set lo up
ip -n $NS link set ${NS}p up
ip -n $NS addr add 10.204.1.2/24 dev ${NS}p

start_agent() {  # $1: count or drop
    local limit=100000000 mitigate=false
    [ "$1" = drop ] && limit=1000 mitigate=true
    cat >"$TMP/agent.yaml" <<YAML
profiling: {enabled: false}
rules: {default: false}
# Only the flood program: the other probes' costs (syscalls counts every sendto) are other benches'.
probes: {exec: false, exit: false, syscalls: false, tcp: false, drops: false, dns: false, filetop: false, runqlat: false,
         biolat: false, oom: false, privilege: false, namespaces: false, filechange: false, socket: false}
flood: {enabled: true, interfaces: [$NS], mode: $MODE, udp_pps: $limit, syn_pps: 0, pps: 0, mitigate: $mitigate, cooldown: 1h}
YAML
    start_agent_with "$KSCOPE" "$TMP/agent.yaml" $HTTP "$TMP/data" "$TMP/err"
    sleep 1
}
stop_agent() { kill -INT "$APID"; wait "$APID" 2>/dev/null || true; APID=; }
metric() { curl -s "127.0.0.1:$HTTP/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
total_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
proc_jiffies() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
xdp_ns() {
    bpftool prog show name "$( [ "$MODE" = tc ] && echo ks_flood_tc || echo ks_flood_xdp)" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) { if ($i == "run_time_ns") rt = $(i + 1); if ($i == "run_cnt") rc = $(i + 1) } }
        END { if (rc > 0) printf "%.0f", rt / rc; else print "-" }'
}

# One flood; sets SENT, RECEIVED (per second), CPU (% of all CPUs busy), AGENT_CPU (% of one CPU).
flood() {
    "$FLOOD" sink 10.204.1.1 $PORT $((SECS + 2)) >"$TMP/sink" &
    local sink=$!
    until grep -q ready "$TMP/sink" 2>/dev/null; do sleep 0.01; done
    local b0 t0 a0=0 b1 t1 a1=0
    b0=$(busy_jiffies) t0=$(total_jiffies)
    [ -n "${APID:-}" ] && a0=$(proc_jiffies "$APID")
    SENT=$("$FLOOD" send $NS 10.204.1.2 10.204.1.1 $PORT "$SECS" | sed -n 's/.*per_second=\([0-9]*\).*/\1/p')
    b1=$(busy_jiffies) t1=$(total_jiffies)
    [ -n "${APID:-}" ] && a1=$(proc_jiffies "$APID")
    wait $sink
    local received
    received=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$TMP/sink")
    RECEIVED=$((received / SECS))
    CPU=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", b * 100 / t }')
    AGENT_CPU=$(awk -v a=$((a1 - a0)) -v s="$SECS" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", a * 100 / hz / s }')
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A S R C A D X
echo "flood bench ($MODE): UDP flood from one source for ${SECS} s, $RUNS runs each way, $(nproc) CPUs (alternating)"
for run in $(seq "$RUNS"); do
    order="none count drop"
    [ $((run % 2)) = 0 ] && order="drop count none"
    for mode in $order; do
        [ "$mode" != none ] && start_agent "$mode"
        d0=0
        [ "$mode" = drop ] && d0=$(metric 'kscope_flood_dropped_packets_total{protocol="udp"}')
        flood
        dropped=0 ns=-
        if [ "$mode" != none ]; then
            [ "$mode" = drop ] && dropped=$(awk -v a="$(metric 'kscope_flood_dropped_packets_total{protocol="udp"}')" -v b="$d0" -v s="$SECS" 'BEGIN { printf "%.0f", (a - b) / s }')
            ns=$(xdp_ns)
            [ "$mode" = count ] && [ "$(metric 'kscope_flood_packets_total{protocol="udp"}' | cut -d. -f1)" -gt 0 ] || [ "$mode" = drop ] || fail "the flood program counted nothing"
            stop_agent
        else
            AGENT_CPU=0
        fi
        echo "run $run, $mode: sent ${SENT}/s, received ${RECEIVED}/s, dropped at XDP ${dropped}/s, machine busy ${CPU}%, agent ${AGENT_CPU}% of a CPU, XDP ${ns} ns/packet"
        S[$mode]+="$SENT " R[$mode]+="$RECEIVED " C[$mode]+="$CPU " A[$mode]+="$AGENT_CPU " D[$mode]+="$dropped " X[$mode]+="$ns "
    done
done
echo "medians:"
for mode in none count drop; do
    # shellcheck disable=SC2086
    printf '  %-6s sent %8s/s  received %8s/s  dropped %8s/s  machine busy %3s%%  agent %5s%% of a CPU  XDP %s ns/packet\n' "$mode" \
        "$(median ${S[$mode]})" "$(median ${R[$mode]})" "$(median ${D[$mode]})" "$(median ${C[$mode]})" "$(median ${A[$mode]})" \
        "$( [ "$mode" = none ] && echo - || median ${X[$mode]})"
done
