#!/bin/bash
# Does the agent stay flat over time? Every probe on (open included) with the default rules,
# under the mixed storm at its rated load, for MINUTES: RSS, open fds, threads and the store's
# size sampled every 10 s, the slope of each (least squares, per minute) and the events lost
# over the whole run (every stage of kscope_events_dropped_total). Fails when the agent dies.
# Usage: bench/soak.sh [MINUTES] [BUILD_DIR] [OPENS/s] [EXECS/s] [CONNS/s]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MINUTES=${1:-10}
BUILD=${2:-build}
OPENS=${3:-20000}
EXECS=${4:-200}
CONNS=${5:-500}
TMP=$(mktemp -d)
PORT=19497
# The script's own status survives the clean-up (a kill of what already ended fails).
trap 'rc=$?; [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; [ -n "${APID:-}" ] && kill "$APID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; exit $rc' EXIT
[ -x "$BUILD/bench/mixed_storm" ] || fail "$BUILD/bench/mixed_storm is missing (make build)"
cat >"$TMP/agent.yaml" <<YAML
probes:
  open: {enabled: true}
store: {max_size: 256MiB, max_age: 1h}
YAML
start_agent_with "$BUILD/kscope" "$TMP/agent.yaml" "$PORT" "$TMP/data" "$TMP/err"
lost() { curl -sf "127.0.0.1:$PORT/metrics" | awk '/^kscope_events_dropped_total/ { s += $2 } END { printf "%d", s }'; }
lost0=$(lost)
SECS=$((MINUTES * 60))
"$BUILD/bench/mixed_storm" "$SECS" "$OPENS" "$EXECS" "$CONNS" 20330 >"$TMP/storm" &
SPID=$!
echo "soak: ${MINUTES} min of ${OPENS} opens/s + ${EXECS} execs/s + ${CONNS} connections/s, every probe on, default rules"
echo "minute rss_mib fds threads store_mib"
: >"$TMP/samples"
start=$SECONDS
while kill -0 "$SPID" 2>/dev/null; do
    kill -0 "$APID" 2>/dev/null || { cat "$TMP/err" >&2; fail "the agent died"; }
    rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$APID/status")
    fds=$(ls "/proc/$APID/fd" | wc -l)
    threads=$(awk '/^Threads/ { print $2 }' "/proc/$APID/status")
    store=$(du -sm "$TMP/data" | awk '{ print $1 }')
    minute=$(awk -v s=$((SECONDS - start)) 'BEGIN { printf "%.2f", s / 60 }')
    echo "$minute $rss $fds $threads $store" | tee -a "$TMP/samples"
    sleep 10
done
wait "$SPID" || fail "mixed_storm failed: $(cat "$TMP/storm")"
sleep 2
lost1=$(lost)
# Least-squares slope of column c against minutes, over the second half (the first fills
# caches and the store's retention has not started).
slope() {
    awk -v c="$1" 'NR > 0 { n++; x[n] = $1; y[n] = $c }
        END { h = int(n / 2); for (i = h + 1; i <= n; i++) { m++; sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i] }
              d = m * sxx - sx * sx; printf "%.3f", d ? (m * sxy - sx * sy) / d : 0 }' "$TMP/samples"
}
echo "storm: $(cat "$TMP/storm")"
echo "slopes per minute over the second half: RSS $(slope 2) MiB, fds $(slope 3), threads $(slope 4), store $(slope 5) MiB"
echo "events lost over the run: $((lost1 - lost0))"
