#!/usr/bin/env bash
# Responses short-link benchmark (issue 6, acceptance 5), loopback only, bounded (~1 minute):
#   1. max throughput with wrk: GET /r/{code} of the Responses service vs a bare Kestrel endpoint
#      (tests/ConsentPlatform.Benchmarks/Responses/BareKestrel.cs) on the same machine; prints the ratio
#      (target >= 70%);
#   2. latency at a fixed 5,000 req/s with the shared open-loop generator (benchmark exe `http-load`,
#      tests/ConsentPlatform.Benchmarks/Http/PacedLoad.cs; Debian's wrk has no fixed-rate mode);
#      prints p50/p99 (target p99 <= 5 ms).
# Usage: deploy/bench/responses-shortlink.sh [wrk-seconds, default 10] [paced-seconds, default 10]
# Needs: dotnet, wrk, sqlite3, curl. Both servers run in Production mode with logging at Warning.
# Requests carry a phone browser's User-Agent: without one the service answers with the preview page.
set -euo pipefail

WRK_SECONDS="${1:-10}"
PACED_SECONDS="${2:-10}"
RATE="${RESPONSES_BENCH_RATE:-5000}"
CONNECTIONS="${RESPONSES_BENCH_CONNECTIONS:-64}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SERVICE_PORT="$(( 20000 + RANDOM % 20000 ))"
BARE_PORT="$(( SERVICE_PORT + 1 ))"
SERVICE_URL="http://127.0.0.1:${SERVICE_PORT}"
BARE_URL="http://127.0.0.1:${BARE_PORT}"
WORK="$(mktemp -d /tmp/cp-responses-bench-XXXXXX)"
UA="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
CODE="benchAbc123"
ENCODING="gzip, deflate, br"
BENCH_DLL="$ROOT/tests/ConsentPlatform.Benchmarks/bin/Release/net10.0/ConsentPlatform.Benchmarks.dll"
SERVICE_DLL="$ROOT/services/ConsentPlatform.Responses/bin/Release/net10.0/ConsentPlatform.Responses.dll"

source "$ROOT/deploy/bench/lib.sh"
bench_require dotnet wrk sqlite3 curl

echo "== building Responses and the benchmark helpers (Release)"
dotnet build "$ROOT/services/ConsentPlatform.Responses" -c Release -v quiet -nologo >/dev/null
dotnet build "$ROOT/tests/ConsentPlatform.Benchmarks" -c Release -v quiet -nologo >/dev/null

echo "== starting Responses on $SERVICE_URL and the bare Kestrel baseline on $BARE_URL"
Database__DataFolder="$WORK/data" \
Hashing__Key="$(head -c 32 /dev/urandom | base64)" \
RateLimiting__PublicRequestsPerMinute=10000000 \
Logging__LogLevel__Default=Warning \
ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$SERVICE_DLL" --urls "$SERVICE_URL" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
BENCH_PIDS+=("$SERVICE_PID")
# The benchmark exe's RESPONSES_BENCH mode (see tests/ConsentPlatform.Benchmarks/Responses/ResponsesBenchEntry.cs).
RESPONSES_BENCH=bare ASPNETCORE_URLS="$BARE_URL" ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$BENCH_DLL" --list flat >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
BENCH_PIDS+=("$BARE_PID")
bench_wait_ready "$SERVICE_URL" "$SERVICE_PID" "$WORK/service.log"
bench_wait_ready "$BARE_URL" "$BARE_PID" "$WORK/bare.log"

echo "== seeding one short link (the row the ResponseLinkIssued consumer writes) and its organization profile"
NOW_MS=$(( $(date +%s) * 1000 ))
sqlite3 "$WORK/data/responses.db" <<SQL
PRAGMA busy_timeout = 10000;
INSERT INTO organization_profiles (organization_id, revision, legal_name, address, contact_phone, contact_email, website_url, privacy_policy_url, changed_at)
VALUES ('org_bench', 1, 'ベンチマーク株式会社', NULL, '+81312345678', 'privacy@bench.example', 'https://bench.example', NULL, $NOW_MS);
INSERT INTO consent_provenance (consent_id, contact_hash, organization_id, channel, purpose, source_event, recorded_at)
VALUES ('00000000-0000-4000-8000-000000000001', 'k1:bench', 'org_bench', 'call', 'sales', 'SaaS Expo Tokyo 2024', $NOW_MS);
INSERT INTO response_links (code, notice_id, organization_id, masked_number, contact_hash, topic, caller_name, issued_at)
VALUES ('$CODE', '00000000-0000-4000-8000-000000000002', 'org_bench', '090-****-5678', 'k1:bench', '新プランのご案内', '山田', $NOW_MS);
SQL
curl -fs -A "$UA" "$SERVICE_URL/r/$CODE" | grep -q 'id="stop"' || { echo "the seeded link does not render the form" >&2; exit 1; }

run_wrk() { # label url [accept-encoding]
  echo "-- wrk $1: $2 (-t2 -c$CONNECTIONS -d${WRK_SECONDS}s, 3 s warm-up first)" >&2
  local encoding=(); [[ -n "${3:-}" ]] && encoding=(-H "Accept-Encoding: $3")
  wrk -t2 -c"$CONNECTIONS" -d3s -H "User-Agent: $UA" "${encoding[@]}" "$2" >/dev/null
  local out; out="$(wrk -t2 -c"$CONNECTIONS" -d"${WRK_SECONDS}s" --latency -H "User-Agent: $UA" "${encoding[@]}" "$2")"
  echo "$out" >&2
  echo "$out" | awk '/Requests\/sec:/ { print $2 }'
}

echo "== 1. throughput"
BARE_RPS="$(run_wrk "bare Kestrel" "$BARE_URL/bench/bare")"
# A phone's browser always sends Accept-Encoding, and the service keeps each page pre-compressed;
# the uncompressed figure (a client that asks for no compression) is shown too.
LINK_RPS="$(run_wrk "short link, as a phone browser asks (Accept-Encoding: $ENCODING)" "$SERVICE_URL/r/$CODE" "$ENCODING")"
PLAIN_RPS="$(run_wrk "short link, uncompressed" "$SERVICE_URL/r/$CODE")"
RATIO="$(awk -v a="$LINK_RPS" -v b="$BARE_RPS" 'BEGIN { printf "%.1f", 100 * a / b }')"
PLAIN_RATIO="$(awk -v a="$PLAIN_RPS" -v b="$BARE_RPS" 'BEGIN { printf "%.1f", 100 * a / b }')"
echo "RESULT bare_rps=$BARE_RPS shortlink_rps=$LINK_RPS ratio=${RATIO}% (target >= 70%); uncompressed_rps=$PLAIN_RPS ratio=${PLAIN_RATIO}%"

echo "== 2. latency at $RATE req/s"
dotnet "$BENCH_DLL" http-load --url "$SERVICE_URL/r/$CODE" --rate "$RATE" --seconds "$PACED_SECONDS" --warmup 3 \
  --connections "$CONNECTIONS" --header "User-Agent: $UA" --header "Accept-Encoding: $ENCODING"
echo "(target p99 <= 5 ms; the generator, both servers and wrk share this machine's cores)"
