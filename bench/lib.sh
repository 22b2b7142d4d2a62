# Shared by the bench scripts (sourced).

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
