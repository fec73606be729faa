#!/usr/bin/env bash
# Side by side on one database (issue 15): tdkt, the usual Node stack (tests/bench/peer/: Fastify,
# node-postgres, @fastify/jwt, two workers, as many PostgreSQL connections in all as tdkt's pool)
# and pgbench -M prepared on the SQL tdkt runs, for GET /v1/units/{id} (random ids) and the list of
# 50. Rounds interleaved (tdkt, [tdkt B,] Node, pgbench, again...) so that the drift of a shared
# 2-core machine falls on every system alike; tdkt also at 64 connections, every one answered.
# Per run and then per system: requests/s, wrk's p50 and p99, the server's own p99 (its access
# log), CPU µs per request of the application (tdkt; Node's primary and workers; pgbench, the
# client) and of PostgreSQL (every process of it) from /proc ticks over the run, tdkt's RSS; then
# tdkt/Node and tdkt/pgbench. wrk against 127.0.0.1 only; each run bounded by BENCH_SECONDS.
#   tests/bench/peer.sh build/tdkt [OTHER_TDKT]   (make bench-peer; BENCH_SECONDS=10 BENCH_ROUNDS=3
#                                                  BENCH_UNITS=100000 PEER_POOL=tdkt's pool)
# With a second binary, the two builds are measured in the same interleaving (A/B in one sitting:
# README "Performance"); the schema is the second's, as compare.sh's.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_a=$(realpath "$1")
bin_b=${2:+$(realpath "$2")}
seconds=${BENCH_SECONDS:-10} rounds=${BENCH_ROUNDS:-3} nunits=${BENCH_UNITS:-100000}
workers=2

