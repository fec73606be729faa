#!/usr/bin/env bash
# Documents in bounded memory (issue 14): BENCH_CLIENTS (8) clients upload distinct files of
# BENCH_MIB (20) MiB each at once, as raw bodies with curl, to one dossier of a fresh database
# (PostgreSQL with fsync on: the pieces are really written); then the same clients download them
# at once. Prints the server's resident memory idle, its peak (VmHWM, /proc) after the uploads and
# after the downloads, the wall time and throughput of each round, and the load average (this
# 2-core machine is shared). Fails when an answer is not 201/200, a download differs from its
# file, a blob or piece is missing or left over, or the peak grows by more than BENCH_MAX_MIB
# (64) over idle — the server holds pieces of 256 KiB, never a file.
#   tests/bench/documents.sh build/tdkt   (BENCH_CLIENTS=8 BENCH_MIB=20 BENCH_MAX_MIB=64)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
clients=${BENCH_CLIENTS:-8}
mib=${BENCH_MIB:-20}
max_growth=${BENCH_MAX_MIB:-64}
source tests/bench/workdir.sh bench-documents

{ read -r owner_url; read -r service_url; } < <(scripts/pg.sh start "$work/pg")
export TDKT_MIGRATE_DATABASE_URL=$owner_url TDKT_DB_ROLE=tdkt_app
export TDKT_JWT_SECRET=bench-secret-0123456789abcdef-0123456789
export TDKT_MAX_DOCUMENT_BYTES=$((mib * 1024 * 1024))
DATABASE_URL=$owner_url "$bin" migrate >/dev/null
sql() { psql -X -At -v ON_ERROR_STOP=1 "$owner_url" -c "SELECT set_config('tdkt.actor_role', 'system', false)" -c "$1" | sed -n 2p; }
unit=$(sql "INSERT INTO units (code, name, short_name, kind) VALUES ('B-1', 'Thanh tra tỉnh (bench)', 'TT', 'provincial_inspectorate') RETURNING id")
above=$(sql "INSERT INTO units (code, name, short_name, kind) VALUES ('B-0', 'Thanh tra Chính phủ (bench)', 'TTCP', 'government_inspectorate') RETURNING id")
dossier=$(sql "INSERT INTO dossiers (number, year, proposing_unit_id, approving_unit_id) VALUES ('1/TTr-BENCH', 2026, $unit, $above) RETURNING id")
token=$(DATABASE_URL=$service_url "$bin" token --sub 1 --role officer --unit-id "$unit")

echo "making $clients distinct files of $mib MiB..."
for i in $(seq "$clients"); do
  { printf '%%PDF-1.7\n%%bench %s\n' "$i"; head -c $((mib * 1024 * 1024 - 24)) /dev/urandom; } | head -c $((mib * 1024 * 1024)) > "$work/f$i.pdf"
done

export TDKT_ACCESS_LOG=off
start_server
# one request first, so that the pool's connections and a worker's buffers are there when idle is read
curl -sf -H "Authorization: Bearer $token" "$base/v1/dossiers/$dossier/documents" >/dev/null
kib() { awk -v k="$1" '$1 == k ":" {print $2}' "/proc/$server_pid/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
idle=$(kib VmRSS)
now() { date +%s.%N; }
status=0

# the peak while a round runs, sampled as well: VmHWM is the figure, VmRSS shows it is not a spike
watch_rss() { while kill -0 "$server_pid" 2>/dev/null; do kib VmRSS; sleep 0.05; done > "$work/rss.$1"; }

round() { # name, then the command for client $i (a function)
  local name=$1 fn=$2 t0 t1
  watch_rss "$name" & local watcher=$!
  t0=$(now)
  local pids=()
  for i in $(seq "$clients"); do "$fn" "$i" > "$work/$name.$i" & pids+=($!); done
  # the clients only: the server is a job of this shell too
  wait "${pids[@]}"
  t1=$(now)
  kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true
  local wall seen
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  seen=$(sort -n "$work/rss.$name" | tail -n 1)
  echo "  $name: $clients x $mib MiB in $wall s = $(awk -v n=$((clients * mib)) -v w="$wall" 'BEGIN {printf "%.1f", n / w}') MiB/s;" \
       "server RSS sampled max $(mb "$seen") MB, VmHWM $(mb "$(kib VmHWM)") MB (idle $(mb "$idle") MB)"
}

up() {
  curl -s -o "$work/up.body.$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/pdf' \
    -H 'Expect:' --upload-file "$work/f$1.pdf" "$base/v1/dossiers/$dossier/documents?kind=other&filename=f$1.pdf"
}
down() {
  local id
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/up.body.$1")
  curl -s -o "$work/down.$1" -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/documents/$id/content"
}

echo "server $bin, $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
round uploads up
for i in $(seq "$clients"); do
  [[ $(cat "$work/uploads.$i") == 201 ]] || { echo "  upload $i: $(cat "$work/uploads.$i") $(cat "$work/up.body.$i")"; status=1; }
done
after_up=$(kib VmHWM)
round downloads down
for i in $(seq "$clients"); do
  [[ $(cat "$work/downloads.$i") == 200 ]] && cmp -s "$work/f$i.pdf" "$work/down.$i" || { echo "  download $i differs"; status=1; }
done
hwm=$(kib VmHWM)
blobs=$(sql "SELECT count(*) FROM document_blobs WHERE sha256 IS NOT NULL")
pieces=$(sql "SELECT count(*) FROM document_chunks")
left=$(sql "SELECT count(*) FROM document_blobs WHERE sha256 IS NULL")
echo "  stored: $blobs blobs in $pieces pieces of 256 KiB ($left uploads left behind); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$blobs" == "$clients" && "$pieces" == $((clients * mib * 4)) && "$left" == 0 ]] || status=1
growth=$(( (hwm - idle) / 1024 ))
echo "  peak over idle: $growth MB after uploads and downloads (uploads alone: $(( (after_up - idle) / 1024 )) MB); the files were $((clients * mib)) MiB"
(( growth <= max_growth )) || { echo "  the peak grew more than $max_growth MB: a file is being held"; status=1; }
exit $status
