#!/usr/bin/env bash
# Consent permission check over HTTP (acceptance 4: p99 ≤ 10 ms at 5k req/s), loopback only,
# bounded in time (~1.5 minutes plus seeding):
#   1. seeds the Consent database with SEED suppression entries and SEED consents (keyed-hash rows,
#      loaded into the gate's in-memory index at start-up);
#   2. max throughput with wrk, then a paced run at ~5,000 req/s and its latency percentiles.
# Usage: deploy/bench/consent-check.sh [--db postgres [--replicas N]] [duration-seconds, default 30] [seed rows, default 1000000]
#   --db postgres   the Consent database on a private PostgreSQL 15 cluster (durable defaults: fsync on),
#                   started in the scratch folder and stopped at the end; --replicas N runs N Consent
#                   processes on it, and the paced run sends its requests to them round-robin
#                   (wrk's maximum throughput is then that of the first replica alone).
# Needs: dotnet, wrk, sqlite3 (or PostgreSQL 15's binaries), curl. Debian's wrk has no fixed-rate option (-R is wrk2): the paced run
# uses the benchmark exe's open-loop generator (`http-load`, tests/ConsentPlatform.Benchmarks/Http/PacedLoad.cs),
# which measures from each request's scheduled start (no coordinated omission). Every check is also
# audited (queued, written in batches).
set -euo pipefail

DB=sqlite
REPLICAS=1
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --db) DB="${2:-}"; shift 2 ;;
    --replicas) REPLICAS="${2:-}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$DB" == sqlite || "$DB" == postgres ]] || { echo "--db takes sqlite or postgres" >&2; exit 2; }
[[ "$REPLICAS" =~ ^[1-9]$ ]] || { echo "--replicas takes 1-9" >&2; exit 2; }
[[ "$DB" == postgres || "$REPLICAS" == 1 ]] || { echo "--replicas needs --db postgres (SQLite has one writer per file)" >&2; exit 2; }
DURATION="${1:-30}"
SEED="${2:-1000000}"
RATE=5000
CONNECTIONS=100
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORT="${CONSENT_BENCH_PORT:-$(( 20000 + RANDOM % 20000 ))}"
URL="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d /tmp/cp-consent-bench-XXXXXX)"
source "$ROOT/deploy/bench/lib.sh"
bench_require dotnet wrk curl
PG_BIN="${CP_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ "$DB" == postgres ]]; then
  [[ -x "$PG_BIN/initdb" ]] || { echo "PostgreSQL 15 is not installed ($PG_BIN/initdb): apt-get install postgresql" >&2; exit 1; }
else
  bench_require sqlite3
fi

echo "== building Consent and the host's key commands (Release)"
dotnet build "$ROOT/services/ConsentPlatform.Consent" -c Release -v quiet -nologo >/dev/null
dotnet build "$ROOT/services/ConsentPlatform.Host" -c Release -v quiet -nologo >/dev/null
dotnet build "$ROOT/tests/ConsentPlatform.Benchmarks" -c Release -v quiet -nologo >/dev/null
BENCH_DLL="$ROOT/tests/ConsentPlatform.Benchmarks/bin/Release/net10.0/ConsentPlatform.Benchmarks.dll"

mkdir -p "$WORK/data"
export Database__DataFolder="$WORK/data"
export Hashing__Key="$(head -c 32 /dev/urandom | base64)"
pg_as() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ "$DB" == postgres ]]; then
  PG_PORT=$(( PORT + 1000 ))
  PG_DIR="$WORK/postgres"; mkdir -p "$PG_DIR"
  [[ $EUID -eq 0 ]] && chmod 755 "$WORK" && chown postgres "$PG_DIR"
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$WORK/initdb.log" 2>&1
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  stop_postgres() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; bench_cleanup; }
  trap stop_postgres EXIT
  for name in identity consent; do pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE cp_$name" >/dev/null; done
  export Database__Provider=PostgreSql
  export ConnectionStrings__Identity="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cp_identity"
  export ConnectionStrings__Consent="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cp_consent"
  psql_consent() { pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d cp_consent -v ON_ERROR_STOP=1 -qtA "$@"; }
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, $REPLICAS Consent replica(s)"
fi
HOST_DLL="$ROOT/services/ConsentPlatform.Host/bin/Release/net10.0/ConsentPlatform.Host.dll"
ORG=$(dotnet "$HOST_DLL" org create --name "Bench K.K." | tail -1)
KEY=$(dotnet "$HOST_DLL" key create --org "$ORG" --scopes consent --name bench | tail -1)

start_service() { # [url, default $URL]
  local url="${1:-$URL}"
  RateLimiting__PublicRequestsPerMinute=10000000 \
  Logging__LogLevel__Default=Warning \
  ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$ROOT/services/ConsentPlatform.Consent/bin/Release/net10.0/ConsentPlatform.Consent.dll" --urls "$url" >>"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  BENCH_PIDS+=("$SERVICE_PID")
  bench_wait_ready "$url" "$SERVICE_PID" "$WORK/service.log" 600
}

echo "== starting Consent once to create its database"
start_service
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true

