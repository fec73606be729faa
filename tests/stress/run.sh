#!/usr/bin/env bash
# Slow and idle clients against tdkt, directly and through nginx (docker/nginx.conf), while a probe
# measures a normal client (tests/stress/slow_clients.py). Prints one row per scenario.
#   tests/stress/run.sh build/tdkt
# (a) directly to tdkt: slow-head 150, half-open 200, idle 500
# (b) through Debian's nginx: slow-head 1000, half-open 1000, idle 1000
# Fails when a probe through nginx failed or took longer than STRESS_MAX_MS (1000): 1,000 slow or
# idle connections to nginx must leave normal clients served in under a second. The direct rows
# fail the run only with STRESS_STRICT_DIRECT=1 (limit STRESS_DIRECT_MAX_MS, default STRESS_MAX_MS).
# STRESS_SECONDS (9) is each scenario's length, ramp included; a probe times out after 5 s.
# STRESS_COMBINED=1 adds a row of all three at once through nginx. STRESS_KEEP=1 keeps the folder
# with the logs. The attack comes from 127.0.0.10 (STRESS_ATTACK_FROM, e.g. 127.0.0.10-59 for 50
# addresses), the probe from 127.0.2.1 (STRESS_PROBE_FROM); nginx reaches tdkt from 127.0.0.2,
# the only address in TDKT_TRUSTED_PROXIES.
# Needs nginx and curl (scripts/deps.sh nginx curl, run below), PostgreSQL, python3; root or not.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 1 ]] || { echo "usage: tests/stress/run.sh BUILD/tdkt" >&2; exit 2; }
bin=$(realpath "$1")
seconds=${STRESS_SECONDS:-9}
max_ms=${STRESS_MAX_MS:-1000}
direct_max_ms=${STRESS_DIRECT_MAX_MS:-$max_ms}
strict_direct=${STRESS_STRICT_DIRECT:-0}
attack_from=${STRESS_ATTACK_FROM:-127.0.0.10}
probe_from=${STRESS_PROBE_FROM:-127.0.2.1}
proxy_addr=127.0.0.2

scripts/deps.sh nginx curl
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x "$nginx" ]] || { echo "stress: nginx not found" >&2; exit 1; }

work=$(mktemp -d /tmp/tdkt-stress-XXXXXX)
chmod 755 "$work"   # PostgreSQL (as postgres) and nginx's workers (as www-data) when run as root
server_pid=
nginx_pid=
cleanup() {
  [[ -n "$nginx_pid" ]] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  scripts/pg.sh stop "$work/pg"
  if [[ "${STRESS_KEEP:-0}" == 1 ]]; then
    echo "stress: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# waits until GET /healthz answers 200 on 127.0.0.1:$1, at most $2 seconds
wait_healthy() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
    sleep 0.2
  done
  return 1
}

# pg.sh prints the owner's URL (migrate) and, on a second line, the service role's (serve)
urls=$(scripts/pg.sh start "$work/pg" fast)
owner_url=$(sed -n 1p <<<"$urls")
service_url=$(sed -n 2p <<<"$urls")
export DATABASE_URL=$owner_url TDKT_MIGRATE_DATABASE_URL=$owner_url TDKT_DB_ROLE=tdkt_app
export TDKT_JWT_SECRET=stress-secret-0123456789abcdef-0123456789
export TDKT_TRUSTED_PROXIES=$proxy_addr
tdkt_port=$(free_port)
export TDKT_LISTEN=127.0.0.1:$tdkt_port
"$bin" migrate >/dev/null
DATABASE_URL=${service_url:-$owner_url} "$bin" serve > "$work/server.log" 2>&1 &
server_pid=$!
wait_healthy "$tdkt_port" 10 || { echo "stress: tdkt did not start"; tail -n 20 "$work/server.log"; exit 1; }

# nginx from the production file: only the lines marked "# RENDER:" change
nginx_port=$(free_port)
hard=$(ulimit -Hn)
nofile=65536
[[ "$hard" != unlimited && "$hard" -lt $nofile ]] && nofile=$hard
mkdir -p "$work/nginx"
sed -E -e "/# RENDER: listen/ s/listen [^ ;]+/listen 127.0.0.1:$nginx_port/" \
       -e "/# RENDER: upstream/ s/server [^ ;]+/server 127.0.0.1:$tdkt_port/" \
       -e "/# RENDER: proxy_bind/ s/#proxy_bind [^ ;]+/proxy_bind $proxy_addr/" \
       -e "/# RENDER: nofile/ s/worker_rlimit_nofile [0-9]+/worker_rlimit_nofile $nofile/" \
       docker/nginx.conf > "$work/nginx/nginx.conf"
for want in "listen 127.0.0.1:$nginx_port" "server 127.0.0.1:$tdkt_port" "proxy_bind $proxy_addr;" \
            "worker_rlimit_nofile $nofile;"; do
  grep -qF "$want" "$work/nginx/nginx.conf" || { echo "stress: rendering docker/nginx.conf: no '$want'"; exit 1; }
