#!/usr/bin/env bash
# Smoke check of the distributed mode, run by `run-distributed.sh --check`:
# an organization key is made with the host's own command, Directory publishes a profile
# through its outbox over RabbitMQ, and Consent, Notices and Responses — separate processes —
# each consume it into their own database; and the compliance console's overview in Consent gets its
# notice and CRM figures from Notices and Responses (a request over RabbitMQ and its answer).
#
#   smoke.sh CONSENT_URL NOTICES_URL RESPONSES_URL DIRECTORY_URL [SERVICE=URL ...]   (CP_DATA_DIR = the shared data folder)
#
# Further replicas (consent=http://…) are checked too: each must serve the profile from the shared database.
# The database settings (Database__Provider, ConnectionStrings__*) come from the environment.
set -euo pipefail

[[ $# -ge 4 ]] || { echo "usage: smoke.sh CONSENT_URL NOTICES_URL RESPONSES_URL DIRECTORY_URL [SERVICE=URL ...]" >&2; exit 2; }
: "${CP_DATA_DIR:?CP_DATA_DIR must name the data folder of the services}"
declare -A url=([consent]=$1 [notices]=$2 [responses]=$3 [directory]=$4)
readers=("consent=$1" "notices=$2" "responses=$3")
for extra in "${@:5}"; do
  [[ "$extra" == directory=* ]] || readers+=("$extra")
done

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
host_dir="$REPO_ROOT/services/ConsentPlatform.Host/bin/Release/net10.0"
cli() { (cd "$host_dir" && Database__DataFolder="$CP_DATA_DIR" dotnet ConsentPlatform.Host.dll "$@"); }

org="$(cli org create --name "Smoke Test K.K." | tail -n 1)"
key="$(cli key create --org "$org" --scopes consent,notices,responses,directory --name smoke | tail -n 1)"
echo "[smoke] organization $org with a key for all four services"

name="Smoke Test K.K. $(date +%s)"
curl -fsS -o /dev/null -X PUT "${url[directory]}/api/directory/organization" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"legalName\":\"$name\",\"contactEmail\":\"privacy@smoke.example\"}"
echo "[smoke] directory published the profile \"$name\""
published=$(date +%s%N)

status=0
for reader in "${readers[@]}"; do
  service="${reader%%=*}"
  base="${reader#*=}"
  deadline=$((SECONDS + 20))
  until curl -fsS -H "Authorization: Bearer $key" "$base/api/$service/organization" 2>/dev/null | grep -q "\"legalName\":\"$name\""; do
    if ((SECONDS > deadline)); then
      echo "[smoke] FAIL: $service at $base did not receive the profile within 20 s" >&2
      status=1
      continue 2
    fi
    sleep 0.1
  done
  # Replicas of a service share its queue and its database: one of them consumed it, every one serves it.
  echo "[smoke] $service at $base serves it (over RabbitMQ) after $(( ($(date +%s%N) - published) / 1000000 )) ms"
done

# The console is a signed-in page: sign in with the key (antiforgery token and cookie, as a browser does).
jar="$(mktemp)"
signin=$(curl -fsS -c "$jar" -b "$jar" "${url[consent]}/signin")
token=$(sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' <<<"$signin" | head -n 1)
curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "key=$key" "${url[consent]}/signin"
overview=$(curl -fsS -b "$jar" "${url[consent]}/consent/console/overview?lang=en" || true)
rm -f "$jar"
if grep -q 'data-chart="crm-deliveries"' <<<"$overview" && grep -q 'data-chart="notices"' <<<"$overview" && grep -q 'data-chart="propagation-notices"' <<<"$overview" && ! grep -q 'data-unavailable' <<<"$overview"; then
  echo "[smoke] the console overview shows Notices' and Responses' figures (asked over RabbitMQ)"
else
  echo "[smoke] FAIL: the console overview did not get Notices' and Responses' figures" >&2
  status=1
fi

unauth=$(curl -s -o /dev/null -w '%{http_code}' "${url[notices]}/api/notices/organization")
[[ "$unauth" == 401 ]] || { echo "[smoke] FAIL: a request without a key got $unauth, expected 401" >&2; status=1; }
((status == 0)) && echo "[smoke] OK"
exit "$status"