echo "== seeding $SEED suppression entries and $SEED consents"
# Hashes are random (hex is valid base64url), so the index has its full size; the checked numbers
# below mostly miss it and every rule is evaluated.
NOW_MS=$(( $(date +%s) * 1000 ))
if [[ "$DB" == postgres ]]; then
psql_consent <<SQL
BEGIN;
INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, created_at)
SELECT gen_random_uuid()::text, 'bench:' || upper(md5(random()::text) || md5(random()::text)), CASE WHEN i % 2 = 0 THEN '$ORG' END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'sms' END, NULL, 'opted_out', 'bench', $NOW_MS FROM generate_series(0, $SEED - 1) AS i;
INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, contact_hash, phone_hash,
                            method, recorded_at, expires_at, source_event)
SELECT gen_random_uuid()::text, 'rcpt_bench', 'sub_bench', '$ORG', 'ev_bench', 'granted', 'sms', 'seminar', h, h, 'import', $NOW_MS, $NOW_MS + 31536000000, 'Bench Seminar'
FROM (SELECT 'bench:' || upper(md5(random()::text) || md5(random()::text)) AS h FROM generate_series(0, $SEED - 1)) AS rows;
COMMIT;
ANALYZE;
SQL
else
sqlite3 -cmd ".timeout 10000" "$WORK/data/consent.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $SEED - 1)
INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, created_at)
SELECT lower(hex(randomblob(16))), 'bench:' || hex(randomblob(32)), CASE WHEN i % 2 = 0 THEN '$ORG' END, CASE WHEN i % 3 = 0 THEN NULL ELSE 'sms' END,
       NULL, 'opted_out', 'bench', $NOW_MS FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $SEED - 1)
INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, contact_hash, phone_hash,
                            method, recorded_at, expires_at, source_event)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'rcpt_bench', 'sub_bench', '$ORG', 'ev_bench', 'granted', 'sms', 'seminar',
       h, h, 'import', $NOW_MS, $NOW_MS + 31536000000, 'Bench Seminar'
FROM (SELECT i, 'bench:' || hex(randomblob(32)) AS h FROM n);
COMMIT;
SQL

fi

echo "== starting Consent (loads the index)"
start_service
TARGETS=(--url "$URL/api/consent/checks")
for r in $(seq 2 "$REPLICAS"); do
  replica_url="http://127.0.0.1:$(( PORT + r - 1 ))"
  start_service "$replica_url"
  TARGETS+=(--url "$replica_url/api/consent/checks")
done
grep -h "Gate index loaded" "$WORK/service.log" || true

cat >"$WORK/check.lua" <<LUA
math.randomseed(os.time())
local formats = { "090-%04d-%04d", "090%04d%04d", "+81 90 %04d %04d" }
local channels = { "sms", "call", "email" }
request = function()
  local number = string.format(formats[math.random(1, #formats)], math.random(0, 9999), math.random(0, 9999))
  local body = '{"phoneNumber":"' .. number .. '","channel":"' .. channels[math.random(1, 3)] .. '","purpose":"seminar"}'
  return wrk.format("POST", "/api/consent/checks", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $KEY" }, body)
end
LUA
# The same mix for the paced run: 10,000 bodies in three typed formats and three channels.
awk 'BEGIN { srand(7);
  fm[1] = "090-%04d-%04d"; fm[2] = "090%04d%04d"; fm[3] = "+81 90 %04d %04d"; split("sms call email", c, " ");
  for (i = 0; i < 10000; i++) printf "{\"phoneNumber\":\"" fm[int(rand() * 3) + 1] "\",\"channel\":\"%s\",\"purpose\":\"seminar\"}\n",
    int(rand() * 10000), int(rand() * 10000), c[int(rand() * 3) + 1] }' >"$WORK/bodies.jsonl"

curl -fs -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
  -d '{"phoneNumber":"090-1234-5678","channel":"sms","purpose":"seminar"}' "$URL/api/consent/checks" | head -c 300; echo

echo
echo "== check, max throughput: wrk -t2 -c64 -d${DURATION}s"
wrk -t2 -c64 -d"${DURATION}s" --latency -s "$WORK/check.lua" "$URL" | sed -n '/Thread Stats/,$p'

# wrk's checks left audit rows queued (they are written behind the answers); the paced run measures 5k req/s
# with its own audit writing, not with the catch-up of wrk's overload, so wait until the count stands still.
audit_rows() {
  if [[ "$DB" == postgres ]]; then psql_consent -c 'SELECT COUNT(*) FROM check_audit'
  else sqlite3 -cmd ".timeout 10000" "$WORK/data/consent.db" 'SELECT COUNT(*) FROM check_audit'; fi
}
waited=0; last=-1; rows=$(audit_rows)
while [[ "$rows" != "$last" && $waited -lt 180 ]]; do sleep 2; waited=$(( waited + 2 )); last=$rows; rows=$(audit_rows); done
echo
echo "== audit caught up with wrk's checks after ${waited} s ($rows rows)"

echo
echo "== check, open loop at ${RATE} req/s for ${DURATION}s (http-load, ${CONNECTIONS} connections, round-robin over $REPLICAS replica(s))"
dotnet "$BENCH_DLL" http-load "${TARGETS[@]}" --bodies-file "$WORK/bodies.jsonl" --rate "$RATE" --seconds "$DURATION" --warmup 5 \
  --connections "$CONNECTIONS" --header "Authorization: Bearer $KEY"

sleep 2
echo
echo "== audit rows written: $(audit_rows)"
echo "== service memory (VmHWM/VmRSS): $(grep -E 'VmHWM|VmRSS' /proc/$SERVICE_PID/status | tr -s ' ' | tr '\n' ' ')"
