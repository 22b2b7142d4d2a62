#!/bin/bash
# The web dashboard's first load and its cost to the agent (bench/dashboard_bench.mjs, in
# Debian's Chromium through playwright-core from web/node_modules).
# Usage: bench/dashboard_bench.sh [BUILD_DIR] [LOADS] [ROUNDS] [WINDOW_S] [OPENS/s] [EXECS/s] [CONNS/s]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUILD=$(realpath "${1:-build}")
ROOT=$(realpath "$(dirname "$0")/..")
[ -x "$BUILD/bench/mixed_storm" ] || fail "$BUILD/bench/mixed_storm is missing (make build)"
[ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium (scripts/bootstrap installs it)"
KSCOPE_BIN="$BUILD/kscope" MIXED_STORM="$BUILD/bench/mixed_storm" KSCOPE_WEB_MODULES="$ROOT/web/node_modules" \
    KSCOPE_WEB_ARTIFACTS="$BUILD/bench-artifacts" \
    node "$ROOT/bench/dashboard_bench.mjs" "${2:-5}" "${3:-5}" "${4:-10}" "${5:-40000}" "${6:-1000}" "${7:-2000}"
