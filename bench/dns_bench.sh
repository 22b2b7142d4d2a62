#!/bin/bash
# kscope dns: a query storm against dnsmasq in a network namespace (queries/s untraced and
# traced, events delivered vs generated, kscope CPU and RSS), and what its packet programs
# cost every other packet (bulk TCP transfer untraced vs traced, and the kernel's own
# run-time statistics for the two cgroup_skb programs: ns per packet).
# Usage: bench/dns_bench.sh [BUILD_DIR] [QUERIES] [MIB]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-20000}
MIB=${3:-2048}
KSCOPE="$BUILD/kscope"
NS=ksbench_dns_$$
TMP=$(mktemp -d)
cleanup() {
    [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
    [ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null || true
    sysctl -q kernel.bpf_stats_enabled="$STATS_WAS" || true
    rm -rf "$TMP"
}
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
trap cleanup EXIT
ticks=$(getconf CLK_TCK)
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

ip netns add "$NS"
ip -n "$NS" link set lo up
echo "10.1.2.3 web.bench.test" >"$TMP/hosts"
ip netns exec "$NS" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --addn-hosts="$TMP/hosts" --local=/bench.test/ --bind-interfaces --listen-address=127.0.0.1 --port=53 \
    --user=root --pid-file= --log-facility="$TMP/dnsmasq.log" --dns-forward-max=1000 &
DPID=$!
sleep 0.5
storm() { ip netns exec "$NS" "$BUILD/bench/dns_storm" "$1" 127.0.0.1 web.bench.test; }

start_kscope() {
    "$KSCOPE" "$@" --stats >"$TMP/out" 2>"$TMP/err" &
    KPID=$!
    wait_tracing "$KPID" "$TMP/err"
}
stop_kscope() {
    sleep 0.3
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$KPID/stat")
    HWM=$(awk '/VmHWM/ {print $2}' "/proc/$KPID/status")
    kill -INT "$KPID"; wait "$KPID"; KPID=
    CPU_MS=$(( (utime + stime) * 1000 / ticks ))
}

echo "dns: $N queries to dnsmasq (half NXDOMAIN), $MIB MiB bulk TCP, $(nproc) CPUs"
storm 500 >/dev/null  # warm up
base=$(storm "$N" | field queries_per_second)
start_kscope dns --json
traced=$(storm "$N" | field queries_per_second)
stop_kscope
q=$(grep -c '"type":"dns_query".*bench.test' "$TMP/out" || true)
r=$(grep -c '"type":"dns_response".*bench.test' "$TMP/out" || true)
nx=$(grep -c '"rcode":"NXDOMAIN"' "$TMP/out" || true)
echo "query storm: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)," \
     "query events $q/$N, response events $r/$N (NXDOMAIN $nx), kscope cpu ${CPU_MS} ms, peak RSS $((HWM / 1024)) MiB"
grep -E "lost|dns:" "$TMP/err" | sed 's/^/    /'

# Every packet on the host passes the two programs; most leave after the header checks.
base=$("$BUILD/bench/tcp_storm" bulk "$MIB" 20101 | field mib_per_second)
sysctl -q kernel.bpf_stats_enabled=1
start_kscope dns --json
traced=$("$BUILD/bench/tcp_storm" bulk "$MIB" 20102 | field mib_per_second)
stats=$(bpftool prog show --json | jq -r '.[] | select(.name | startswith("ks_dns")) | "\(.name) \(.run_cnt) \(.run_time_ns)"')
stop_kscope
echo "bulk transfer: untraced ${base} MiB/s, with kscope dns ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)"
echo "$stats" | awk '$2 > 0 { printf "    %s: %d runs, %.0f ns per packet (kernel bpf_stats)\n", $1, $2, $3 / $2 }'
