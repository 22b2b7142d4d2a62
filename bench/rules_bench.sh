#!/bin/bash
# What the detection rules cost: the engine alone on one core (rules_engine_bench), then
# the agent under the mixed storm with its rules on and off, alternating, RUNS times
# each; prints the agent's CPU per 100k events for each run and the medians.
# Usage: bench/rules_bench.sh [BUILD_DIR] [RUNS] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
RUNS=${2:-3}
SECS=${3:-15}
cd "$(dirname "$0")/.."
"$BUILD/bench/rules_engine_bench" 2000000
on=() off=()
for i in $(seq "$RUNS"); do
    for mode in on off; do
        out=$(RULES=$mode bench/agent_bench.sh "$BUILD" "$SECS")
        ms=$(sed -n 's/.*(\([0-9]*\) ms per 100k events).*/\1/p' <<<"$out")
        [ -n "$ms" ] || fail "no CPU figure in the agent bench's output: $out"
        echo "run $i, rules $mode: $ms ms CPU per 100k events"
        if [ "$mode" = on ]; then on+=("$ms"); else off+=("$ms"); fi
    done
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_on=$(median "${on[@]}") m_off=$(median "${off[@]}")
echo "agent CPU per 100k events, median of $RUNS: rules on $m_on ms, rules off $m_off ms" \
     "($(awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }')%)"
