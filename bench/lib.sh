# Shared by the bench scripts (sourced).

# Stops the bench with a message and a non-zero exit: for a workload that did not do what
# the bench says it measures (no events, a server that does not answer), whose figures
# would mean nothing.
fail() {
    echo "bench: FAILED: $*" >&2
    exit 1
}

# Waits until the kscope with this pid prints its "tracing" line into errfile; exits the
# script with kscope's messages if it dies first (a refused program, missing privileges).
wait_tracing() {
    local pid=$1 errfile=$2
    until grep -q tracing "$errfile" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "bench: kscope did not start:" >&2
            cat "$errfile" >&2
            exit 1
        fi
        sleep 0.01
    done
}

# Runs `kscope ARGS...` in the background under GNU time, so that its CPU time and peak
# RSS are read once it has drained and exited (read from /proc before the end, they
# would leave out the final drain). stdout goes to OUTFILE, stderr to ERRFILE. Sets KPID
# (kscope) and TIME_PID; RUSAGE_FILE is where time writes.
# Usage: start_measured OUTFILE ERRFILE KSCOPE ARGS...
start_measured() {
    local out=$1 err=$2
    shift 2
    RUSAGE_FILE=$(mktemp)
    rm -f "$err"
    /usr/bin/time -f '%U %S %M' -o "$RUSAGE_FILE" "$@" >"$out" 2>"$err" &
    TIME_PID=$!
    KPID=
    local deadline=$((SECONDS + 10))
    until KPID=$(pgrep -P "$TIME_PID"); do  # kscope is time's only child
        kill -0 "$TIME_PID" 2>/dev/null || { cat "$err" >&2; fail "kscope did not start"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "kscope did not start within 10 s"
        sleep 0.01
    done
    wait_tracing "$KPID" "$err"
}

# SIGINT to the kscope started by start_measured, waits until it has drained and exited
# (60 s at most); sets CPU_MS (user + system) and RSS_MIB (peak). Fails when kscope exits
# non-zero or not at all.
stop_measured() {
    kill -INT "$KPID"
    local deadline=$((SECONDS + 60))
    while kill -0 "$KPID" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            kill -KILL "$KPID" 2>/dev/null
            fail "kscope did not exit within 60 s of SIGINT"
        fi
        sleep 0.05
    done
    local rc=0
    wait "$TIME_PID" || rc=$?
    KPID=
    TIME_PID=
    [ "$rc" -eq 0 ] || fail "kscope exited with status $rc"
    # On a non-zero exit time writes a line of its own first: the figures are the last line.
    read -r user sys maxrss < <(tail -n 1 "$RUSAGE_FILE")
    rm -f "$RUSAGE_FILE"
    CPU_MS=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
    RSS_MIB=$((maxrss / 1024))
}

# For a trap on EXIT: ends a kscope that start_measured left running.
kill_measured() {
    [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
    [ -n "${TIME_PID:-}" ] && wait "$TIME_PID" 2>/dev/null
    [ -n "${RUSAGE_FILE:-}" ] && rm -f "$RUSAGE_FILE"
    return 0
}

# Starts `KSCOPE agent --config CONFIG --listen 127.0.0.1:PORT --data-dir DIR` in the
# background (stderr into ERRFILE; DIR emptied first) and waits for its "agent running"
# line; sets APID. Exits the script with the agent's messages if it dies or takes 30 s.
# Usage: start_agent_with KSCOPE CONFIG PORT DIR ERRFILE
start_agent_with() {
    local kscope=$1 config=$2 port=$3 dir=$4 err=$5
    rm -rf "$dir"
    "$kscope" agent --config "$config" --listen "127.0.0.1:$port" --data-dir "$dir" 2>"$err" &
    APID=$!
    local deadline=$((SECONDS + 30))
    until grep -q "agent running" "$err" 2>/dev/null; do
        kill -0 "$APID" 2>/dev/null || { cat "$err" >&2; fail "the agent did not start"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "the agent did not start within 30 s"
        sleep 0.05
    done
}
