#!/usr/bin/env bash
# Runs ConsentPlatform in distributed mode on one machine: a private RabbitMQ node from
# Debian's rabbitmq-server (no Docker needed) and the four services as separate processes
# with SQLite files in a shared data folder, or on a private PostgreSQL cluster from Debian's
# postgresql package. Ctrl-C stops everything.
#
#   deploy/local/run-distributed.sh               build, start, wait for Ctrl-C
#   deploy/local/run-distributed.sh --check       build, start, run deploy/local/smoke.sh, exit with its status
#   deploy/local/run-distributed.sh --no-build    reuse the existing Release build
#   deploy/local/run-distributed.sh --db postgres one database per service on a private PostgreSQL 15 cluster
#   deploy/local/run-distributed.sh --replicas N  N processes of each service on the same databases (default 1;
#                                                 replica r of service i listens on BASE + 10*(r-1) + i)
#
# Environment (all optional):
#   CP_RUN_DIR         folder for the node, SQLite files and logs (default: a new mktemp -d,
#                      deleted on exit unless CP_KEEP_RUN_DIR=1; a given folder is kept, and
#                      reusing it keeps queues and data)
#   CP_AMQP_PORT       AMQP port of the RabbitMQ node (default 5680)
#   CP_DIST_PORT       Erlang distribution port of the node (default CP_AMQP_PORT + 20000)
#   CP_BASE_PORT       services listen on BASE+1..BASE+4: consent, notices, responses, directory (default 5100)
#   CP_ENVIRONMENT     ASPNETCORE_ENVIRONMENT of the services (default Development, which serves OpenAPI)
#   CP_HASHING_KEY     base64 key shared by all services (default: freshly generated)
#   CP_QUORUM_QUEUES   Bus:QuorumQueues (default false: one node gains nothing from quorum queues)
#   CP_PREFETCH        Bus:PrefetchCount (default: the services' own default)
#   CP_READY_TIMEOUT   seconds to wait for each /health/ready (default 60)
#   CP_PG_PORT         port of the PostgreSQL cluster with --db postgres (default CP_AMQP_PORT + 100)
#   CP_PG_BIN          PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
set -euo pipefail

readonly SERVICES=(consent notices responses directory)
readonly PROJECTS=(ConsentPlatform.Consent ConsentPlatform.Notices ConsentPlatform.Responses ConsentPlatform.Directory)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT

check=false
build=true
db=sqlite
replicas=1
while (($# > 0)); do
  case "$1" in
    --check) check=true ;;
    --no-build) build=false ;;
    --db)
      db="${2:-}"
      shift
      [[ "$db" == sqlite || "$db" == postgres ]] || { echo "--db takes sqlite or postgres, not '$db'" >&2; exit 2; }
      ;;
    --replicas)
      replicas="${2:-}"
      shift
      [[ "$replicas" =~ ^[1-9]$ ]] || { echo "--replicas takes a number from 1 to 9, not '$replicas'" >&2; exit 2; }
      ;;
    -h | --help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "unknown argument: $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
if [[ "$db" == sqlite && "$replicas" -gt 1 ]]; then
  echo "--replicas needs --db postgres: SQLite has one writer per file, so replicas of a service would only queue on its lock" >&2
  exit 2
fi

AMQP_PORT="${CP_AMQP_PORT:-5680}"
DIST_PORT="${CP_DIST_PORT:-$((AMQP_PORT + 20000))}"
BASE_PORT="${CP_BASE_PORT:-5100}"
READY_TIMEOUT="${CP_READY_TIMEOUT:-60}"
PG_PORT="${CP_PG_PORT:-$((AMQP_PORT + 100))}"
PG_BIN="${CP_PG_BIN:-/usr/lib/postgresql/15/bin}"
# Stable per port rather than random, so a kept CP_RUN_DIR finds its own mnesia folder again.
NODE="cp-local-${AMQP_PORT}@localhost"

