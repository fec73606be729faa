#!/usr/bin/env bash
# Load benchmark of evaluations (issue 12, "Scale"): a cluster-year of 60 member units (a leader,
# a deputy, 58 members) with accepted yearly reports and submitted registrations with targets
# (seeded as the owner saying it is the system, every trigger on), then through the API, as the
# members' officers: an evaluation with a 200-node, 3-level criteria tree (BENCH_QUALITATIVE
# qualitative leaves, 56 by default: 60 × 60 × 56 = 201,600 score rows; quantitative leaves on
# 5 indicators of the reports; 4 fixed, 3 bonus, 3 penalty), scoring opened, every member's full
# score sheet PUT one at a time (timed), voting opened, the 60 ballots cast at once (wall time;
# all 201 and ballots_cast 60) and again (all 409), close (timed: the results of 60 members ×
# 200 criteria made and kept), then wrk on 127.0.0.1, BENCH_SECONDS (10) at 1 and at 16
# connections, on GET /v1/evaluations/{id}/results as JSON and as CSV with a member officer's
# token: requests/s, p50 and p99 (wrk's, and the server's own from its access log) and the CPU
# per request of the server, PostgreSQL (all its processes) and wrk, from /proc; last, the JSON
# again with the stored results uncompressed (this database only), to show what their
# compression costs. On this 2-core machine wrk, the server and PostgreSQL share the cores.
#   tests/bench/evaluations.sh build/tdkt   (BENCH_SECONDS=10 BENCH_QUALITATIVE=56)
# Fails when an answer is not the one expected, a ballot is lost or counted twice, or the JSON
# results' p99 (wrk's) at 16 connections reaches 50 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
seconds=${BENCH_SECONDS:-10}
qualitative=${BENCH_QUALITATIVE:-56}
members=60
year=2025
source tests/bench/workdir.sh bench-evaluations

# the database, the report figures function (bench_figures), psql_owner, scalar, settle, $root
source tests/bench/reports_seed.sh

echo "seeding a cluster of $members members for $year..."
t=$(now)
psql_owner <<SQL
SET tdkt.actor_role = 'system';
$figures_fn
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT 'E-' || g, 'Thanh tra tỉnh số ' || g || ' (bench)', 'TT ' || g, 'provincial_inspectorate', $root,
       lpad(g::text, 2, '0')
FROM generate_series(1, $members) g;
INSERT INTO clusters (code, name, organizer_unit_id) VALUES ('BE-1', 'Cụm thi đua (bench, $members đơn vị)', $root);
-- E-1 leads, E-2 is the deputy
INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
SELECT (SELECT id FROM clusters WHERE code = 'BE-1'), $root, $year, u.id,
       CASE substr(u.code, 3)::int WHEN 1 THEN 'leader' WHEN 2 THEN 'deputy' ELSE 'member' END
FROM units u WHERE u.code LIKE 'E-%';
INSERT INTO campaigns (code, title, kind, launched_by_unit_id, starts_on, ends_on, status)
VALUES ('BE-$year', 'Phong trào thi đua năm $year (bench)', 'regular', $root, '$year-01-01', '$year-12-31', 'active');
INSERT INTO campaign_clusters (campaign_id, cluster_id)
SELECT (SELECT id FROM campaigns WHERE code = 'BE-$year'), (SELECT id FROM clusters WHERE code = 'BE-1');
-- the yearly reports with the 27 base figures, accepted; E-59's only submitted (no accepted report)
INSERT INTO reports (unit_id, year, span, figures, status, submitted_at, submitted_by, reviewed_at, reviewed_by)
SELECT u.id, $year, 'year', pg_temp.bench_figures(substr(u.code, 3)::int * 8192 + 77, 1.0), st,
       make_date($year, 12, 20), 1, CASE WHEN st = 'accepted' THEN make_date($year, 12, 28) END,
       CASE WHEN st = 'accepted' THEN 2 END
