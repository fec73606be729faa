#!/usr/bin/env bash
# One instance against two behind nginx, on this machine: wrk on 127.0.0.1 against an
# authenticated GET /v1/units/{id} (a random demo unit), CLUSTER_BENCH_SECONDS (5) per row at
# CLUSTER_BENCH_CONNS (16) connections, after a 1 s warm-up. For each row, the CPU each part used
# (from /proc: nginx master and workers, the tdkt instances, every PostgreSQL process, wrk) per
# request, and all of it as a share of the machine's cores — to show where the time goes, since
# here load generator, proxy, instances and database share the same cores.
#   tests/cluster/bench.sh [build/tdkt]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build/tdkt}")
scripts/deps.sh nginx wrk curl postgresql
seconds=${CLUSTER_BENCH_SECONDS:-5}
conns=${CLUSTER_BENCH_CONNS:-16}
NGINX_ACCESS_LOG=off
source tests/cluster/lib.sh

start_primary
start_tdkt a
start_tdkt b
nginx_pids=()
NGINX_DIR=nginx-a start_nginx a; nginx_a=($nginx_pid $nginx_port); nginx_pids+=($nginx_pid)
NGINX_DIR=nginx-ab start_nginx a b; nginx_ab=($nginx_pid $nginx_port); nginx_pids+=($nginx_pid)
NGINX_DIR=nginx-ab32 NGINX_UPSTREAM_KEEPALIVE=32 start_nginx a b; nginx_ab32=($nginx_pid $nginx_port); nginx_pids+=($nginx_pid)
nginx_pid=
trap 'for p in "${nginx_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; cluster_cleanup' EXIT

ttcp=$("${psql_primary[@]}" -c "SELECT id FROM units WHERE code = 'TTCP'")
token=$("$bin" token --sub 1 --role admin --unit-id "$ttcp" --ttl 3600)
ids=$("${psql_primary[@]}" -c "SELECT string_agg(id::text, ',') FROM units")
cat > "$work/get.lua" <<LUA
local ids = {$ids}
request = function()
  return wrk.format("GET", "/v1/units/" .. ids[math.random(#ids)], {["Authorization"] = "Bearer $token"})
end
LUA
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:${nginx_ab[1]}/v1/units/$ttcp")
[[ "$code" == 200 ]] || { echo "bench: GET answered $code"; exit 1; }

ticks() { # summed utime+stime of the given pids, in clock ticks
  local t=0 p
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $t
}
postgres_pids() {
  local pm; pm=$(head -n 1 "$work/pg/data/postmaster.pid")
  echo "$pm"; pgrep -P "$pm" || true
}
hz=$(getconf CLK_TCK)
cores=$(nproc)
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }   # all cores, ticks
printf '\n%-30s %7s %8s %8s | %s\n' "GET /v1/units/{id}, $conns conns" "req/s" p50 p99 \
  "CPU µs per request: nginx   tdkt  postgres  rest (wrk…) | machine busy"
row() { # label port nginx-pid tdkt-names...
  local label=$1 port=$2 npid=$3; shift 3
  local tp=() np=() pp n
  for n in "$@"; do tp+=("${tdkt_pid[$n]}"); done
  [[ -n "$npid" ]] && np=("$npid" $(pgrep -P "$npid"))
  wrk -t2 -c"$conns" -d1s -s "$work/get.lua" "http://127.0.0.1:$port" >/dev/null   # warm-up: pools open
  mapfile -t pp < <(postgres_pids)
  local n0 t0 p0 b0 out
  n0=$(ticks "${np[@]}"); t0=$(ticks "${tp[@]}"); p0=$(ticks "${pp[@]}"); b0=$(busy)
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$work/get.lua" "http://127.0.0.1:$port" 2>&1)
  local dn=$(( $(ticks "${np[@]}") - n0 )) dt=$(( $(ticks "${tp[@]}") - t0 )) dp=$(( $(ticks "${pp[@]}") - p0 )) db=$(( $(busy) - b0 ))
  local non2xx; non2xx=$(sed -nE 's/.*Non-2xx or 3xx responses: ([0-9]+).*/\1/p' <<<"$out")
  [[ -z "$non2xx" ]] || { echo "bench: $non2xx answers were not 2xx in '$label'"; exit 1; }
  python3 - "$label" "$hz" "$cores" "$seconds" "$dn" "$dt" "$dp" "$db" <<PY
import re
out = """$out"""
label, hz, cores, secs, dn, dt, dp, db = "$label", $hz, $cores, $seconds, $dn, $dt, $dp, $db
reqs = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
us = lambda t: t / hz * 1e6 / reqs
rest = max(db - dn - dt - dp, 0)
print(f"{label:30s} {rps:7.0f} {p50:>8s} {p99:>8s} | {us(dn):24.0f} {us(dt):6.0f} {us(dp):9.0f} {us(rest):12.0f} "
      f"| {db / hz / secs / cores * 100:3.0f} % of {cores} cores")
PY
}
row "one instance, direct" "${tdkt_port[a]}" "" a
row "one instance behind nginx" "${nginx_a[1]}" "${nginx_a[0]}" a
row "two instances behind nginx" "${nginx_ab[1]}" "${nginx_ab[0]}" a b
row "two, nginx keepalive 32" "${nginx_ab32[1]}" "${nginx_ab32[0]}" a b
