#!/bin/bash
# Every benchmark scenario, one after another. Usage: bench/run_all.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
bench/exec_bench.sh "$BUILD"
bench/open_bench.sh "$BUILD"
bench/filechange_bench.sh "$BUILD"
bench/tcp_bench.sh "$BUILD"
bench/dns_bench.sh "$BUILD"
bench/agent_bench.sh "$BUILD"
bench/sched_bench.sh "$BUILD"
bench/rules_bench.sh "$BUILD"
bench/security_bench.sh "$BUILD"
bench/dashboard_bench.sh "$BUILD"