FROM units u CROSS JOIN LATERAL (SELECT CASE WHEN u.code = 'E-59' THEN 'submitted' ELSE 'accepted' END AS st) s
WHERE u.code LIKE 'E-%';
-- submitted registrations with a target for each of the 5 indicators the tree reads: from 80 %
-- to 120 % of the actual figure (every fifth unit exactly at it); E-60 registered no targets
INSERT INTO registrations (campaign_id, unit_id, year, targets, status, submitted_at)
SELECT (SELECT id FROM campaigns WHERE code = 'BE-$year'), r.unit_id, $year,
       (SELECT jsonb_agg(jsonb_build_object('indicator_code', i,
                 'target', greatest(1, round((r.figures ->> i)::numeric * (0.8 + (n % 5) * 0.1)))))
        FROM unnest(ARRAY['inspections', 'conclusions_issued', 'recovered_vnd', 'citizens_received',
                          'complaints_resolved']) i),
       'submitted', make_date($year, 2, 1)
FROM reports r JOIN units u ON u.id = r.unit_id CROSS JOIN LATERAL (SELECT substr(u.code, 3)::int AS n) x
WHERE u.code LIKE 'E-%' AND u.code <> 'E-60' AND r.year = $year;
SQL
settle
cluster=$(scalar "SELECT id FROM clusters WHERE code = 'BE-1'")
mapfile -t units < <(psql -X -At "$DATABASE_URL" -c "SELECT id FROM units WHERE code LIKE 'E-%' ORDER BY substr(code, 3)::int")
echo "  seeded in $(since "$t") s: ${#units[@]} members, $(scalar "SELECT count(*) FROM reports") reports, $(scalar "SELECT count(*) FROM registrations") registrations"

start_server