# Node.js (Debian's when the machine has none; Fastify 5 needs 20 or later) and the peer's
# packages, pinned by its lock file; npm ci again only when the lock file changed
command -v npm >/dev/null || scripts/deps.sh nodejs npm
major=$(node -p 'process.versions.node.split(".")[0]')
[[ $major -ge 20 ]] || { echo "peer.sh: Node.js $(node --version) is too old for Fastify 5 (20 or later)"; exit 1; }
stamp=tests/bench/peer/node_modules/.tdkt-lock
if ! cmp -s tests/bench/peer/package-lock.json "$stamp" 2>/dev/null; then
  echo "peer.sh: installing the Node peer (tests/bench/peer/package-lock.json)" >&2
  (cd tests/bench/peer && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp tests/bench/peer/package-lock.json "$stamp"
fi

source tests/bench/workdir.sh bench-peer
bin=${bin_b:-$bin_a}
seed_units_only=1
source tests/bench/seed.sh
postmaster=$(head -n 1 "$work/pg/data/postmaster.pid")

# the systems: name, port, access log, pid
names=(tdkt) ports=("$(free_port)") logs=("$work/tdkt.log")
TDKT_LISTEN=127.0.0.1:${ports[0]} DATABASE_URL=$service_url "$bin_a" serve > "${logs[0]}" 2>&1 &
procs=($!) pids+=($!)
if [[ -n $bin_b ]]; then
  names+=(tdkt-B) ports+=("$(free_port)") logs+=("$work/tdkt-B.log")
  TDKT_LISTEN=127.0.0.1:${ports[1]} DATABASE_URL=$service_url "$bin_b" serve > "${logs[1]}" 2>&1 &
  procs+=($!) pids+=($!)
fi
for port in "${ports[@]}"; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
pool=${PEER_POOL:-$(curl -s "http://127.0.0.1:${ports[0]}/metrics" | awk '/^tdkt_db_pool_connections\{pool="primary"\}/ {print $2}')}
sql() { "$bin" sql | awk -v n="$1" '$0 == n {getline; print}'; }
get_sql=$(sql units_get) list_sql=$(sql units_list)
node_port=$(free_port)
PEER_LISTEN=127.0.0.1:$node_port PEER_WORKERS=$workers PEER_POOL=$(((pool + workers - 1) / workers)) \
  PEER_GET_SQL=$get_sql PEER_LIST_SQL=$list_sql DATABASE_URL=$service_url node tests/bench/peer/server.js > "$work/node.log" 2>&1 &
names+=(node) ports+=("$node_port") logs+=("$work/node.log") procs+=($!) pids+=($!)

# the same answers, byte for byte, before measuring
for path in "/v1/units/$max_id" "/v1/units?limit=50"; do
  for i in "${!names[@]}"; do
    for _ in $(seq 100); do
      code=$(curl -s -o "$work/body.${names[$i]}" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[$i]}$path") || true
      [[ $code == 200 ]] && break
      sleep 0.1
    done
    [[ $code == 200 ]] || { echo "${names[$i]}: GET $path answered $code"; tail -n 5 "${logs[$i]}"; exit 1; }
    cmp -s "$work/body.tdkt" "$work/body.${names[$i]}" || { echo "${names[$i]} and tdkt answer GET $path differently"; exit 1; }
  done
done

# pgbench: the same two statements, prepared, as tdkt sends them ($1 the id or the cursor, $2 51)
printf '\\set id random(%s, %s)\n%s;\n' "$min_id" "$max_id" "${get_sql//\$1/:id}" > "$work/get.sql"
l=${list_sql//\$1/:after}
printf '\\set after 0\n\\set lim 51\n%s;\n' "${l//\$2/:lim}" > "$work/list.sql"

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); tdkt's pool $pool, Node $workers workers × $(((pool + workers - 1) / workers));" \
  "$rounds rounds of ${seconds} s; $bin_a${bin_b:+ (tdkt) and $bin_b (tdkt-B)}"
printf '%-5s %-4s %-8s %5s %8s %8s %8s %8s %11s %9s %8s %9s\n' round read system conns "req/s" "p50 ms" "p99 ms" "sp99 ms" "app µs/req" "pg µs/req" "rss MB" answered
status=0
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
record() { # round scenario system conns: prints the run and adds it to $work/runs.tsv
  local app_us pg_us
  app_us=$(awk -v t="$app" -v n="$requests" -v u="$tick_us" 'BEGIN {printf "%.0f", t * u / n}')
  pg_us=$(awk -v t="$pg" -v n="$requests" -v u="$tick_us" 'BEGIN {printf "%.0f", t * u / n}')
  printf '%-5s %-4s %-8s %5s %8s %8s %8s %8s %11s %9s %8s %9s\n' "$1" "$2" "$3" "$4" "$rps" "$p50" "$p99" "$sp99" "$app_us" "$pg_us" "$mb" "$answered"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$rps" "$p50" "$p99" "$sp99" "$requests" "$app" "$pg" "$mb" "$1" >> "$work/runs.tsv"
}
measure() { # round scenario system-index connections
  local i=$3 conns=$4 out from a0 a1 p0 p1
  sleep 1 # the previous run's requests still in flight when wrk stopped are logged before $from
  from=$(($(wc -l < "${logs[$i]}") + 1))
  a0=$(ticks "${procs[$i]}") p0=$(ticks "$postmaster")
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 2s --latency -s "$work/$2.lua" "http://127.0.0.1:${ports[$i]}" 2>&1)
  a1=$(ticks "${procs[$i]}") p1=$(ticks "$postmaster")
  app=$((a1 - a0)) pg=$((p1 - p0))
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  wrk_figures "$out" "$from" "${logs[$i]}"
  # every wrk connection has its own client port: count the ports the server answered
  answered="$(tail -n +"$from" "${logs[$i]}" | grep -ao '"peer":"[^"]*"' | sort -u | wc -l)/$conns"
  mb=$(rss "${procs[$i]}")
  [[ ${names[$i]} == node ]] && mb=-
  record "$1" "$2" "${names[$i]}" "$conns"
  [[ $non2xx == 0 && $timeouts == 0 ]] || { echo "  $non2xx answers not 2xx, $timeouts timed out"; status=1; }
  [[ ${answered%/*} -ge $conns ]] || { echo "  starved: only $answered connections answered"; status=1; }
}
pgbench_run() { # round scenario
  local out p0 p1 lat
  sleep 1
  rm -f "$work"/pgbench_log.*
  p0=$(ticks "$postmaster")
  # a tenth of the transactions logged, for the percentiles
  out=$(PGOPTIONS="-c timezone=UTC -c datestyle=ISO" with_ticks pgbench -M prepared -n -c16 -j2 -T"$seconds" \
    -l --sampling-rate=0.1 --log-prefix="$work/pgbench_log" -f "$work/$2.sql" "$service_url" 2>&1)
  p1=$(ticks "$postmaster")
  app=$(tail -n 1 <<<"$out") pg=$((p1 - p0))
  requests=$(awk '/number of transactions actually processed/ {print $NF}' <<<"$out")
  rps=$(awk '/^tps = / {printf "%.0f", $3}' <<<"$out")
  lat=$(cat "$work"/pgbench_log.* | awk '{print $3 / 1000}' | sort -g | awk '{a[NR] = $1} END {printf "%.2f %.2f", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}')
  read -r p50 p99 <<<"$lat"
  sp99=- mb=- answered=-
  [[ -n $requests && $requests -gt 0 ]] || { echo "pgbench failed:"; echo "$out"; exit 1; }
  grep -q 'number of failed transactions: 0 ' <<<"$out" || { grep 'failed' <<<"$out"; status=1; }
  record "$1" "$2" pgbench 16
}

for scenario in get list; do
  # warm: Node's JIT, every system's caches and connections; not measured
  for i in "${!names[@]}"; do wrk -t2 -c16 -d2s -s "$work/$scenario.lua" "http://127.0.0.1:${ports[$i]}" >/dev/null; done
  for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
      measure "$round" "$scenario" "$i" 16
      [[ ${names[$i]} == tdkt* ]] && measure "$round" "$scenario" "$i" 64
    done
    pgbench_run "$round" "$scenario"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); tdkt's peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/${procs[0]}/status")"

# per system: the mean of the rounds' req/s, the median of their p50, p99 and sp99, the worst p99,
# and CPU over all rounds (ticks / requests)
python3 - "$work/runs.tsv" "$tick_us" <<'PY'
import statistics as st, sys
from collections import defaultdict
runs, tick = defaultdict(list), int(sys.argv[2])
for line in open(sys.argv[1]):
    s, system, conns, rps, p50, p99, sp99, n, app, pg, mb, _ = line.rstrip("\n").split("\t")
    runs[(s, system, int(conns))].append((float(rps), p50, p99, sp99, int(n), int(app), int(pg), mb))
med = lambda xs: "-" if "-" in xs else f"{st.median(float(x) for x in xs):.2f}"
summary = {}
print(f"\n{'read':5} {'system':8} {'conns':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'worst':>7} {'sp99 ms':>8} {'app µs':>7} {'pg µs':>6} {'rss MB':>7}")
for (s, system, conns), rs in runs.items():
    rps = st.mean(r[0] for r in rs)
    n = sum(r[4] for r in rs)
    app, pg = sum(r[5] for r in rs) * tick / n, sum(r[6] for r in rs) * tick / n
    worst = "-" if rs[0][2] == "-" else f"{max(float(r[2]) for r in rs):.2f}"
    rss = "-" if rs[0][7] == "-" else f"{max(float(r[7]) for r in rs):.1f}"
    summary[(s, system, conns)] = (rps, app, pg)
    print(f"{s:5} {system:8} {conns:>5} {rps:8.0f} {med([r[1] for r in rs]):>7} {med([r[2] for r in rs]):>7} {worst:>7} "
          f"{med([r[3] for r in rs]):>8} {app:7.0f} {pg:6.0f} {rss:>7}")
print("\nat 16 connections, tdkt against the others (req/s; the other's CPU µs per request, application + PostgreSQL, / tdkt's)")
for s in ("get", "list"):
    for t in ("tdkt", "tdkt-B"):
        if (s, t, 16) not in summary:
            continue
        rps, app, pg = summary[(s, t, 16)]
        node, pgb = summary[(s, "node", 16)], summary[(s, "pgbench", 16)]
        print(f"  {s:5} {t}/node {rps / node[0]:.2f}× ({(node[1] + node[2]) / (app + pg):.2f}×)   "
              f"{t}/pgbench {rps / pgb[0]:.2f}× ({(pgb[1] + pgb[2]) / (app + pg):.2f}×)")
    if (s, "tdkt-B", 16) in summary:
        for c in (16, 64):
            a, b = summary[(s, "tdkt", c)], summary[(s, "tdkt-B", c)]
            print(f"  {s:5} B against A at {c}: req/s {100 * (b[0] / a[0] - 1):+.1f}%, app µs {100 * (b[1] / a[1] - 1):+.1f}%, pg µs {100 * (b[2] / a[2] - 1):+.1f}%")
PY
exit $status