created_run_dir=false
if [[ -n "${CP_RUN_DIR:-}" ]]; then
  RUN_DIR="$CP_RUN_DIR"
  mkdir -p "$RUN_DIR"
else
  RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cp-distributed.XXXXXX")"
  created_run_dir=true
fi
RUN_DIR="$(cd "$RUN_DIR" && pwd)"
RMQ_DIR="$RUN_DIR/rabbitmq"
PG_DIR="$RUN_DIR/postgres"
DATA_DIR="$RUN_DIR/data"
LOG_DIR="$RUN_DIR/logs"
mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log" "$DATA_DIR" "$LOG_DIR"

log() { printf '[run-distributed] %s\n' "$*"; }
fail() {
  printf '[run-distributed] ERROR: %s\n' "$*" >&2
  exit 1
}

port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- cleanup: services first (they may still be publishing), then the node -----------------
service_pids=()
rmq_pid=""
pg_started=false
finished=false
cleanup() {
  local status=$?
  $finished && return
  finished=true
  trap - INT TERM
  local pid
  for pid in "${service_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${service_pids[@]}"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n "$rmq_pid" ]]; then
    log "stopping RabbitMQ node $NODE"
    local vm_pid=""
    [[ -f "$RMQ_DIR/rabbit.pid" ]] && vm_pid="$(cat "$RMQ_DIR/rabbit.pid" 2>/dev/null || true)"
    if ! timeout 60 "${RMQ_ENV[@]}" "$RMQ_CTL" -n "$NODE" stop "$RMQ_DIR/rabbit.pid" >/dev/null 2>&1; then
      log "graceful stop failed; killing the Erlang VM"
      if [[ -n "$vm_pid" ]]; then kill -KILL "$vm_pid" 2>/dev/null || true; fi
    fi
    kill -KILL "$rmq_pid" 2>/dev/null || true
    wait "$rmq_pid" 2>/dev/null || true
  fi
  if $pg_started; then
    log "stopping PostgreSQL on port $PG_PORT"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    # A postmaster that neither stop ended would keep the port and the folder.
    local pg_pid=""
    [[ -f "$PG_DIR/data/postmaster.pid" ]] && pg_pid="$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)"
    if [[ "$pg_pid" =~ ^[0-9]+$ ]] && kill -0 "$pg_pid" 2>/dev/null; then
      log "PostgreSQL did not stop; killing postmaster $pg_pid"
      kill -KILL "$pg_pid" 2>/dev/null || true
    fi
  fi
  # Ctrl-C (130) and TERM (143) are the normal way to stop; any other failure keeps the logs.
  if $created_run_dir && [[ "${CP_KEEP_RUN_DIR:-0}" != 1 ]] && ((status == 0 || status == 130 || status == 143)); then
    rm -rf "$RUN_DIR"
  else
    log "logs and data kept in $RUN_DIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- RabbitMQ ---------------------------------------------------------------------------------
if [[ -x /usr/sbin/rabbitmq-server ]] || command -v rabbitmq-server >/dev/null 2>&1; then :; else
  fail "rabbitmq-server is not installed: apt-get install rabbitmq-server"
fi

switches_user=false
if [[ $EUID -eq 0 && -x /usr/sbin/rabbitmq-server ]] &&
  [[ "$(basename "$(readlink -f /usr/sbin/rabbitmq-server)")" == rabbitmq-script-wrapper ]]; then
  # Debian's wrapper re-runs the node as the rabbitmq user (su), with that user's HOME and cookie.
  RMQ_SERVER=/usr/sbin/rabbitmq-server
  RMQ_CTL=/usr/sbin/rabbitmqctl
  switches_user=true
