#!/bin/bash
# kscope dns: a query storm against dnsmasq in a network namespace (queries/s untraced and
# traced, answers and NXDOMAIN answers vs queries, events delivered vs generated, kscope
# CPU and RSS read after it has drained and exited), and what its packet programs cost
# every other packet (bulk TCP transfer untraced vs traced, both with the kernel's BPF
# run-time statistics on, and those statistics for the two cgroup_skb programs: ns per
# packet). Fails when dnsmasq does not answer every query as the workload expects, or
# kscope reports none of them.
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
    kill_measured
    [ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null || true
    sysctl -q kernel.bpf_stats_enabled="$STATS_WAS" || true
    rm -rf "$TMP"
}
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
trap cleanup EXIT
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

ip netns add "$NS"
ip -n "$NS" link set lo up
echo "10.1.2.3 web.bench.test" >"$TMP/hosts"
ip netns exec "$NS" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --addn-hosts="$TMP/hosts" --local=/bench.test/ --bind-interfaces --listen-address=127.0.0.1 --port=53 \
    --user=root --pid-file= --log-facility="$TMP/dnsmasq.log" --dns-forward-max=1000 &
DPID=$!

# N queries (every 2nd for a name dnsmasq has not, so NXDOMAIN); prints the storm's line.
storm() { ip netns exec "$NS" "$BUILD/bench/dns_storm" "$1" 127.0.0.1 web.bench.test; }
# A storm of $1 queries that must all be answered, half of them (the odd ones) NXDOMAIN;
# prints its queries/s. Fails otherwise: a dead or slow server makes a fast, empty storm.
checked_storm() {
    local n=$1 out answered nx
    out=$(storm "$n") || fail "dns_storm failed"
    answered=$(field answered <<<"$out")
    nx=$(field nxdomain <<<"$out")
    [ "$answered" = "$n" ] && [ "$nx" = "$((n / 2))" ] ||
        fail "dnsmasq answered $answered of $n queries, $nx NXDOMAIN (want $n and $((n / 2))): $out"
    echo "$out" >>"$TMP/storms"
    field queries_per_second <<<"$out"
}

# Ready when it answers a query (10 s at most).
deadline=$((SECONDS + 10))
until [ "$(storm 1 | field answered)" = 1 ]; do
    kill -0 "$DPID" 2>/dev/null || fail "dnsmasq exited: $(cat "$TMP/dnsmasq.log" 2>/dev/null)"
    [ "$SECONDS" -lt "$deadline" ] || fail "dnsmasq did not answer within 10 s"
    sleep 0.1
done

echo "dns: $N queries to dnsmasq (half NXDOMAIN), $MIB MiB bulk TCP, $(nproc) CPUs"
checked_storm 500 >/dev/null  # warm up
base=$(checked_storm "$N")
start_measured "$TMP/out" "$TMP/err" "$KSCOPE" dns --json --stats
traced=$(checked_storm "$N")
sleep 0.3  # the last answers reach the ring
stop_measured
q=$(grep -c '"type":"dns_query".*bench.test' "$TMP/out" || true)
r=$(grep -c '"type":"dns_response".*bench.test' "$TMP/out" || true)
nx=$(grep -c '"rcode":"NXDOMAIN"' "$TMP/out" || true)
[ "$q" -gt 0 ] && [ "$r" -gt 0 ] || fail "kscope dns reported $q queries and $r responses of $N: $(cat "$TMP/err")"
echo "query storm: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)," \
     "answered $N/$N ($((N / 2)) NXDOMAIN) both times;" \
     "query events $q/$N, response events $r/$N (NXDOMAIN $nx/$((N / 2))), kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
grep -E "lost|^dns:" "$TMP/err" | sed 's/^/    /' || true

# Every packet on the host passes the two programs; most leave after the header checks.
# Both transfers run with bpf_stats on (it times every BPF program run on the host).
bulk() {
    local out
    out=$("$BUILD/bench/tcp_storm" bulk "$MIB" "$1") || fail "tcp_storm bulk failed"
    [ "$(field mib <<<"$out")" = "$MIB" ] || fail "tcp_storm bulk: $out"
    field mib_per_second <<<"$out"
}
sysctl -q kernel.bpf_stats_enabled=1
base=$(bulk 20101)
start_measured "$TMP/out" "$TMP/err" "$KSCOPE" dns --json
traced=$(bulk 20102)
stats=$(bpftool prog show --json | jq -r '.[] | select(.name | startswith("ks_dns")) | "\(.name) \(.run_cnt) \(.run_time_ns)"')
stop_measured
[ -n "$stats" ] || fail "no ks_dns programs in bpftool while kscope dns ran"
echo "bulk transfer: untraced ${base} MiB/s, with kscope dns ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)"
echo "$stats" | awk '$2 > 0 { printf "    %s: %d runs, %.0f ns per packet (kernel bpf_stats)\n", $1, $2, $3 / $2 }'
