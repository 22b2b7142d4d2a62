#!/bin/bash
# kscope agent with every probe on (open included) under a mixed storm at fixed rates:
# agent CPU per 100k events, peak RSS, events/s into the store, events lost (all stages)
# as a rate and a share, and how long /metrics takes to answer while it runs. Every count
# is taken between two scrapes (before the storm, after it and a drain second) and every
# rate divides by the time between those same two scrapes. Fails when the storm or the
# agent did nothing, or /metrics did not answer.
# Usage: bench/agent_bench.sh [BUILD_DIR] [SECONDS] [OPENS/s] [EXECS/s] [CONNS/s]
# RULES=off runs the agent without its detection rules (bench/rules_bench.sh compares).
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
[ "${RULES:-on}" = off ] && printf 'rules: {default: false}\n' >>"$TMP/agent.yaml"
"$KSCOPE" agent --config "$TMP/agent.yaml" --listen 127.0.0.1:$PORT --data-dir "$TMP/data" 2>"$TMP/err" &
KPID=$!
deadline=$((SECONDS + 30))
until grep -q "agent running" "$TMP/err" 2>/dev/null; do
    kill -0 "$KPID" 2>/dev/null || { cat "$TMP/err" >&2; fail "the agent did not start"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "the agent did not start within 30 s"
    sleep 0.05
done

# One scrape into $1, with the time it was taken (s) and the agent's CPU ticks so far.
scrape() {
    curl -sf "127.0.0.1:$PORT/metrics" >"$1" || fail "/metrics did not answer"
    date +%s.%N >"$1.time"
    awk '{print $14 + $15}' "/proc/$KPID/stat" >"$1.ticks"
}
metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }
sum_metric() { awk -v p="$2" 'index($1, p) == 1 { s += $2 } END { printf "%d", s }' "$1"; }

sleep 1
scrape "$TMP/m0"
echo "agent bench: every probe on, rules ${RULES:-on}, ${SECONDS_RUN}s of ${OPENS} opens/s + ${EXECS} execs/s + ${CONNS} TCP connections/s, $(nproc) CPUs"
"$BUILD/bench/mixed_storm" "$SECONDS_RUN" "$OPENS" "$EXECS" "$CONNS" 20300 >"$TMP/storm" &
SPID=$!
: >"$TMP/scrapes"
while kill -0 "$SPID" 2>/dev/null; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "127.0.0.1:$PORT/metrics" >>"$TMP/scrapes" || true
    sleep 1
done
wait "$SPID" || fail "mixed_storm failed: $(cat "$TMP/storm")"
sleep 1  # the last events reach the store
scrape "$TMP/m1"

storm=$(cat "$TMP/storm")
for kind in opens:$OPENS execs:$EXECS conns:$CONNS; do
    done_n=$(sed -n "s/.*${kind%%:*}=\([0-9]*\).*/\1/p" <<<"$storm")
    [ "${kind#*:}" -eq 0 ] || [ "${done_n:-0}" -gt 0 ] || fail "the storm made no ${kind%%:*}: $storm"
done
window=$(awk -v a="$(cat "$TMP/m0.time")" -v b="$(cat "$TMP/m1.time")" 'BEGIN { printf "%.2f", b - a }')
events=$(( $(sum_metric "$TMP/m1" 'kscope_events_total{') - $(sum_metric "$TMP/m0" 'kscope_events_total{') ))
stored=$(( $(metric "$TMP/m1" kscope_store_events_total) - $(metric "$TMP/m0" kscope_store_events_total) ))
dropped=$(( $(sum_metric "$TMP/m1" 'kscope_events_dropped_total{') - $(sum_metric "$TMP/m0" 'kscope_events_dropped_total{') ))
cpu_ms=$(( ($(cat "$TMP/m1.ticks") - $(cat "$TMP/m0.ticks")) * 1000 / ticks ))
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$KPID/status")
[ "$events" -gt 0 ] && [ "$stored" -gt 0 ] || fail "the agent decoded $events and stored $stored events during the storm"
bad=$(awk '$1 != 200' "$TMP/scrapes" | wc -l)
[ "$bad" -eq 0 ] || fail "$bad of $(wc -l <"$TMP/scrapes") scrapes during the storm did not answer 200"

echo "workload: $storm"
echo "window: ${window}s between two scrapes (the storm, then 1 s for the last events to be stored)"
echo "events: $events decoded, $stored stored ($(awk -v n="$stored" -v w="$window" 'BEGIN { printf "%.0f", n / w }') events/s into the store)," \
     "$dropped lost in all stages ($(awk -v d="$dropped" -v w="$window" 'BEGIN { printf "%.0f", d / w }')/s," \
     "$(awk -v d="$dropped" -v e="$events" 'BEGIN { printf "%.2f", d * 100 / (d + e) }')% of what the probes produced)"
echo "agent: cpu ${cpu_ms} ms ($(awk -v c="$cpu_ms" -v n="$events" 'BEGIN { printf "%.0f", n ? c * 100000 / n : 0 }') ms per 100k events), peak RSS $((hwm / 1024)) MiB"
sort -k2 -n "$TMP/scrapes" | awk '{ v[NR] = $2 * 1000 } END { printf "/metrics during the storm: %d scrapes, median %.1f ms, max %.1f ms\n", NR, v[int((NR + 1) / 2)], v[NR] }'
# Losses per probe and stage within the window.
awk 'FNR == NR { if ($1 ~ /^kscope_events_dropped_total/) before[$1] = $2; next }
     $1 ~ /^kscope_events_dropped_total/ && $2 - before[$1] > 0 { printf "    %s +%d\n", $1, $2 - before[$1] }' \
    "$TMP/m0" "$TMP/m1"
