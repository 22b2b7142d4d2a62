#!/bin/bash
# kscope agent with every probe on (open included) under a mixed storm at fixed rates:
# agent CPU per 100k events, peak RSS, events/s into the store, events lost per stage,
# and how long /metrics takes to answer while it runs.
# Usage: bench/agent_bench.sh [BUILD_DIR] [SECONDS] [OPENS/s] [EXECS/s] [CONNS/s]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
SECONDS_RUN=${2:-20}
OPENS=${3:-40000}
EXECS=${4:-1000}
CONNS=${5:-2000}
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null; rm -rf "$TMP"' EXIT
ticks=$(getconf CLK_TCK)
PORT=19499

cat >"$TMP/agent.yaml" <<YAML
probes:
  open: {enabled: true}
YAML
"$KSCOPE" agent --config "$TMP/agent.yaml" --listen 127.0.0.1:$PORT --data-dir "$TMP/data" 2>"$TMP/err" &
KPID=$!
until grep -q "agent running" "$TMP/err" 2>/dev/null; do
    kill -0 "$KPID" 2>/dev/null || { cat "$TMP/err" >&2; exit 1; }
    sleep 0.05
done
metric() { curl -s "127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
sum_metric() { curl -s "127.0.0.1:$PORT/metrics" | awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { printf "%d", s }'; }

sleep 1
stored0=$(metric kscope_store_events_total)
events0=$(sum_metric 'kscope_events_total{')
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$KPID/stat")
echo "agent bench: every probe on, ${SECONDS_RUN}s of ${OPENS} opens/s + ${EXECS} execs/s + ${CONNS} TCP connections/s, $(nproc) CPUs"
"$BUILD/bench/mixed_storm" "$SECONDS_RUN" "$OPENS" "$EXECS" "$CONNS" 20300 >"$TMP/storm" &
SPID=$!
scrapes=()
while kill -0 "$SPID" 2>/dev/null; do
    scrapes+=("$(curl -s -o /dev/null -w '%{time_total}' "127.0.0.1:$PORT/metrics")")
    sleep 1
done
wait "$SPID"
sleep 1  # the last events reach the store
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$KPID/stat")
stored1=$(metric kscope_store_events_total)
events1=$(sum_metric 'kscope_events_total{')
dropped=$(sum_metric 'kscope_events_dropped_total{')
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$KPID/status")
events=$((events1 - events0))
stored=$((stored1 - stored0))
cpu_ms=$(( (u1 + s1 - u0 - s0) * 1000 / ticks ))
echo "workload: $(cat "$TMP/storm")"
echo "events: $events decoded, $stored stored ($(awk -v n="$stored" -v s="$SECONDS_RUN" 'BEGIN { printf "%.0f", n / s }') events/s into the store), $dropped lost in all stages"
echo "agent: cpu ${cpu_ms} ms ($(awk -v c="$cpu_ms" -v n="$events" 'BEGIN { printf "%.0f", n ? c * 100000 / n : 0 }') ms per 100k events), peak RSS $((hwm / 1024)) MiB"
printf '%s\n' "${scrapes[@]}" | sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "/metrics during the storm: %d scrapes, median %.1f ms, max %.1f ms\n", NR, v[int((NR + 1) / 2)], v[NR] }'
curl -s "127.0.0.1:$PORT/metrics" | grep -E '^kscope_events_dropped_total' | awk '$2 > 0' | sed 's/^/    /'
