# Shared by the HTTP benchmark scripts (sourced, not run): tool checks, waiting for a service to be
# ready, and stopping what a script started. A script appends each background pid to BENCH_PIDS and
# sets WORK to its scratch folder; both are cleaned up on exit.
BENCH_PIDS=()

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  [[ -n "${WORK:-}" ]] && rm -rf "$WORK"
}
trap bench_cleanup EXIT

bench_require() { # tool...
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
}

bench_wait_ready() { # url pid log [tries of 0.2 s, default 150]
  local _
  for _ in $(seq 1 "${4:-150}"); do
    curl -fs -m 2 "$1/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.2
  done
  echo "not ready: $1" >&2; cat "$3"; exit 1
}