done
"$nginx" -t -q -p "$work/nginx/" -c "$work/nginx/nginx.conf"
# in the foreground of its own process, so $! is the master; as root its workers are www-data
"$nginx" -p "$work/nginx/" -c "$work/nginx/nginx.conf" -g 'daemon off;' \
  > "$work/nginx/access.log" 2> "$work/nginx/error.log" &
nginx_pid=$!
wait_healthy "$nginx_port" 10 || { echo "stress: nginx did not start"; cat "$work/nginx/error.log"; exit 1; }

# nginx's own errors are problem+json (the config's error pages), and X-Request-Id goes through
check() { # name expected-status curl-args...
  local name=$1 want=$2; shift 2
  local out
  out=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$@" || true)
  if [[ "$out" != "$want application/problem+json" ]]; then
    echo "stress: nginx $name: got '$out', want '$want application/problem+json'"; status=1
  fi
}
status=0
base=http://127.0.0.1:$nginx_port
check "body over 1 MB" 413 -X POST -H 'Content-Type: application/json' -H 'Content-Length: 2000000' --data-binary @/dev/null "$base/v1/units"
check "head over 14 KB" 431 -H "X-Big: $(head -c 15000 /dev/zero | tr '\0' a)" "$base/healthz"
check "URI over 14 KB" 414 "$base/$(head -c 15000 /dev/zero | tr '\0' a)"
check "internal location" 404 "$base/_tdkt_problem/internal"
check "backslash path" 400 --path-as-is "$base/v1\\auth\\token"
rid=$(curl -s -D - -o /dev/null -H 'X-Request-Id: stress-check-1' "$base/healthz" | tr -d '\r' | sed -n 's/^X-Request-Id: //Ip')
[[ "$rid" == stress-check-1 ]] || { echo "stress: X-Request-Id not passed through nginx (got '$rid')"; status=1; }

field() { grep -oE "(^| )$1=[^ ]*" <<<"$2" | head -n 1 | cut -d= -f2; }
printf '\nattack from %s, probe from %s, %ss per scenario (probe after 2 s, timeout 5 s)\n' \
  "$attack_from" "$probe_from" "$seconds"
printf '%-7s %-22s %6s %4s %6s %8s %8s %8s %8s %7s  %s\n' \
  path scenario probes ok failed timeouts p50_ms p90_ms max_ms attack verdict
run() { # path port limit enforced scenario...
  local path=$1 port=$2 limit=$3 enforced=$4; shift 4
  local line rc=0 verdict
  line=$(python3 tests/stress/slow_clients.py "127.0.0.1:$port" "$@" --seconds "$seconds" \
           --max-ms "$limit" --attack-from "$attack_from" --probe-from "$probe_from" 2>>"$work/probe.err") || rc=$?
  echo "$line" >> "$work/results.txt"
  if [[ $rc -eq 2 || -z "$line" ]]; then
    echo "stress: slow_clients.py could not run:"; cat "$work/probe.err"; exit 1
  fi
  if [[ $rc -eq 0 ]]; then verdict=pass
  elif [[ $enforced == 1 ]]; then verdict=FAIL; status=1
  else verdict="fail (not enforced)"
  fi
  printf '%-7s %-22s %6s %4s %6s %8s %8s %8s %8s %7s  %s\n' "$path" "$*" \
    "$(field probes "$line")" "$(field ok "$line")" "$(field failed "$line")" "$(field timeouts "$line")" \
    "$(field p50_ms "$line")" "$(field p90_ms "$line")" "$(field max_ms "$line")" \
    "$(field attack_min_open "$line")" "$verdict"
  # the next scenario starts on a server that answers again (queued dead sockets drained)
  if ! wait_healthy "$port" 30; then
    echo "stress: $path did not answer /healthz within 30 s after '$*'"; status=1
  fi
}
run direct "$tdkt_port" "$direct_max_ms" "$strict_direct" slow-head 150
run direct "$tdkt_port" "$direct_max_ms" "$strict_direct" half-open 200
run direct "$tdkt_port" "$direct_max_ms" "$strict_direct" idle 500
run nginx "$nginx_port" "$max_ms" 1 slow-head 1000
run nginx "$nginx_port" "$max_ms" 1 half-open 1000
run nginx "$nginx_port" "$max_ms" 1 idle 1000
if [[ "${STRESS_COMBINED:-0}" == 1 ]]; then
  run nginx "$nginx_port" "$max_ms" 1 slow-head 1000 half-open 1000 idle 1000
fi
echo "(attack: the fewest attack sockets connected while the probe ran)"
[[ $status -eq 0 ]] || { echo; cat "$work/results.txt"; }
if ! kill -0 "$server_pid" 2>/dev/null; then echo "stress: tdkt exited"; status=1; fi
if ! kill -0 "$nginx_pid" 2>/dev/null; then echo "stress: nginx exited"; status=1; fi
if grep -E '\[(alert|emerg|crit)\]' "$work/nginx/error.log"; then echo "stress: nginx logged the above"; status=1; fi
[[ $status -eq 0 ]] && echo "stress: pass" || echo "stress: FAIL"
exit $status
