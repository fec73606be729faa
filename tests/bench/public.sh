#!/usr/bin/env bash
# Load benchmark of the public lists (issue 14: "under 10 ms p99 at 64 connections; a cached page is
# fine if it stays correct"). Seeds, as the owner saying it is the system (every trigger on), 200
# units with 20 people each and a change feed of 100,000 rows of other entities (ratings) so that
# the position probe has a feed to look through; 40 dossiers in public notice of 10 nominees each
# (400 nominees: people, units and households, with a paragraph of achievements) among 120 others
# (drafts, submitted, returned, decided), and 300 decisions of 1–3 awards each, a tenth cancelled.
# Then the plans of the two position probes (each must be one index-only probe of its partial index)
# and wrk on 127.0.0.1 for BENCH_SECONDS (10) at 64 connections: each list's first page (50 items),
# the same with If-None-Match (304), a later page, one decision, and the nominees' list while a
# writer renames a unit every 200 ms (each rename moves the position: the next request makes the
# page again, the others arriving meanwhile wait for it). Two loads: saturated, every connection
# sending its next request as soon as it has an answer (wrk's usual closed loop: throughput, and a
# latency that is 64 / throughput by Little's law, whatever the service), and paced, each connection
# pausing BENCH_PACE_MS (20) between requests (about 3,000 requests/s: what the issue's "p99 at 64
# connections" is judged at). Requests/s, p50 and p99 (wrk's and the server's own from its access
# log), CPU per request of the server and of PostgreSQL (all its processes) from /proc. On this
# 2-core machine wrk, the server and PostgreSQL share the cores, with whatever else runs (the load
# average is printed): wrk's p99 includes a wrk thread's wait for a core (see
# tests/bench/eligibility.sh), so the bench judges the server's own p99.
#   tests/bench/public.sh build/tdkt   (BENCH_SECONDS=10)
# Fails when an answer is not 2xx/304, a probe is not an index-only scan of its index, or the
# server's own p99 of a paced cached run reaches 10 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${BENCH_SECONDS:-10}
conns=64
source tests/bench/workdir.sh bench-public

# the database, psql_owner, scalar, now, since, $root, $service_url
source tests/bench/reports_seed.sh

echo "seeding 200 units, 4,000 people, a feed of 100,000 ratings, 160 dossiers (400 nominees in notice), 300 decisions..."
t=$(now)
psql_owner <<SQL
SET tdkt.actor_role = 'system';
$(district_units_sql P 1 200)
INSERT INTO people (unit_id, full_name, position)
SELECT u.id, 'Cán bộ ' || u.code || '-' || g, CASE WHEN g = 1 THEN 'Chánh Thanh tra' ELSE 'Thanh tra viên' END
FROM units u CROSS JOIN generate_series(1, 20) g WHERE u.code LIKE 'P-%' ORDER BY u.id, g;
-- the feed's bulk: 100,000 changes of another entity
INSERT INTO ratings (person_id, year, rating, rated_by_unit_id, source)
SELECT p.id, y, (ARRAY['excellent', 'good', 'complete'])[abs(hashint8(p.id * 64 + y)) % 3 + 1], p.unit_id, 'import'
FROM people p CROSS JOIN generate_series(2001, 2025) y WHERE p.full_name LIKE 'Cán bộ P-%';
-- 160 dossiers to the root: a quarter in notice (started 3 days ago, 10 days), the rest in other states
INSERT INTO dossiers (number, year, proposing_unit_id, approving_unit_id, status, submitted_at, notice_days,
                      notice_from, notice_until)
SELECT g || '/TTr-BENCH', 2026, u.id, $root, s.status, CASE WHEN s.status = 'draft' THEN NULL ELSE now() END,
       CASE WHEN s.published THEN 10 END, CASE WHEN s.published THEN current_date - 3 END,
       CASE WHEN s.published THEN current_date + 7 END
FROM generate_series(1, 160) g JOIN units u ON u.code = 'P-' || g
CROSS JOIN LATERAL (SELECT CASE g % 4 WHEN 0 THEN 'public_notice' WHEN 1 THEN 'draft' WHEN 2 THEN 'submitted'
                    ELSE CASE WHEN g % 8 = 3 THEN 'returned' ELSE 'decided' END END AS status) st
