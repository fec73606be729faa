#!/usr/bin/env bash
# Load benchmark: 100,000 units, wrk on 127.0.0.1 against GET /v1/units/{id} (random ids, valid
# token) and a list page of 50, 15 s each at 16 and 64 connections; then campaigns by cluster and
# year, a person's award record and a registration under row-level security. Prints requests/s, p50, p99,
# timeouts, whether every connection was answered (from the server's access log: wrk itself does
# not report a starved connection) and the server's RSS.
#   tests/bench/run.sh build/tdkt     (BENCH_SECONDS=15 BENCH_UNITS=100000 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${BENCH_SECONDS:-15}
nunits=${BENCH_UNITS:-100000}
source tests/bench/workdir.sh bench

# output JSON: jansson against the buffer writer the service uses
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I. tests/bench/json_cost.c lib/buf.c -ljansson -o "$work/json_cost" && "$work/json_cost"

# the database, its data and the scenarios' scripts (shared with compare.sh)
source tests/bench/seed.sh
port=$(free_port)
export TDKT_LISTEN=127.0.0.1:$port

DATABASE_URL=$service_url "$bin" serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do curl -sf "http://$TDKT_LISTEN/healthz" >/dev/null && break; sleep 0.1; done

# sanity: both requests answer 200 before measuring
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://$TDKT_LISTEN/v1/units/$max_id")
[[ "$code" == 200 ]] || { echo "GET by id answered $code"; exit 1; }
bytes=$(curl -s -H "Authorization: Bearer $token" "http://$TDKT_LISTEN/v1/units?limit=50" | wc -c)
echo "one list page: $bytes bytes"

printf '\n%-10s %5s %10s %9s %9s %9s %9s %9s\n' scenario conns "req/s" p50 p99 timeouts answered "rss(MB)"
status=0
run() { # scenario script connections
  local scenario=$1 script=$2 conns=$3
  start_line=$(($(wc -l < "$work/server.log") + 1))
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 2s --latency -s "$work/$script.lua" "http://$TDKT_LISTEN" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  timeouts=$(sed -nE 's/.*timeout ([0-9]+).*/\1/p' <<<"$out"); timeouts=${timeouts:-0}
  non2xx=$(sed -nE 's/.*Non-2xx or 3xx responses: ([0-9]+).*/\1/p' <<<"$out"); non2xx=${non2xx:-0}
  # every wrk connection has its own client port: count the ports the server answered
  answered=$(tail -n +"$start_line" "$work/server.log" | grep -o '"peer":"[^"]*"' | sort -u | wc -l)
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status")
  printf '%-10s %5s %10s %9s %9s %9s %6s/%-3s %9s\n' "$scenario" "$conns" "$rps" "$p50" "$p99" "$timeouts" "$answered" "$conns" "$rss"
  [[ "$non2xx" == 0 ]] || { echo "  $non2xx responses were not 2xx"; status=1; }
  [[ "$answered" -ge "$conns" ]] || { echo "  starved: only $answered of $conns connections answered"; status=1; }
}
for scenario in get list; do
  for conns in 16 64; do run "$scenario" "$scenario" "$conns"; done
done
# GET /v1/registrations/{id}: a transaction stating the caller, then the row under the policy;
# the same with the policy switched off shows what row-level security itself costs
run campaigns campaigns 16
run campaigns campaigns 64
# GET /v1/people/{id}/awards: does the person exist, then their record (10 awards, 3.4 KB)
run awards awards 16
run awards awards 64
run reg reg 16
psql -X -q "$DATABASE_URL" -c "ALTER TABLE registrations DISABLE ROW LEVEL SECURITY"
run reg-no-rls reg 16
psql -X -q "$DATABASE_URL" -c "ALTER TABLE registrations ENABLE ROW LEVEL SECURITY"
hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status")
echo "server peak RSS: ${hwm} MB"
exit $status
