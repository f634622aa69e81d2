#!/usr/bin/env bash
# Directory benchmarks (acceptance 5), loopback only, bounded in time (~2 minutes):
#   1. lookup: max throughput with wrk, then a paced run at ~5,000 req/s and its latency percentiles;
#   2. the all-organizations feed with 10,000 published numbers: served from the in-memory cache,
#      304 on revalidation (If-None-Match), throughput of both.
# Usage: deploy/bench/directory-lookup.sh [duration-seconds, default 30]
# Needs: dotnet, wrk, sqlite3, curl. Debian's wrk has no fixed-rate option (-R is wrk2): the paced run
# uses wrk's Lua delay() hook (each of C connections waits C/rate seconds between requests). That is
# close to open-loop while latency is far below the pacing interval, which is what the run shows;
# it does not correct for coordinated omission the way wrk2 does.
set -euo pipefail

DURATION="${1:-30}"
RATE=5000
CONNECTIONS=100
ORGS=100
PER_ORG=100
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORT="${DIRECTORY_BENCH_PORT:-$(( 20000 + RANDOM % 20000 ))}"
URL="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d /tmp/cp-directory-bench-XXXXXX)"
source "$ROOT/deploy/bench/lib.sh"
bench_require dotnet wrk sqlite3 curl

echo "== building Directory (Release)"
dotnet build "$ROOT/services/ConsentPlatform.Directory" -c Release -v quiet -nologo >/dev/null

echo "== starting Directory on $URL (data in $WORK)"
Database__DataFolder="$WORK/data" \
Hashing__Key="$(head -c 32 /dev/urandom | base64)" \
RateLimiting__PublicRequestsPerMinute=10000000 \
Directory__RefreshSeconds=1 \
Logging__LogLevel__Default=Warning \
ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$ROOT/services/ConsentPlatform.Directory/bin/Release/net10.0/ConsentPlatform.Directory.dll" --urls "$URL" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
BENCH_PIDS+=("$SERVICE_PID")
bench_wait_ready "$URL" "$SERVICE_PID" "$WORK/service.log" 100

echo "== seeding $ORGS organizations x $PER_ORG published numbers"
# Straight into the service's own tables (the API path would need 10,000 verification codes);
# the service picks the rows up on its next refresh (Directory:RefreshSeconds=1 here).
NOW_MS=$(( $(date +%s) * 1000 ))
TOTAL=$(( ORGS * PER_ORG ))
sqlite3 "$WORK/data/directory.db" <<SQL
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE o(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM o WHERE i < $ORGS - 1)
INSERT INTO organization_profiles (organization_id, revision, legal_name, address, contact_phone, contact_email, website_url, privacy_policy_url, changed_at, trade_names)
SELECT printf('org_bench%04d', i), 1, printf('ベンチマーク株式会社 %d', i), NULL, NULL, printf('privacy%d@bench.example', i),
       'https://bench.example', NULL, $NOW_MS, '["Bench"]' FROM o;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $TOTAL - 1)
INSERT INTO caller_numbers (id, organization_id, e164, number_type, department, purposes, hours_start, hours_end, valid_from, valid_until,
                            status, verified_at, published_at, withdrawn_at, created_at, updated_at)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), printf('org_bench%04d', i / $PER_ORG), printf('+8135%07d', 1000000 + i), 'fixed',
       '営業部', '["Seminar follow-up"]', '09:00', '18:00', NULL, NULL, 'published', $NOW_MS, $NOW_MS, NULL, $NOW_MS, $NOW_MS FROM n;
COMMIT;
SQL

for _ in $(seq 1 50); do
  curl -fs "$URL/api/public/directory/lookup?number=03-5100-0000" | grep -q '"registered":true' && break
  sleep 0.2
done
curl -fs "$URL/api/public/directory/lookup?number=03-5100-0000" | grep -q '"registered":true' || { echo "seeded numbers never became visible" >&2; exit 1; }

