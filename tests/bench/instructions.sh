#!/usr/bin/env bash
# Instructions per request, counted by callgrind: what a change to the request path saves, told
# apart from the noise of a shared 2-core machine (wrk's figures drift by more than a few per
# cent between runs; an instruction count does not). Not a speed: kernel time (futex, writev,
# the socket) is not in it; tests/bench/ measures that with wrk.
#   tests/bench/instructions.sh build/tdkt [N]     (N requests per scenario, 2,000 by default;
#   INSTRUCTIONS_KEEP=DIR keeps the dumps, FUNCTIONS="a b" names the functions shown)
# Seeds 1,000 units, serves under callgrind with a pool of 1, sends N warm-up requests and then
# N by-id reads and N list pages of 50 on one keep-alive connection, each phase's count dumped
# apart; prints the instructions per request of the whole server and of the functions named in
# $FUNCTIONS (inclusive), per scenario.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
n=${2:-2000}
nunits=1000
FUNCTIONS=${FUNCTIONS:-"dispatch router_match authenticate run_handler db_run db_row_json send_response access_log cursor_encode"}
source tests/bench/workdir.sh bench-instructions
command -v valgrind >/dev/null || { echo "valgrind is needed (make bench installs it)"; exit 1; }

{ read -r owner_url; read -r service_url; } < <(scripts/pg.sh start "$work/pg" fast)
export TDKT_MIGRATE_DATABASE_URL=$owner_url TDKT_DB_ROLE=tdkt_app TDKT_JWT_SECRET=bench-secret-0123456789abcdef-0123456789
DATABASE_URL=$owner_url "$bin" migrate >/dev/null
psql -X -q -v ON_ERROR_STOP=1 "$owner_url" <<SQL
INSERT INTO units (code, name, short_name, kind, province_code)
SELECT 'B-' || g, 'Thanh tra huyện Đông Hưng số ' || g || ' tỉnh Thái Bình, phòng nghiệp vụ', 'TT ' || g,
       'district_inspectorate', lpad((g % 96 + 1)::text, 2, '0')
FROM generate_series(1, $nunits) AS g;
ANALYZE units;
SQL
read -r min_id max_id < <(psql -X -At -F ' ' "$owner_url" -c "SELECT min(id), max(id) FROM units")
token=$("$bin" token --sub 1 --role viewer --unit-id "$min_id")

port=$(free_port)
TDKT_LISTEN=127.0.0.1:$port TDKT_DB_POOL=1 DATABASE_URL=$service_url \
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" --dump-instr=no --collect-atstart=yes \
  "$bin" serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

# one connection; between phases a dump, so each file holds one phase
trap 'cat "$work/server.log" | tail -5; cleanup' EXIT
python3 - "$port" "$token" "$n" "$min_id" "$max_id" "$server_pid" <<'PY'
import http.client, os, random, subprocess, sys
port, token, n, lo, hi, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
c = http.client.HTTPConnection("127.0.0.1", int(port))
h = {"Authorization": "Bearer " + token}
def phase(name, paths):
    for p in paths:
        c.request("GET", p, headers=h)
        r = c.getresponse(); r.read()
        assert r.status == 200, (p, r.status)
    subprocess.run(["callgrind_control", "--dump=" + name, pid], check=True, stdout=subprocess.DEVNULL)
rnd = random.Random(1)
phase("warmup", [f"/v1/units/{rnd.randint(lo, hi)}" for _ in range(n)] + ["/v1/units?limit=50"] * (n // 10))
phase("get", [f"/v1/units/{rnd.randint(lo, hi)}" for _ in range(n)])
phase("list", ["/v1/units?limit=50"] * n)
PY
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

printf '%-22s %12s %12s\n' "instructions/request" get list
per() { # file function: inclusive Ir of function (or the total) per request
  local file=$1 fn=$2 ir
  if [[ "$fn" == total ]]; then
    ir=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
  else
    ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$file" 2>/dev/null | grep -E ":$fn( |\$)" | head -n 1 |
      awk '{gsub(",", "", $1); print $1}')
  fi
  awk -v i="${ir:-0}" -v n="$n" 'BEGIN { printf "%.0f", i / n }'
}
get=$(ls "$work"/cg.*.* | grep -- '-get$\|\.2$' | head -1 || true)
list=$(ls "$work"/cg.*.* | grep -- '-list$\|\.3$' | head -1 || true)
[[ -n "$get" && -n "$list" ]] || { ls "$work"; echo "callgrind dumps not found"; exit 1; }
# INSTRUCTIONS_KEEP=DIR keeps the two dumps for callgrind_annotate (DIR/get.cg, DIR/list.cg)
[[ -z "${INSTRUCTIONS_KEEP:-}" ]] || { mkdir -p "$INSTRUCTIONS_KEEP"; cp "$get" "$INSTRUCTIONS_KEEP/get.cg"; cp "$list" "$INSTRUCTIONS_KEEP/list.cg"; }
for fn in total $FUNCTIONS; do
  printf '%-22s %12s %12s\n' "$fn" "$(per "$get" "$fn")" "$(per "$list" "$fn")"
done
