#!/bin/bash
# What enforcement costs the workloads it watches: the agent with kill/deny rules in the
# kernel (exec by path and name, open for write below a directory, connect and bind
# ports; none of them matches the storms) against the agent with the same rules as plain
# alerts, alternating, RUNS times each: execs/s of an exec storm and connections/s of a
# loopback connect storm, medians, and the enforcement programs' ns per run from the
# kernel's BPF statistics (bpftool) while they ran.
# Usage: bench/enforce_bench.sh [BUILD_DIR] [RUNS] [EXECS] [CONNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
RUNS=${2:-3}
EXECS=${3:-10000}
CONNS=${4:-20000}
KSCOPE="$BUILD/kscope"
TMP=$(mktemp -d)
trap '[ -n "${APID:-}" ] && kill "$APID" 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=19498

rules() {  # $1: kill/deny, or alert
    local kill=$1 deny=$1
    [ "$1" = kill ] && deny=deny
    cat <<YAML
- rule: Bench exec
  desc: kill a program nobody runs
  condition: spawned_process and (proc.exepath in (/opt/bench/evil, /tmp/bench-evil) or proc.name = bench-evil)
  output: x
  priority: ERROR
  action: $kill
- rule: Bench write
  desc: kill writes below a directory nobody writes
  condition: open_write and fd.name startswith /opt/bench-protected/
  output: x
  priority: ERROR
  action: $kill
- rule: Bench connect
  desc: deny a port nobody uses
  condition: evt.type = connect and fd.sport in (1, 4444)
  output: x
  priority: ERROR
  action: $deny
- rule: Bench bind
  desc: deny a port nobody binds
  condition: evt.type = bind and fd.sport = 31337
  output: x
  priority: ERROR
  action: $deny
YAML
}

start_agent() {  # $1: kill or alert
    rules "$1" >"$TMP/rules.yaml"
    printf 'profiling: {enabled: false}\nrules: {files: [%s]}\n' "$TMP/rules.yaml" >"$TMP/agent.yaml"
    start_agent_with "$KSCOPE" "$TMP/agent.yaml" $PORT "$TMP/data" "$TMP/err"
    if [ "$1" = kill ]; then
        [ "$(grep -c 'in the kernel' "$TMP/err")" = 4 ] || { cat "$TMP/err" >&2; fail "not every rule went into the kernel"; }
    fi
    sleep 2  # past the start's own work (the process table from /proc, the first scrapes)
}
stop_agent() { kill -INT "$APID"; wait "$APID" 2>/dev/null || true; APID=; }

execs() {
    local out
    out=$("$BUILD/bench/exec_storm" "$EXECS" 2 enforce-bench) || fail "exec_storm failed"
    sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$out"
}
conns() {
    local out
    out=$("$BUILD/bench/tcp_storm" connect "$CONNS" 19497) || fail "tcp_storm failed"
    sed -n 's/.*conns_per_second=\([0-9]*\).*/\1/p' <<<"$out"
}
# ns per run of the enforcement programs that ran, from bpftool (BPF stats are on while
# the agent runs: it enables them).
prog_costs() {
    bpftool prog show 2>/dev/null | awk '
        / name ks_enforce_/ { for (i = 1; i <= NF; i++) if ($i == "name") name = $(i + 1); rt = ""; rc = "";
                              for (i = 1; i <= NF; i++) { if ($i == "run_time_ns") rt = $(i + 1); if ($i == "run_cnt") rc = $(i + 1) }
                              if (rc > 0) printf "    %s: %d runs, %.0f ns per run\n", name, rc, rt / rc }'
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
E_ON=() E_OFF=() C_ON=() C_OFF=()
echo "enforce bench: $EXECS execs, $CONNS connections, $RUNS runs each way, $(nproc) CPUs (alternating)"
for run in $(seq "$RUNS"); do
    order="kill alert"
    [ $((run % 2)) = 0 ] && order="alert kill"  # neither mode always goes first
    for mode in $order; do
        start_agent "$mode"
        e=$(execs)
        c=$(conns)
        [ "$mode" = kill ] && [ "$run" = "$RUNS" ] && costs=$(prog_costs)
        stop_agent
        echo "run $run, rules $( [ "$mode" = kill ] && echo 'in the kernel' || echo 'alert only'): ${e} execs/s, ${c} connections/s"
        if [ "$mode" = kill ]; then E_ON+=("$e"); C_ON+=("$c"); else E_OFF+=("$e"); C_OFF+=("$c"); fi
    done
done
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }'; }
me_on=$(median "${E_ON[@]}") me_off=$(median "${E_OFF[@]}") mc_on=$(median "${C_ON[@]}") mc_off=$(median "${C_OFF[@]}")
echo "median execs/s: enforcing $me_on, alert only $me_off ($(pct "$me_on" "$me_off")%)"
echo "median connections/s: enforcing $mc_on, alert only $mc_off ($(pct "$mc_on" "$mc_off")%)"
echo "enforcement programs (last enforcing run):"
echo "${costs:-    none ran}"
