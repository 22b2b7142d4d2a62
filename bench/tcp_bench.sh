#!/bin/bash
# Loopback connect/close storm and bulk transfer, untraced and with `kscope tcp --json`
# writing to a file: connections/s, MiB/s, events delivered vs generated, kscope CPU, RSS.
# Usage: bench/tcp_bench.sh [BUILD_DIR] [CONNECTIONS] [MIB]
set -euo pipefail
BUILD=${1:-build}
N=${2:-20000}
MIB=${3:-4096}
STORM="$BUILD/bench/tcp_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null; rm -rf "$TMP"' EXIT
ticks=$(getconf CLK_TCK)
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

start_kscope() {
    rm -f "$TMP/err"
    "$KSCOPE" "${TOOL[@]}" --stats >"$TMP/out" 2>"$TMP/err" &
    KPID=$!
    until grep -q tracing "$TMP/err" 2>/dev/null; do sleep 0.01; done
}
stop_kscope() {
    sleep 0.3  # the last state changes of the storm reach the ring
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$KPID/stat")
    HWM=$(awk '/VmHWM/ {print $2}' "/proc/$KPID/status")
    kill -INT "$KPID"; wait "$KPID"
    CPU_MS=$(( (utime + stime) * 1000 / ticks ))
}

echo "tcp on loopback: $N connections, $MIB MiB bulk, $(nproc) CPUs"
TOOL=(tcp --json)
base=$("$STORM" connect "$N" 20001 | field conns_per_second)
start_kscope
traced=$("$STORM" connect "$N" 20002 | field conns_per_second)
stop_kscope
connects=$(grep -c '"type":"tcp_connect".*"dport":20002' "$TMP/out" || true)
closes=$(grep -c '"type":"tcp_close".*"dport":20002' "$TMP/out" || true)
echo "connect storm: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)," \
     "connect events $connects/$N, client close events $closes/$N, kscope cpu ${CPU_MS} ms, peak RSS $((HWM / 1024)) MiB"
grep lost "$TMP/err" | sed 's/^/    /'

base=$("$STORM" bulk "$MIB" 20003 | field mib_per_second)
start_kscope
traced=$("$STORM" bulk "$MIB" 20004 | field mib_per_second)
stop_kscope
echo "bulk transfer: untraced ${base} MiB/s, traced ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)"

# tcptop counts every send and receive in the kernel.
TOOL=(tcptop --json --interval 1)
base=$("$STORM" bulk "$MIB" 20005 | field mib_per_second)
start_kscope
traced=$("$STORM" bulk "$MIB" 20006 | field mib_per_second)
stop_kscope
echo "bulk transfer with tcptop: untraced ${base} MiB/s, traced ${traced} MiB/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%), kscope cpu ${CPU_MS} ms"
base=$("$STORM" connect "$N" 20007 | field conns_per_second)
start_kscope
traced=$("$STORM" connect "$N" 20008 | field conns_per_second)
stop_kscope
echo "connect storm with tcptop: untraced ${base}/s, traced ${traced}/s ($(awk -v b="$base" -v t="$traced" 'BEGIN { printf "%.1f", t * 100 / b }')%)"