CROSS JOIN LATERAL (SELECT st.status, st.status IN ('public_notice', 'decided') AS published) s;
-- 10 nominees a dossier: 7 people, 2 units, 1 household, each with a paragraph of achievements
INSERT INTO proposals (dossier_id, award_kind_code, recipient_person_id, recipient_unit_id, recipient_household, achievements)
SELECT d.id, CASE WHEN n <= 7 THEN 'chien_si_thi_dua_co_so' WHEN n <= 9 THEN 'tap_the_lao_dong_tien_tien' ELSE 'giay_khen' END,
       CASE WHEN n <= 7 THEN (SELECT id FROM people WHERE unit_id = d.proposing_unit_id ORDER BY id OFFSET n - 1 LIMIT 1) END,
       CASE WHEN n IN (8, 9) THEN (SELECT id FROM units WHERE code = 'P-' || ((d.id * 7 + n) % 200 + 1)) END,
       CASE WHEN n = 10 THEN jsonb_build_object('name', 'Hộ ông Lò Văn ' || d.id, 'address', 'Bản ' || d.id) END,
       'Hoàn thành xuất sắc nhiệm vụ năm 2026; chủ trì ' || n || ' cuộc thanh tra, kiến nghị thu hồi '
       || (n * 130) || ' triệu đồng; tham gia tiếp công dân, giải quyết đơn thư đúng hạn; là điển hình của phong trào'
       || ' thi đua "Dân vận khéo" ở cơ quan.'
FROM dossiers d CROSS JOIN generate_series(1, 10) n WHERE d.number LIKE '%/TTr-BENCH';
-- 300 decisions of the root over 2024–2026, a tenth cancelled, each granting 1–3 awards
INSERT INTO decisions (number, signed_on, issuing_unit_id, signer_name, signer_title, status, cancel_reason,
                       cancel_legal_basis, cancelled_on, cancelling_number)
SELECT g || '/QĐ-BENCH', date '2024-01-10' + g * 3, $root, 'Người ký ' || g, 'Tổng Thanh tra',
       CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'in_force' END,
       CASE WHEN g % 10 = 0 THEN 'Khai không đúng thành tích' END, CASE WHEN g % 10 = 0 THEN 'Luật Thi đua, khen thưởng 2022, Điều 94' END,
       CASE WHEN g % 10 = 0 THEN date '2024-01-10' + g * 3 + 30 END, CASE WHEN g % 10 = 0 THEN 'H' || g || '/QĐ-BENCH' END
FROM generate_series(1, 300) g;
INSERT INTO awards (award_kind_code, year, recipient_person_id, recipient_unit_id, decision_id, decision_number,
                    decided_on, issuing_unit_id, source, revoked_on, revocation_reason)
SELECT CASE WHEN n = 2 THEN 'tap_the_lao_dong_tien_tien' ELSE 'chien_si_thi_dua_co_so' END,
       extract(year FROM d.signed_on)::int,
       CASE WHEN n <> 2 THEN (SELECT id FROM people WHERE full_name = 'Cán bộ P-' || (d.id % 200 + 1) || '-' || n) END,
       CASE WHEN n = 2 THEN (SELECT id FROM units WHERE code = 'P-' || (d.id % 200 + 1)) END,
       d.id, d.number, d.signed_on, d.issuing_unit_id, 'decision',
       d.cancelled_on, CASE WHEN d.status = 'cancelled' THEN d.cancel_reason END
FROM decisions d CROSS JOIN generate_series(1, 3) n WHERE d.number LIKE '%/QĐ-BENCH' AND n <= d.id % 3 + 1;
SQL
echo "  in $(since "$t") s"
psql -X -q -h "$work/pg/run" -U postgres -d tdkt -c CHECKPOINT
psql_owner -c "VACUUM ANALYZE units, people, ratings, dossiers, proposals, decisions, awards, audit_log, change_feed"
echo "  $(scalar "SELECT count(*) FROM change_feed") changes in the feed;" \
  "$(scalar "SELECT count(*) FROM proposals p JOIN dossiers d ON d.id = p.dossier_id WHERE d.status = 'public_notice'") nominees in notice" \
  "of $(scalar "SELECT count(*) FROM proposals") nominees; $(scalar "SELECT count(*) FROM decisions") decisions," \
  "$(scalar "SELECT count(*) FROM awards WHERE decision_id IS NOT NULL") of their awards"

status=0
echo "the position probes (EXPLAIN ANALYZE, as the role serve logs in as):"
"$bin" sql > "$work/statements.sql"
for name in public_proposals_position public_decisions_position; do
  text=$(awk -v n="$name" '$0 == n {on = 1; next} on && /^$/ {exit} on {print}' "$work/statements.sql")
  plan=$(psql -X -q "$service_url" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, BUFFERS) $text")
  printf '  %-26s %s\n' "$name" "$(grep -E 'Scan|Execution' <<<"$plan" | sed 's/^ *//; s/^-> *//' | paste -sd';' | sed 's/;/; /g')"
  grep -q "Index Only Scan Backward using change_feed_${name%_position}_idx" <<<"$plan" ||
    { echo "    not an index-only probe of change_feed_${name%_position}_idx"; status=1; }