elif [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  # The wrapper refuses users other than root and rabbitmq; the scripts behind it do not.
  RMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
  RMQ_CTL=/usr/lib/rabbitmq/bin/rabbitmqctl
else
  RMQ_SERVER="$(command -v rabbitmq-server)"
  RMQ_CTL="$(dirname "$RMQ_SERVER")/rabbitmqctl"
fi

for port in "$AMQP_PORT" "$DIST_PORT"; do
  port_in_use "$port" && fail "port $port is already in use (set CP_AMQP_PORT / CP_DIST_PORT)"
done
for ((r = 1; r <= replicas; r++)); do
  for i in "${!SERVICES[@]}"; do
    port="$((BASE_PORT + 10 * (r - 1) + i + 1))"
    port_in_use "$port" && fail "port $port (${SERVICES[$i]}) is already in use (set CP_BASE_PORT)"
  done
done
if [[ "$db" == postgres ]]; then
  [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || fail "PostgreSQL 15 is not installed ($PG_BIN/initdb): apt-get install postgresql"
  port_in_use "$PG_PORT" && fail "port $PG_PORT is already in use (set CP_PG_PORT)"
fi

# PostgreSQL refuses to run as root: as root, its commands run as Debian's postgres user.
pg_as() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

printf '[].' >"$RMQ_DIR/enabled_plugins"
# Its own file, so the node does not read /etc/rabbitmq/rabbitmq.conf. Classic queues on storage version 2 (ADR 0045).
printf 'classic_queue.default_version = 2\n' >"$RMQ_DIR/rabbitmq.conf"
rm -f "$RMQ_DIR/rabbit.pid"

RMQ_ENV=(env
  "RABBITMQ_NODENAME=$NODE"
  "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
  "RABBITMQ_NODE_PORT=$AMQP_PORT"
  "RABBITMQ_DIST_PORT=$DIST_PORT"
  "RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia"
  "RABBITMQ_LOG_BASE=$RMQ_DIR/log"
  "RABBITMQ_PID_FILE=$RMQ_DIR/rabbit.pid"
  "RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins"
  "RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf"
  "RABBITMQ_ADVANCED_CONFIG_FILE=$RMQ_DIR/advanced.config"
  "RABBITMQ_CONF_ENV_FILE=$RMQ_DIR/rabbitmq-env.conf"
  "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
  "RABBITMQ_CTL_DIST_PORT_MIN=0"
  "RABBITMQ_CTL_DIST_PORT_MAX=0")

if $switches_user; then
  # The rabbitmq user must reach and write its folder, or the node dies at boot with
  # failed_to_create_feature_flags_file_directory.
  chmod o+x "$RUN_DIR"
  chown -R rabbitmq:rabbitmq "$RMQ_DIR"
  su rabbitmq -s /bin/sh -c "test -w '$RMQ_DIR/mnesia'" ||
    fail "the rabbitmq user cannot write $RMQ_DIR (is a parent folder closed to other users? set CP_RUN_DIR under /tmp)"
else
  # Node and rabbitmqctl both read $HOME/.erlang.cookie; one written up front avoids a race.
  if [[ ! -f "$RMQ_DIR/.erlang.cookie" ]]; then
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$RMQ_DIR/.erlang.cookie"
    chmod 400 "$RMQ_DIR/.erlang.cookie"
  fi
  RMQ_ENV+=("HOME=$RMQ_DIR")
fi

# --- build --------------------------------------------------------------------------------------
if $build; then
  log "building the solution (Release)"
  dotnet build "$REPO_ROOT/ConsentPlatform.sln" -c Release -nologo -v quiet >"$LOG_DIR/build.log" 2>&1 || {
    tail -n 40 "$LOG_DIR/build.log" >&2
    fail "build failed; full log in $LOG_DIR/build.log"
  }
fi
for project in "${PROJECTS[@]}"; do
  [[ -f "$REPO_ROOT/services/$project/bin/Release/net10.0/$project.dll" ]] ||
    fail "services/$project/bin/Release/net10.0/$project.dll not found; build with: dotnet build -c Release"
done

log "starting RabbitMQ node $NODE on 127.0.0.1:$AMQP_PORT (folder $RMQ_DIR)"
started=$SECONDS
(cd "$RMQ_DIR" && exec "${RMQ_ENV[@]}" "$RMQ_SERVER") >"$RMQ_DIR/stdout.log" 2>&1 </dev/null &
rmq_pid=$!

rmq_log_tail() {
  tail -n 40 "$RMQ_DIR/log/$NODE.log" 2>/dev/null || true
  tail -n 20 "$RMQ_DIR/stdout.log" 2>/dev/null || true
}
# await_startup exits at once until the VM has registered its name, then blocks until booted.
until "${RMQ_ENV[@]}" "$RMQ_CTL" -n "$NODE" await_startup --timeout 60 >/dev/null 2>&1; do
  if ! kill -0 "$rmq_pid" 2>/dev/null; then
    rmq_log_tail >&2
    fail "RabbitMQ node exited while starting (logs above, folder $RMQ_DIR)"
  fi
  if ((SECONDS - started > 90)); then
    rmq_log_tail >&2
    fail "RabbitMQ node did not start within 90 s (logs above)"
  fi
  sleep 0.5
done
until port_in_use "$AMQP_PORT"; do
  ((SECONDS - started > 90)) && fail "RabbitMQ reports started but port $AMQP_PORT is closed"
  sleep 0.2
done
log "RabbitMQ ready in $((SECONDS - started)) s"

# --- PostgreSQL -------------------------------------------------------------------------------------
if [[ "$db" == postgres ]]; then
  mkdir -p "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then
    chmod o+x "$RUN_DIR"
    chown postgres "$PG_DIR"
  fi
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$LOG_DIR/initdb.log" 2>&1 ||
      { tail -n 20 "$LOG_DIR/initdb.log" >&2; fail "initdb failed"; }
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (folder $PG_DIR)"
  # Set before the start: a start that times out may still leave a postmaster for the clean-up to stop.
  pg_started=true
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null ||
    { tail -n 20 "$PG_DIR/postgres.log" >&2; fail "PostgreSQL did not start"; }
  for name in identity "${SERVICES[@]}"; do
    exists="$(pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cp_$name'")"
    [[ "$exists" == 1 ]] || pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE cp_$name" >/dev/null
  done
fi

# --- services -------------------------------------------------------------------------------------
hashing_key="${CP_HASHING_KEY:-}"
if [[ -z "$hashing_key" ]]; then
  if command -v openssl >/dev/null 2>&1; then
    hashing_key="$(openssl rand -base64 32)"
  else
    hashing_key="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  fi
fi

common_env=(
  "ASPNETCORE_ENVIRONMENT=${CP_ENVIRONMENT:-Development}"
  "DOTNET_NOLOGO=1"
  "Database__DataFolder=$DATA_DIR"
  "Bus__Transport=RabbitMq"
  "Bus__RabbitMq__Host=127.0.0.1"
  "Bus__RabbitMq__Port=$AMQP_PORT"
  "Bus__RabbitMq__VirtualHost=/"
  "Bus__RabbitMq__Username=guest"
  "Bus__RabbitMq__Password=guest"
  "Bus__QuorumQueues=${CP_QUORUM_QUEUES:-false}"
  "Hashing__KeyId=local"
  "Hashing__Key=$hashing_key"
)
[[ -n "${CP_PREFETCH:-}" ]] && common_env+=("Bus__PrefetchCount=$CP_PREFETCH")
if [[ "$db" == postgres ]]; then
  common_env+=("Database__Provider=PostgreSql")
  for name in identity "${SERVICES[@]}"; do
    common_env+=("ConnectionStrings__${name^}=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cp_$name")
  done
else
  common_env+=("Database__Provider=Sqlite")
fi
# The smoke check's host commands (organization and key) use the same databases.
export "${common_env[@]}"

# urls and names: the first replica of each service first, in SERVICES order; then the others.
urls=()
names=()
services_started=$SECONDS
for ((r = 1; r <= replicas; r++)); do
  for i in "${!SERVICES[@]}"; do
    service="${SERVICES[$i]}"
    project="${PROJECTS[$i]}"
    name="$service"
    ((r > 1)) && name="$service-$r"
    url="http://127.0.0.1:$((BASE_PORT + 10 * (r - 1) + i + 1))"
    urls+=("$url")
    names+=("$name")
    dir="$REPO_ROOT/services/$project/bin/Release/net10.0"
    # The working directory is the content root, where appsettings*.json are.
    (cd "$dir" && exec env "${common_env[@]}" "ASPNETCORE_URLS=$url" dotnet "$project.dll") \
      >"$LOG_DIR/$name.log" 2>&1 </dev/null &
    service_pids+=($!)
    log "started $name (pid $!) on $url, log $LOG_DIR/$name.log"
  done
done

for i in "${!names[@]}"; do
  name="${names[$i]}"
  started=$SECONDS
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${urls[$i]}/health/ready" || true)" == 200 ]]; do
    if ! kill -0 "${service_pids[$i]}" 2>/dev/null; then
      tail -n 40 "$LOG_DIR/$name.log" >&2
      fail "$name exited while starting (log above)"
    fi
    if ((SECONDS - started > READY_TIMEOUT)); then
      tail -n 40 "$LOG_DIR/$name.log" >&2
      fail "$name was not ready within $READY_TIMEOUT s (log above)"
    fi
    sleep 0.3
  done