status=0
echo "the evaluation through the API (tree, $members score sheets, ballots, close)..."
python3 tests/bench/evaluations_api.py "$bin" "$base" "$cluster" "$year" "$qualitative" "${units[@]}" > "$work/api.out" || status=1
declare -A f
while IFS='=' read -r k v; do f[$k]=$v; done < "$work/api.out"
[[ -n "${f[close]:-}" ]] || { echo "the evaluation's API part stopped early:"; cat "$work/api.out"; exit 1; }
ev=${f[evaluation]}
rows=$(scalar "SELECT count(*) FROM evaluation_scores WHERE evaluation_id = $ev")
echo "  tree: ${f[tree]}"
echo "  score sheets: $members PUTs of ${f[put_items]} items (${f[put_bytes]} bytes), median ${f[put_median]} s, max ${f[put_max]} s, all ${f[put_total]} s; $rows score rows"
echo "  ballots at once: ${f[ballots_201]} of $members answered 201 (${f[ballots_statuses]}) in ${f[ballots_wall]} s; ballots_cast ${f[ballots_cast]}"
echo "  again: ${f[second_409]} of $members answered 409 in ${f[second_wall]} s"
echo "  close: ${f[close]} s; results ${f[results_bytes]} bytes JSON, ${f[csv_bytes]} bytes CSV (${f[csv_lines]} lines); first: ${f[results_top]}"
[[ "$rows" == $((members * members * qualitative)) ]] || { echo "  $rows score rows, not $((members * members * qualitative))"; status=1; }
[[ "${f[ballots_201]}" == "$members" && "${f[ballots_cast]}" == "$members" && "${f[second_409]}" == "$members" ]] || status=1

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status"; }
rss_api=$(hwm)
# wrk's latency (1.23ms, 850.00us, 1.02s) in ms
measure() { # accept [connections]: sets rps p50 p99 (wrk's), sp50 sp99 (the server's own, from its
            # access log), cpu (ms per request: server / PostgreSQL / wrk), non2xx
  local out from conns=${2:-16}
  printf 'wrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Accept"] = "%s"\n' "${f[officer_token]}" "$1" > "$work/results.lua"
  from=$(($(wc -l < "$work/server.log") + 1))
  read -r server0 pg0 < <(cpu_ticks)
  out=$(/usr/bin/time -f '%U %S' -o "$work/wrk.cpu" wrk -t$((conns < 2 ? 1 : 2)) -c"$conns" -d"${seconds}s" \
    --timeout 5s --latency -s "$work/results.lua" "$base/v1/evaluations/$ev/results" 2>&1)
  read -r server1 pg1 < <(cpu_ticks)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # CPU per request (ms): the server, PostgreSQL (every process of it), wrk
  cpu=$(awk -v s=$((server1 - server0)) -v p=$((pg1 - pg0)) -v n="$requests" -v w="$(cat "$work/wrk.cpu")" \
    'BEGIN { split(w, x, " "); printf "%.2f / %.2f / %.2f", s * 10 / n, p * 10 / n, (x[1] + x[2]) * 1000 / n }')
  wrk_figures "$out" "$from"
  if [[ "$non2xx" != 0 || "$timeouts" != 0 ]]; then echo "  $1: $non2xx answers not 2xx, $timeouts timed out"; status=1; fi
}
echo "GET /v1/evaluations/$ev/results, ${seconds} s each (load average before: $(cut -d' ' -f1-3 /proc/loadavg)):"
declare -A fig
run() { # label accept connections
  measure "$2" "$3"
  fig[$1]="$rps/s, $p50 ms, $p99 ms (server $sp50 / $sp99 ms; CPU $cpu ms)"
  printf '  %-28s %5s/s  p50 %7s ms  p99 %7s ms  (server %s / %s ms; CPU per request: server / PostgreSQL / wrk %s ms)\n' \
    "$1" "$rps" "$p50" "$p99" "$sp50" "$sp99" "$cpu"
}
run "JSON, 1 connection" application/json 1
run "JSON, 16 connections" application/json 16
rss_json=$(hwm)
awk -v p="$p99" 'BEGIN { exit !(p >= 50) }' && { echo "  JSON results p99 $p99 ms at 16 connections: not under 50 ms"; status=1; }
run "CSV, 1 connection" text/csv 1
run "CSV, 16 connections" text/csv 16
rss_csv=$(hwm)
# what the stored results' compression costs: the same row stored uncompressed (this database
# only; sql/0018 keeps the default, compressed)
before=$(scalar "SELECT pg_column_size(results) FROM evaluation_results WHERE evaluation_id = $ev")
psql_owner -c "ALTER TABLE evaluation_results ALTER results SET STORAGE EXTERNAL" \
  -c "UPDATE evaluation_results SET results = results::text::json WHERE evaluation_id = $ev"
after=$(scalar "SELECT pg_column_size(results) FROM evaluation_results WHERE evaluation_id = $ev")
echo "  stored results: $before bytes compressed (default), $after bytes uncompressed:"
run "JSON uncompressed, 16 conns" application/json 16

echo
printf '| %-46s | %s |\n' "figure" "value" "---" "---"
printf '| %-46s | %s |\n' \
  "criteria tree (200 nodes, 3 levels)" "${f[tree]}" \
  "score sheet PUT ($members × $qualitative = ${f[put_items]} items)" "median ${f[put_median]} s, max ${f[put_max]} s" \
  "score rows" "$rows" \
  "$members ballots at once" "${f[ballots_201]} × 201 in ${f[ballots_wall]} s, ballots_cast ${f[ballots_cast]}" \
  "the same again" "${f[second_409]} × 409 in ${f[second_wall]} s" \
  "close" "${f[close]} s" \
  "results JSON (${f[results_bytes]} B), 1 connection" "${fig[JSON, 1 connection]}" \
  "results JSON, 16 connections" "${fig[JSON, 16 connections]}" \
  "results CSV (${f[csv_bytes]} B), 1 connection" "${fig[CSV, 1 connection]}" \
  "results CSV, 16 connections" "${fig[CSV, 16 connections]}" \
  "results JSON stored uncompressed, 16 conns" "${fig[JSON uncompressed, 16 conns]}" \
  "server peak RSS: after the API part, JSON, CSV" "$rss_api MB, $rss_json MB, $rss_csv MB"
exit $status
