#!/usr/bin/env bash
# Pool sizes side by side (issue 15): one database of 100,000 units, one tdkt per pool size
# (TDKT_DB_POOL), GET /v1/units/{id} at 16 connections, runs interleaved round by round so the
# machine's drift falls on all alike. Prints each run: requests/s, wrk's p99, the server's own
# p50/p99/max (its access log), CPU µs per request of the server and of PostgreSQL, and the
# server's context switches per request (each a sleep and a wake-up: what a wait for a pooled
# connection costs beyond the round trip); a tail is seen as a run whose p99 or max stands out.
#   tests/bench/pools.sh build/tdkt      (POOLS="4 8 16" BENCH_SECONDS=5 BENCH_ROUNDS=5 CONNS=16
#                                         SCENARIO=get|list)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${BENCH_SECONDS:-5} rounds=${BENCH_ROUNDS:-5} nunits=${BENCH_UNITS:-100000} conns=${CONNS:-16}
scenario=${SCENARIO:-get}
read -r -a pools <<<"${POOLS:-4 8 16}"
source tests/bench/workdir.sh bench-pools
seed_units_only=1
source tests/bench/seed.sh
postmaster=$(head -n 1 "$work/pg/data/postmaster.pid")

# context switches of every thread of a process, voluntary and not
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }

ports=() procs=()
for size in "${pools[@]}"; do
  port=$(free_port)
  TDKT_DB_POOL=$size TDKT_LISTEN=127.0.0.1:$port DATABASE_URL=$service_url "$bin" serve > "$work/pool$size.log" 2>&1 &
  procs+=($!) pids+=($!) ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done

printf '%-6s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' pool round "req/s" "p99" "sp50" "sp99" "smax" "app µs" "pg µs" "cs/req" "rss MB"
for round in $(seq "$rounds"); do
  for i in "${!pools[@]}"; do
    log=$work/pool${pools[$i]}.log
    start_line=$(($(wc -l < "$log") + 1))
    a0=$(ticks "${procs[$i]}") g0=$(ticks "$postmaster") c0=$(switches "${procs[$i]}")
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s --latency -s "$work/$scenario.lua" "http://127.0.0.1:${ports[$i]}" 2>&1)
    a1=$(ticks "${procs[$i]}") g1=$(ticks "$postmaster") c1=$(switches "${procs[$i]}")
    sleep 0.3 # the access log's last block
    wrk_figures "$out" "$start_line" "$log"
    smax=$(tail -n +"$start_line" "$log" | grep -ao '"ms":[0-9.]*' | cut -d: -f2 | sort -g | tail -n 1)
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${procs[$i]}/status")
    printf '%-6s %5s %9s %9s %9s %9s %9s %9.0f %9.0f %9.2f %9s\n' "${pools[$i]}" "$round" "$rps" "$p99" "$sp50" "$sp99" "$smax" \
      "$(awk -v t=$((a1 - a0)) -v n="$n" -v u="$tick_us" 'BEGIN {print t * u / n}')" \
      "$(awk -v t=$((g1 - g0)) -v n="$n" -v u="$tick_us" 'BEGIN {print t * u / n}')" \
      "$(awk -v c=$((c1 - c0)) -v n="$n" 'BEGIN {print c / n}')" "$rss"
  done
done
# POOLS_LOGS=DIR keeps the servers' logs
[[ -z "${POOLS_LOGS:-}" ]] || { mkdir -p "$POOLS_LOGS"; cp "$work"/pool*.log "$POOLS_LOGS/"; }