# Random registered and unregistered numbers, in the formats people type.
cat >"$WORK/lookup.lua" <<LUA
math.randomseed(os.time())
local formats = { "03-51%02d-%04d", "0351%02d%04d", "+81 3 51%02d %04d", "81351%02d%04d" }
request = function()
  local i = math.random(0, $TOTAL * 2 - 1)   -- half of them are not registered
  local f = formats[math.random(1, #formats)]
  local number = string.format(f, math.floor(i / 10000), i % 10000)
  return wrk.format("GET", "/api/public/directory/lookup?number=" .. number:gsub(" ", "%%20"):gsub("%+", "%%2B"))
end
LUA
cp "$WORK/lookup.lua" "$WORK/paced.lua"
cat >>"$WORK/paced.lua" <<LUA
-- each connection waits connections/rate seconds between requests: ~$RATE req/s in total
delay = function() return math.floor($CONNECTIONS * 1000 / $RATE) end
LUA

# The same mix as a URL list for the open-loop generator (fixed rate, latency from the scheduled start).
python3 - "$TOTAL" >"$WORK/urls.txt" <<'PY'
import random, sys
total = int(sys.argv[1]); random.seed(7)
formats = ["03-51{:02d}-{:04d}", "0351{:02d}{:04d}", "%2B81%203%2051{:02d}%20{:04d}", "81351{:02d}{:04d}"]
for _ in range(20000):
    i = random.randrange(total * 2)
    print("URL/api/public/directory/lookup?number=" + random.choice(formats).format(i // 10000, i % 10000))
PY
sed -i "s|^URL|$URL|" "$WORK/urls.txt"

echo
echo "== lookup, max throughput: wrk -t2 -c64 -d${DURATION}s"
wrk -t2 -c64 -d"${DURATION}s" --latency -s "$WORK/lookup.lua" "$URL" | sed -n '/Thread Stats/,$p'

echo
echo "== lookup, paced at ~${RATE} req/s: wrk -t2 -c${CONNECTIONS} -d${DURATION}s (Lua delay)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/paced.lua" "$URL" | sed -n '/Thread Stats/,$p'

echo
echo "== lookup, open loop at ${RATE} req/s (tests/ConsentPlatform.Benchmarks http-load, no coordinated omission)"
dotnet build "$ROOT/tests/ConsentPlatform.Benchmarks" -c Release -v quiet -nologo >/dev/null
dotnet run -c Release --no-build --project "$ROOT/tests/ConsentPlatform.Benchmarks" -- http-load \
  --urls-file "$WORK/urls.txt" --rate "$RATE" --seconds "$DURATION" --warmup 5 --connections 64

echo
echo "== all-organizations feeds ($TOTAL numbers)"
for format in vcf csv json; do
  headers="$WORK/feed.$format.headers"
  first=$(curl -s -o "$WORK/feed.$format" -D "$headers" -w '%{http_code} %{size_download} bytes %{time_total}s' "$URL/api/public/directory/feed.$format")
  etag=$(grep -i '^etag:' "$headers" | cut -d' ' -f2- | tr -d '\r')
  again=$(curl -s -o /dev/null -w '%{http_code} %{size_download} bytes %{time_total}s' "$URL/api/public/directory/feed.$format")
  revalidated=$(curl -s -o /dev/null -w '%{http_code} %{size_download} bytes %{time_total}s' -H "If-None-Match: $etag" "$URL/api/public/directory/feed.$format")
  echo "feed.$format  first: $first | cached: $again | If-None-Match: $revalidated  (ETag $etag)"
done
grep -ci '^TEL;' "$WORK/feed.vcf" | sed 's/^/vCard TEL lines: /'
grep -c '^BEGIN:VCARD' "$WORK/feed.vcf" | sed 's/^/vCard cards: /'

echo
echo "== feed.json from cache, 200s: wrk -t2 -c16 -d10s"
wrk -t2 -c16 -d10s --latency "$URL/api/public/directory/feed.json" | sed -n '/Thread Stats/,$p'
ETAG=$(grep -i '^etag:' "$WORK/feed.json.headers" | cut -d' ' -f2- | tr -d '\r')
echo
echo "== feed.json revalidation, 304s: wrk -t2 -c64 -d10s -H 'If-None-Match: $ETAG'"
wrk -t2 -c64 -d10s --latency -H "If-None-Match: $ETAG" "$URL/api/public/directory/feed.json" | sed -n '/Thread Stats/,$p'
