#!/bin/bash
# Loopback connect/close storm and bulk transfer, untraced and with `kscope tcp --json`
# writing to a file: connections/s, MiB/s, events delivered vs generated, kscope CPU and
# RSS (read after it has drained and exited). Fails when a storm did not run or kscope
# reported none of it.
# Usage: bench/tcp_bench.sh [BUILD_DIR] [CONNECTIONS] [MIB]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-20000}
MIB=${3:-4096}
STORM="$BUILD/bench/tcp_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
trap 'kill_measured; sysctl -q kernel.bpf_stats_enabled="$STATS_WAS"; rm -rf "$TMP"' EXIT
# Total ns the kernel spent running kscope's programs so far (needs bpf_stats_enabled).
bpf_ns() { bpftool prog show --json | jq '[.[] | select(.name | startswith("ks_")) | .run_time_ns // 0] | add // 0'; }
# Throughput alone cannot show a 3% difference on a noisy VM; the kernel's own accounting
# of the time spent in kscope's programs, as a share of the transfer's time, can.
bulk_share() {
    local before after
    before=$(bpf_ns)
    traced=$(run_storm bulk "$MIB" "$1")
    after=$(bpf_ns)
    SHARE=$(awk -v ns=$((after - before)) -v mib="$MIB" -v rate="$traced" \
        'BEGIN { t = mib / rate * 1e9; printf "%.1f ms in kscope programs over a %.0f ms transfer (%.2f%%)", ns / 1e6, t / 1e6, ns * 100 / t }')
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
# tcp_storm connect N PORT | bulk MIB PORT: its rate; fails unless it did all of it.
run_storm() {
    local out
    out=$("$STORM" "$@") || fail "tcp_storm $* failed"
    if [ "$1" = bulk ]; then
        [ "$(field mib <<<"$out")" = "$2" ] || fail "tcp_storm $*: $out"
        field mib_per_second <<<"$out"
    else
        [ "$(field conns <<<"$out")" = "$2" ] || fail "tcp_storm $*: $out"
        field conns_per_second <<<"$out"
    fi
}

start_kscope() { start_measured "$TMP/out" "$TMP/err" "$KSCOPE" "${TOOL[@]}" --stats; }
stop_kscope() {
    sleep 0.3  # the last state changes of the storm reach the ring
    stop_measured
}

echo "tcp on loopback: $N connections, $MIB MiB bulk, $(nproc) CPUs"
TOOL=(tcp --json)
base=$(run_storm connect "$N" 20001)
start_kscope
traced=$(run_storm connect "$N" 20002)
stop_kscope
connects=$(grep -c '"type":"tcp_connect".*"dport":20002' "$TMP/out" || true)
closes=$(grep -c '"type":"tcp_close".*"dport":20002' "$TMP/out" || true)
[ "$connects" -gt 0 ] && [ "$closes" -gt 0 ] || fail "kscope tcp reported $connects connects and $closes closes of $N"
echo "connect storm: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)," \
     "connect events $connects/$N, client close events $closes/$N, kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
grep lost "$TMP/err" | sed 's/^/    /' || true

sysctl -q kernel.bpf_stats_enabled=1
base=$(run_storm bulk "$MIB" 20003)
start_kscope
bulk_share 20004
stop_kscope
echo "bulk transfer: untraced ${base} MiB/s, traced ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%); $SHARE"

# tcptop counts every send and receive in the kernel.
TOOL=(tcptop --json --interval 1)
base=$(run_storm bulk "$MIB" 20005)
start_kscope
bulk_share 20006
stop_kscope
echo "bulk transfer with tcptop: untraced ${base} MiB/s, traced ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%), kscope cpu ${CPU_MS} ms; $SHARE"
base=$(run_storm connect "$N" 20007)
start_kscope
traced=$(run_storm connect "$N" 20008)
stop_kscope
echo "connect storm with tcptop: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)"
