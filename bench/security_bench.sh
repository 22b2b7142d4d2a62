#!/bin/bash
# The security probes' costs. A fork storm untraced and under `kscope namespaces` (clone
# is on every fork's path; the probe only looks at its flags), and a storm of no-op
# setresuid calls untraced and under `kscope privilege --json` writing to a file (one
# event per call): ns per iteration, events delivered vs generated, kscope's CPU time and
# peak RSS. Fails when a storm did not run or kscope saw none of it.
# Usage: bench/security_bench.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${2:-200000}
STORM="$BUILD/bench/security_storm"
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap 'kill_measured; rm -rf "$TMP"' EXIT

# ns per iteration of `security_storm MODE COUNT`; fails unless it ran every iteration.
storm() {
    local out
    out=$("$STORM" "$1" "$2") || fail "security_storm $1 failed"
    [ "$(sed -n 's/.*iterations=\([0-9]*\).*/\1/p' <<<"$out")" = "$2" ] || fail "security_storm $1: $out"
    sed -n 's/.*ns_per_iteration=\([0-9]*\).*/\1/p' <<<"$out"
}

ratio() { awk -v t="$1" -v b="$2" 'BEGIN { printf "%.2fx", t / b }'; }

FORKS=$((N / 20))
echo "security probes: $(nproc) CPUs"
BASE=$(storm fork "$FORKS")
start_measured "$TMP/ns" "$TMP/err" "$KSCOPE" namespaces --json --stats
T=$(storm fork "$FORKS")
stop_measured
[ "$(grep -c '"syscall": *"clone' "$TMP/ns" || true)" -eq 0 ] || fail "kscope namespaces reported a plain fork"
AFTER=$(storm fork "$FORKS")
echo "fork storm ($FORKS forks): untraced ${BASE} ns (again after: ${AFTER} ns), kscope namespaces ${T} ns" \
     "($(ratio "$T" "$BASE")), kscope cpu ${CPU_MS} ms"

BASE=$(storm setuid "$N")
start_measured "$TMP/priv" "$TMP/err" "$KSCOPE" privilege --json -c security_storm --stats
T=$(storm setuid "$N")
stop_measured
GOT=$(grep -c '"setresuid"' "$TMP/priv" || true)
[ "$GOT" -gt 0 ] || fail "kscope privilege saw none of the $N setresuid calls"
echo "setresuid storm ($N calls): untraced ${BASE} ns, kscope privilege --json ${T} ns ($(ratio "$T" "$BASE")," \
     "+$((T - BASE)) ns per call), events $GOT/$N, kscope cpu ${CPU_MS} ms, peak RSS ${RSS_MIB} MiB"
grep lost "$TMP/err" | sed 's/^/    /' || true
