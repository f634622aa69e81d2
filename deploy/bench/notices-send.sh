#!/usr/bin/env bash
# Notices benchmarks (issue 5, acceptance 6), loopback only, bounded (~3 minutes with the defaults):
#   1. gate decisions in process (BenchmarkDotNet, in-process toolchain) against a replica of 1M
#      suppressed and 1M consented contacts; target >= 500k decisions/s on one core;
#   2. the `notices-send` harness: the Notices module in process against a fake Twilio on loopback,
#      notices offered over the HTTP API at the sending rate S = R·1000/(1000+J), at the ceiling R
#      (Sms:RatePerSecond) and above it; prints offered/sent rate
#      and backlog per second, the backlog's last-third slope, the busiest sliding one-second window
#      at the provider, a PASS/FAIL verdict (exit code), and the most one instance sustains.
# Usage: deploy/bench/notices-send.sh [rate, default 20] [seconds per run, default 20]
# Extra harness flags go in NOTICES_BENCH_ARGS (e.g. "--throttle 0.3 --jitter-ms 10 --concurrency 8 --skip-over --skip-max").
# Needs: dotnet. Run on a quiet machine: both parts are CPU- and fsync-bound.
set -euo pipefail

RATE="${1:-20}"
SECONDS_PER_RUN="${2:-20}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PROJECT="$ROOT/tests/ConsentPlatform.Benchmarks"

dotnet build -c Release "$PROJECT" -nologo -v quiet
echo "== gate decisions (BenchmarkDotNet) =="
dotnet run -c Release --no-build --project "$PROJECT" -- --filter '*Benchmarks.Notices.GateBenchmarks*'
echo "== notices through the fake Twilio =="
# shellcheck disable=SC2086
timeout 900 dotnet run -c Release --no-build --project "$PROJECT" -- notices-send --rate "$RATE" --seconds "$SECONDS_PER_RUN" ${NOTICES_BENCH_ARGS:-}