done
log "${#names[@]} service processes ready in $((SECONDS - services_started)) s"

echo
echo "ConsentPlatform (distributed, $db, $replicas of each service) is ready; run folder $RUN_DIR"
printf '  %-12s %-24s %s\n' service url openapi
for i in "${!names[@]}"; do
  printf '  %-12s %-24s %s\n' "${names[$i]}" "${urls[$i]}" "${urls[$i]}/openapi/${SERVICES[$((i % ${#SERVICES[@]}))]}.json"
done
printf '  %-12s %s\n' rabbitmq "amqp://guest:guest@127.0.0.1:$AMQP_PORT/ (node $NODE)"
[[ "$db" == postgres ]] && printf '  %-12s %s\n' postgresql "127.0.0.1:$PG_PORT, databases cp_identity, cp_consent, cp_notices, cp_responses, cp_directory"
echo

if $check; then
  smoke="$REPO_ROOT/deploy/local/smoke.sh"
  if [[ -f "$smoke" ]]; then
    log "running $smoke"
    status=0
    # The first replica of each service, then every other replica as service=url.
    others=()
    for ((i = ${#SERVICES[@]}; i < ${#urls[@]}; i++)); do others+=("${SERVICES[$((i % ${#SERVICES[@]}))]}=${urls[$i]}"); done
    CP_DATA_DIR="$DATA_DIR" bash "$smoke" "${urls[@]:0:${#SERVICES[@]}}" "${others[@]}" || status=$?
    log "smoke.sh exited with $status"
    exit "$status"
  fi
  log "note: $smoke does not exist yet; nothing to check beyond readiness"
  exit 0
fi

echo "Press Ctrl-C to stop."
while true; do
  for i in "${!names[@]}"; do
    if ! kill -0 "${service_pids[$i]}" 2>/dev/null; then
      tail -n 40 "$LOG_DIR/${names[$i]}.log" >&2
      fail "${names[$i]} exited unexpectedly (log above)"
    fi
  done
  kill -0 "$rmq_pid" 2>/dev/null || fail "the RabbitMQ node exited unexpectedly; see $RMQ_DIR/log"
  # A background sleep lets the INT/TERM trap run at once instead of after the sleep.
  sleep 2 &
  wait $! || true
done