done

start_server


# the pages measured, and what each answers
p1=$(curl -s -D "$work/h1" "$base/v1/public/proposals")
etag_p=$(awk 'tolower($1) == "etag:" {print $2}' "$work/h1" | tr -d '\r')
cursor_p=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["next_cursor"])' "$p1")
d1=$(curl -s -D "$work/h2" "$base/v1/public/decisions")
etag_d=$(awk 'tolower($1) == "etag:" {print $2}' "$work/h2" | tr -d '\r')
one=$(scalar "SELECT min(id) FROM decisions WHERE status = 'cancelled'")
echo "the pages: proposals $(wc -c <<<"$p1") B (50 items, ETag $etag_p), decisions $(wc -c <<<"$d1") B (ETag $etag_d)"

measure() { # url header-or-empty pace-ms (0: as fast as answered): sets rps p50 p99 sp50 sp99 cpu requests
  local out from
  sleep 1
  : > "$work/h.lua"
  if [[ -n "$2" ]]; then printf 'wrk.headers["If-None-Match"] = "%s"\n' "${2//\"/\\\"}" >> "$work/h.lua"; fi
  if [[ "$3" != 0 ]]; then printf 'function delay() return %d end\n' "$3" >> "$work/h.lua"; fi
  from=$(($(wc -l < "$work/server.log") + 1))
  read -r server0 pg0 < <(cpu_ticks)
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s --latency -s "$work/h.lua" "$1" 2>&1)
  read -r server1 pg1 < <(cpu_ticks)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v s=$((server1 - server0)) -v p=$((pg1 - pg0)) -v n="$requests" 'BEGIN { printf "%.3f / %.3f", s * 10 / n, p * 10 / n }')
  wrk_figures "$out" "$from"
  if [[ "$non2xx" != 0 || "$timeouts" != 0 ]]; then echo "  $non2xx answers not 2xx or 3xx, $timeouts timed out"; status=1; fi
}
rows=()
run() { # label url if-none-match pace-ms judged(1|0)
  measure "$2" "$3" "$4"
  local mode="saturated"; [[ $4 != 0 ]] && mode="paced ${4} ms"
  printf '  %-40s %-12s %7s/s  p50 %6s ms  p99 %6s ms  (server %s / %s ms; CPU per request: server / PostgreSQL %s ms)\n' \
    "$1" "$mode" "$rps" "$p50" "$p99" "$sp50" "$sp99" "$cpu"
  rows+=("| $1 | $mode | $rps | $p50 ms | $p99 ms | $sp50 / $sp99 ms | $cpu ms |")
  if [[ $5 == 1 ]] && awk -v p="$sp99" 'BEGIN { exit !(p >= 10) }'; then
    echo "    server p99 $sp99 ms at $conns connections: not under 10 ms"; status=1
  fi
}
pace=${BENCH_PACE_MS:-20}
echo "wrk at $conns connections, ${seconds} s each, as fast as answered (saturated: latency = 64 / throughput) and each"
echo "connection pausing ${pace} ms between requests (paced, judged); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run "proposals, first page" "$base/v1/public/proposals" "" 0 0
run "proposals, first page" "$base/v1/public/proposals" "" "$pace" 1
run "proposals, If-None-Match (304)" "$base/v1/public/proposals" "$etag_p" 0 0
run "proposals, second page" "$base/v1/public/proposals?cursor=$cursor_p" "" 0 0
run "decisions, first page" "$base/v1/public/decisions" "" 0 0
run "decisions, first page" "$base/v1/public/decisions" "" "$pace" 1
run "decisions, If-None-Match (304)" "$base/v1/public/decisions" "$etag_d" 0 0
run "one decision" "$base/v1/public/decisions/$one" "" 0 0
run "one decision" "$base/v1/public/decisions/$one" "" "$pace" 1
# a unit renamed every 200 ms by another writer: each rename moves the position, so the next
# request of each page makes it again
( end=$((SECONDS + seconds + 3)); i=0
  while (( SECONDS < end )); do
    psql -X -q "$DATABASE_URL" -c "SET tdkt.actor_role = 'system'; UPDATE units SET name = 'Thanh tra huyện số 1 (bench, $i)' WHERE code = 'P-1'" >/dev/null
    i=$((i + 1)); echo "$i" > "$work/renames"; sleep 0.2
  done ) &
writer=$!
run "proposals, a unit renamed every 200 ms" "$base/v1/public/proposals" "" "$pace" 0
wait "$writer"
echo "  units renamed during that run: $(cat "$work/renames"); server peak RSS: $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status") MB"
echo
echo "| GET, 64 connections | load | requests/s | p50 | p99 | server p50 / p99 | CPU per request: server / PostgreSQL |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $status
