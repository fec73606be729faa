#!/usr/bin/env bash
# The topology of docker/compose.yaml with processes instead of containers, and what it must
# survive. Everything under one temporary folder, on Unix sockets and free loopback ports:
#   PostgreSQL primary + a streaming replica (pg_basebackup -R), the demo data,
#   two tdkt instances (reads from the replica: TDKT_READ_DATABASE_URL),
#   nginx with docker/nginx.conf (both instances upstream, failed GETs passed to the other).
# Then, bounded (about 30 s in all):
#   (a) load through nginx while instance a gets SIGTERM and comes back: no GET may fail; every
#       POST carries an Idempotency-Key and is retried by the client until answered, and each
#       lands exactly once (counted in the database); some are sent again once answered, some
#       twice at once, so that replays certainly happen (counted), each the first answer;
#   (b) read-your-writes with real lag: replay paused on the replica, a write's
#       Tdkt-Commit-Position makes its read see it (the primary serves it) while a read without
#       it does not (the replica serves it); once replayed, the replica serves reads that name
#       that position; an invalid position is 400;
#   (c) the replica stopped: reads fall back to the primary.
# Exits non-zero on any failure. CLUSTER_KEEP=1 keeps the folder with every log.
#   tests/cluster/run.sh [build/tdkt]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build/tdkt}")
scripts/deps.sh nginx wrk curl postgresql python3-requests
source tests/cluster/lib.sh
started=$SECONDS
status=0
fail() { echo "cluster: FAIL: $*"; status=1; }

start_primary
start_replica
instance_env=(TDKT_READ_DATABASE_URL="$replica_url" TDKT_DB_POOL=4 TDKT_READ_DB_POOL=4 TDKT_ACCESS_LOG=on)
start_tdkt a "${instance_env[@]}"
start_tdkt b "${instance_env[@]}"
start_nginx a b
base=http://127.0.0.1:$nginx_port
unit=$("${psql_primary[@]}" -c "SELECT id FROM units WHERE code = 'TT-LSN'")
ttcp=$("${psql_primary[@]}" -c "SELECT id FROM units WHERE code = 'TTCP'")
token=$("$bin" token --sub 1 --role admin --unit-id "$ttcp")
auth=(-H "Authorization: Bearer $token")
echo "cluster: primary, replica, tdkt a :${tdkt_port[a]} and b :${tdkt_port[b]}, nginx :$nginx_port ($((SECONDS - started)) s)"

# the image's HEALTHCHECK (docker/Dockerfile), run here against instance b
probe=$(python3 -c '
import json, re
text = open("docker/Dockerfile").read().replace("\\\n", "")
print(json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.M).group(1))[2])')
if bash -c "${probe//127.0.0.1\/8080/127.0.0.1/${tdkt_port[b]}}"; then
  echo "cluster: the image's HEALTHCHECK passes against instance b"
else
  fail "the image's HEALTHCHECK fails against a ready instance: $probe"
fi

# /metrics is each instance's, for the scraper: nginx does not pass it on; the replica's pool is in it
proxied=$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")
direct=$(curl -s "http://127.0.0.1:${tdkt_port[b]}/metrics")
if [[ $proxied == 404 ]] && grep -q '^tdkt_db_pool_connections{pool="replica"} 4$' <<<"$direct"; then
  echo "cluster: /metrics answered by instance b with its replica pool, 404 through nginx"
else
  fail "/metrics through nginx answered $proxied, or instance b shows no replica pool"
fi

# a read in a read-only transaction that names the caller (row-level security: reports) is
# served by the replica too: its COMMIT asks the replica for nothing it cannot answer
scoped=$(curl -s -o "$work/scoped" -w '%{http_code}' "${auth[@]}" "http://127.0.0.1:${tdkt_port[b]}/v1/reports?limit=1")
if [[ $scoped == 200 ]]; then
  echo "cluster: a read under row-level security answered from the replica"
else
  fail "GET /v1/reports from the replica answered $scoped: $(head -c 300 "$work/scoped")"
fi

