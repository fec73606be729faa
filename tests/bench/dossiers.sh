#!/usr/bin/env bash
# Issue 14's scale: a dossier of 200 nominees submitted (each nominee's eligibility computed and
# stored) in under 2 s, and a decision granting 500 awards in one transaction in under 2 s.
# Seeds, as the owner saying it is the system, a root authority with a unit under it holding 700
# people, each with a 10-year record (Lao động tiên tiến every year, Chiến sĩ thi đua cơ sở in
# some, ratings every year, a recognised initiative in some); then through the API, as the
# service answers its clients: a dossier of the unit's officer addressed to the root, its 200
# nominees for Chiến sĩ thi đua cấp bộ/tỉnh (added in SQL: the bench measures the submit), and
# `submit` timed ROUNDS (3) times (a `return` between rounds sends it back); a second dossier of 500
# nominees approved (in SQL: the bench measures the decision) and POST /v1/decisions naming them
# all, timed, its awards counted. Prints each time and the server's peak RSS. Fails when a submit
# or the decision takes 2 s or more, or an answer is not the one expected.
#   tests/bench/dossiers.sh build/tdkt
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
rounds=${ROUNDS:-3}
source tests/bench/workdir.sh bench-dossiers
source tests/bench/reports_seed.sh
status=0

echo "seeding 700 people with 10-year records..."
t=$(now)
psql_owner <<SQL
SET tdkt.actor_role = 'system';
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
VALUES ('DX-U', 'Thanh tra huyện (bench, hồ sơ)', 'TT DX', 'district_inspectorate', $root, '01');
INSERT INTO people (unit_id, full_name, position)
SELECT (SELECT id FROM units WHERE code = 'DX-U'), 'Cán bộ DX-' || g, 'Thanh tra viên' FROM generate_series(1, 700) g;
INSERT INTO awards (award_kind_code, year, recipient_person_id, decision_number, decided_on)
SELECT CASE WHEN (p.id + y) % 3 = 0 THEN 'chien_si_thi_dua_co_so' ELSE 'lao_dong_tien_tien' END, y, p.id,
       'DX/' || y || '/' || p.id, make_date(y, 12, 28)
FROM people p CROSS JOIN generate_series(2016, 2025) y WHERE p.full_name LIKE 'Cán bộ DX-%';
INSERT INTO ratings (person_id, year, rating, rated_by_unit_id, source)
SELECT p.id, y, CASE WHEN (p.id + y) % 4 = 0 THEN 'excellent' ELSE 'good' END, p.unit_id, 'import'
FROM people p CROSS JOIN generate_series(2016, 2025) y WHERE p.full_name LIKE 'Cán bộ DX-%';
ANALYZE units, people, awards, ratings;
SQL
echo "  in $(since "$t") s"
unit=$(scalar "SELECT id FROM units WHERE code = 'DX-U'")

port=$(free_port)
export TDKT_LISTEN=127.0.0.1:$port
base="http://$TDKT_LISTEN"
DATABASE_URL=$service_url "$bin" serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
officer=$("$bin" token --sub 1 --role officer --unit-id "$unit" --ttl 3600)
authority=$("$bin" token --sub 2 --role authority --unit-id "$root" --ttl 3600)

# call TOKEN METHOD PATH [BODY]: sets code, secs, and the answer in $work/answer.json
call() {
  local out
  out=$(curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}' -X "$2" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' ${4:+-d "$4"} "$base$3")
  read -r code secs <<<"$out"
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/answer.json" "$1"; }
expect() { # code: fails the bench on another answer
  if [[ $code != "$1" ]]; then echo "  expected $1, got $code: $(head -c 300 "$work/answer.json")"; status=1; fi
}
slow() { # what secs
  if awk -v s="$2" 'BEGIN { exit !(s >= 2) }'; then echo "  $1 took $2 s: not under 2 s"; status=1; fi
}

call "$officer" POST /v1/dossiers "{\"number\":\"DX-200\",\"year\":2026,\"proposing_unit_id\":$unit,\"approving_unit_id\":$root}"
expect 201
dossier=$(field id)
psql_owner -c "SET tdkt.actor_role = 'system';
  INSERT INTO proposals (dossier_id, award_kind_code, recipient_person_id)
  SELECT $dossier, 'chien_si_thi_dua_bo_nganh_tinh', id FROM people WHERE unit_id = $unit ORDER BY id LIMIT 200"
echo "submit of a dossier of 200 nominees (eligibility computed and stored for each):"
for i in $(seq "$rounds"); do
  call "$officer" POST "/v1/dossiers/$dossier/submit"
  expect 200
  echo "  round $i: $secs s"
  slow submit "$secs"
  [[ $i == "$rounds" ]] || { call "$authority" POST "/v1/dossiers/$dossier/return" '{"note":"bench: again"}'; expect 200; }
done
stored=$(scalar "SELECT count(*) FROM proposals WHERE dossier_id = $dossier AND eligibility IS NOT NULL")
echo "  nominees with a stored eligibility: $stored of 200 ($(scalar "SELECT count(*) FROM proposals WHERE dossier_id = $dossier AND eligible") eligible)"
[[ $stored == 200 ]] || status=1

call "$officer" POST /v1/dossiers "{\"number\":\"DX-500\",\"year\":2026,\"proposing_unit_id\":$unit,\"approving_unit_id\":$root}"
expect 201
big=$(field id)
psql_owner -c "SET tdkt.actor_role = 'system';
  INSERT INTO proposals (dossier_id, award_kind_code, recipient_person_id, status)
  SELECT $big, 'giay_khen', id, 'approved' FROM people WHERE unit_id = $unit ORDER BY id LIMIT 500;
  UPDATE dossiers SET status = 'reviewed', submitted_on = current_date, submitted_at = now() WHERE id = $big"
ids=$(scalar "SELECT string_agg(id::text, ',' ORDER BY id) FROM proposals WHERE dossier_id = $big")
echo "a decision granting 500 awards (one transaction):"
call "$authority" POST /v1/decisions "{\"number\":\"QĐ-500\",\"signed_on\":\"$(date +%F)\",\"issuing_unit_id\":$root,\"proposal_ids\":[$ids]}"
expect 201
echo "  $secs s; awards granted: $(scalar "SELECT count(*) FROM awards WHERE decision_number = 'QĐ-500'"), dossier $(scalar "SELECT status FROM dossiers WHERE id = $big")"
slow decision "$secs"
echo "  server peak RSS: $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status") MB (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