replica_xacts() { "${psql_replica[@]}" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'tdkt'"; }

# --- (a) load while instance a stops and comes back ------------------------------------------
prefix="cluster-load-$$"
xacts_before=$(replica_xacts)
python3 tests/cluster/load.py "$base" "$token" "$unit" "${CLUSTER_LOAD_SECONDS:-10}" "$prefix" > "$work/load.json" &
load_pid=$!
sleep 3
drain_rc=0
stop_tdkt a || drain_rc=$?
[[ $drain_rc -eq 0 ]] || fail "instance a exited $drain_rc on SIGTERM (0: drained)"
sleep 1
start_tdkt a "${instance_env[@]}"
wait "$load_pid" || fail "the load client failed"
replica_served=$(( $(replica_xacts) - xacts_before ))
python3 - "$work/load.json" "$prefix" "$replica_served" "${psql_primary[@]}" <<'PY' || status=1
import json, subprocess, sys
stats = json.load(open(sys.argv[1]))
prefix, replica_served, psql = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
out = subprocess.run(psql + ["-c", f"SELECT full_name || '|' || count(*) FROM people WHERE full_name LIKE '{prefix} %' GROUP BY full_name"],
                     capture_output=True, text=True)
if out.returncode:
    sys.exit(f"cluster: FAIL: counting rows: {out.stderr}")
counts = {r.rsplit("|", 1)[0]: int(r.rsplit("|", 1)[1]) for r in out.stdout.splitlines()}
ok = True
def check(cond, what):
    global ok
    if not cond:
        ok = False
        print("cluster: FAIL:", what)
check(stats["gets"] > 0 and not stats["get_failures"], f"{len(stats['get_failures'])} of {stats['gets']} GETs failed: {stats['get_failures'][:5]}")
check(stats["posts"] > 0 and not stats["post_failures"], f"POSTs never answered: {stats['post_failures'][:5]}")
twice = {k: v for k, v in counts.items() if v != 1}
check(not twice, f"POSTs that landed more than once: {twice}")
check(set(counts) == set(stats["names"]), f"rows and answered POSTs differ: {len(counts)} rows, {len(stats['names'])} answered")
check(stats["positions"] == stats["answers"], "a 201 (first or replayed) without Tdkt-Commit-Position")
# the replay path ran, whatever the SIGTERM did: answers resent with their key, and twins sent at once
check(stats["replayed"] > 0 and stats["doubled"] > 0, f"no replay: {stats['replayed']} resent, {stats['doubled']} sent twice at once")
check(not stats["replay_mismatches"], f"a replay that was not the first answer: {stats['replay_mismatches'][:5]}")
check(replica_served > 0, "the replica served no reads")
print(f"cluster: (a) {stats['gets']} GETs, {len(stats['get_failures'])} failed; {stats['posts']} POSTs in {stats['post_attempts']} attempts "
      f"({stats['post_retried']} retried by the client: {stats['retry_reasons'] or 'none'}; {stats['replayed']} resent once answered "
      f"and {stats['doubled']} sent twice at once, each given the first answer), {len(counts)} rows, each once; "
      f"replica transactions {replica_served}")
sys.exit(0 if ok else 1)
PY
for n in a b; do
  served=$(grep -c '"type":"access"' "$work/$n.log" || true)
  echo "cluster:     instance $n answered $served requests (its access log)"
done
passed=$(grep -c '"upstream_status":"[0-9]*, ' "$work/nginx/access.log" || true)
echo "cluster:     nginx passed $passed requests on to the other instance"

# --- (b) read-your-writes with real lag --------------------------------------------------------
post_person() { # name -> "id position"
  curl -s -D "$work/headers" "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"unit_id\": $unit, \"full_name\": \"$1\"}" "$base/v1/people" > "$work/body"
  local id pos
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
  pos=$(tr -d '\r' < "$work/headers" | sed -n 's/^tdkt-commit-position: //Ip')
  echo "$id $pos"
}
# get_codes PATH [POSITION]: the statuses of four reads (round-robin: two per instance)
get_codes() {
  local out="" i hdr=()
  [[ -n "${2:-}" ]] && hdr=(-H "Tdkt-Min-Position: $2")
  for i in 1 2 3 4; do out+="$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "${hdr[@]}" "$base$1") "; done
  echo "${out% }"
}
expect() { # what got want
  if [[ "$2" == "$3" ]]; then echo "cluster:     $1: $2"; else fail "$1: got '$2', want '$3'"; fi
}
pause_replay() {
  "${psql_replica[@]}" -c "SELECT pg_wal_replay_pause()" >/dev/null
  for _ in $(seq 50); do
    [[ $("${psql_replica[@]}" -c "SELECT pg_get_wal_replay_pause_state()") == paused ]] && return 0
    sleep 0.1
  done
  fail "replay did not pause"
}
wait_replayed() { # position
  for _ in $(seq 100); do
    [[ $("${psql_replica[@]}" -c "SELECT pg_last_wal_replay_lsn() >= '$1'::pg_lsn") == t ]] && return 0
    sleep 0.1
  done
  fail "the replica did not replay up to $1 in 10 s"
}

echo "cluster: (b) read-your-writes"
pause_replay
read -r id1 pos1 < <(post_person "cluster lag one $$")
[[ "$pos1" =~ ^[0-9A-F]+/[0-9A-F]+$ ]] || fail "POST answered no Tdkt-Commit-Position (got '$pos1')"
lag=$("${psql_replica[@]}" -c "SELECT pg_wal_lsn_diff('$pos1', pg_last_wal_replay_lsn())")
echo "cluster:     replay paused; person $id1 written at $pos1, $lag bytes of WAL past the replica"
expect "read naming $pos1 (primary)" "$(get_codes "/v1/people/$id1" "$pos1")" "200 200 200 200"
expect "read naming no position (replica, behind)" "$(get_codes "/v1/people/$id1")" "404 404 404 404"
"${psql_replica[@]}" -c "SELECT pg_wal_replay_resume()" >/dev/null
wait_replayed "$pos1"
expect "after replay, no position (replica)" "$(get_codes "/v1/people/$id1")" "200 200 200 200"
# the replica serves a read naming a position it has replayed: shown by a later write it has not
pause_replay
read -r id2 pos2 < <(post_person "cluster lag two $$")
expect "person $id2 naming $pos1 (replica: replayed $pos1, not $pos2)" "$(get_codes "/v1/people/$id2" "$pos1")" "404 404 404 404"
expect "person $id2 naming $pos2 (primary)" "$(get_codes "/v1/people/$id2" "$pos2")" "200 200 200 200"
"${psql_replica[@]}" -c "SELECT pg_wal_replay_resume()" >/dev/null
wait_replayed "$pos2"
expect "person $id2 naming $pos2 once replayed" "$(get_codes "/v1/people/$id2" "$pos2")" "200 200 200 200"
bad=$(curl -s -o "$work/body" -w '%{http_code} %{content_type}' "${auth[@]}" -H 'Tdkt-Min-Position: 0/XYZ' "$base/v1/people/$id2")
expect "invalid Tdkt-Min-Position" "$bad" "400 application/problem+json"

# --- (c) the replica stopped: reads fall back to the primary -----------------------------------
# (each instance logs the replica connection it finds dead: the errors checked are those before)
for n in a b; do cp "$work/$n.log" "$work/$n.before-c.log"; done
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/replica/data" -m fast -w stop >/dev/null
expect "replica stopped, no position" "$(get_codes "/v1/people/$id2")" "200 200 200 200"
expect "replica stopped, naming $pos2" "$(get_codes "/v1/people/$id2" "$pos2")" "200 200 200 200"

for n in a b; do
  if grep -E 'AddressSanitizer|runtime error|"level":"error"' "$work/$n.before-c.log" | head -n 5 | grep .; then
    fail "instance $n logged errors"
  fi
done
echo "cluster: $([[ $status -eq 0 ]] && echo pass || echo FAIL) in $((SECONDS - started)) s"
exit $status
