# Sourced by reports.sh with $bin and $work set: a private PostgreSQL under $work/pg (DATABASE_URL
# the owner, service_url the role serve logs in as), the schema, the root authority unit ($root),
# and the functions that seed the reports benchmark's data as the owner saying it is the system
# (reports have FORCE row-level security), every trigger on.
{ read -r TDKT_MIGRATE_DATABASE_URL; read -r service_url; } < <(scripts/pg.sh start "$work/pg" fast)
# the seeding works as the owner; serve logs in as the role that owns nothing
export DATABASE_URL=$TDKT_MIGRATE_DATABASE_URL TDKT_MIGRATE_DATABASE_URL TDKT_DB_ROLE=tdkt_app
export TDKT_JWT_SECRET=bench-secret-0123456789abcdef-0123456789
"$bin" migrate >/dev/null
psql_owner() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
scalar() { psql -X -At "$DATABASE_URL" -c "SELECT set_config('tdkt.actor_role', 'system', false)" -c "$1" | tail -n 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# A report's 27 base figures from a seed and the span's share of the year: plausible non-negative
# whole numbers that also keep the consistency rules (parts within their wholes, planned +
# unplanned = inspections), deterministic. pg_temp: each session that seeds defines it.
figures_fn="
CREATE FUNCTION pg_temp.bench_figures(seed bigint, f numeric) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
SELECT jsonb_build_object(
  'inspections', p + q, 'inspections_planned', p, 'inspections_unplanned', q,
  'conclusions_issued', round((p + q) * 0.8), 'inspected_subjects', round(f * (20 + h[3] % 200)),
  'violation_vnd', vnd, 'violation_land_m2', land,
  'recovery_recommended_vnd', rec_vnd, 'recovery_recommended_land_m2', rec_land,
  'recovered_vnd', round(rec_vnd * (h[6] % 101) / 100), 'recovered_land_m2', round(rec_land * (h[7] % 101) / 100),
  'sanction_decisions', sd, 'sanction_vnd', sd * 7500000,
  'admin_handling_orgs', round(f * (h[9] % 30)), 'admin_handling_individuals', round(f * (h[10] % 120)),
  'cases_transferred', ct, 'subjects_transferred', 2 * ct, 'transferred_vnd', ct * (h[12] % 5000) * 1000000,
  'policy_recommendations', round(f * (h[13] % 10)),
  'reception_turns', turns, 'citizens_received', turns + round(f * (h[15] % 100)),
  'petitions_received', pet, 'petitions_eligible', round(pet * 0.7),
  'complaints_in_competence', cic, 'complaints_resolved', round(cic * (80 + h[18] % 21) / 100),
  'corruption_cases_detected', h[19] % 3, 'petty_corruption_incidents', h[20] % 5)
FROM (SELECT h, round(f * (8 + h[1] % 25)) AS p, round(f * (h[2] % 8)) AS q,
             round(f * (h[4] % 50000)) * 1000000 AS vnd, round(f * (h[5] % 20000)) AS land,
             round(f * (h[4] % 50000) * 0.6) * 1000000 AS rec_vnd, round(f * (h[5] % 20000) * 0.5) AS rec_land,
             round(f * (h[8] % 40)) AS sd, h[11] % 3 AS ct, round(f * (50 + h[14] % 400)) AS turns,
             round(f * (80 + h[16] % 500)) AS pet, round(f * (h[17] % 60)) AS cic
      FROM (SELECT array_agg(abs(hashint8(seed * 64 + n))::bigint ORDER BY n) AS h
            FROM generate_series(1, 20) n) x) y
\$\$;"
# the spans, in the order a year's reports arrive, with their share of the year
spans_sql="(VALUES ('q1', 0.25, 1), ('q2', 0.25, 2), ('h1', 0.5, 3), ('q3', 0.25, 4), ('9m', 0.75, 5),
                   ('q4', 0.25, 6), ('h2', 0.5, 7), ('year', 1.0, 8)) AS s(span, f, k)"

root=$(psql -X -q -At -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "INSERT INTO units (code, name, short_name, kind)
  VALUES ('BENCH-ROOT', 'Thanh tra Chính phủ (bench)', 'TTCP', 'government_inspectorate') RETURNING id")

# the SQL that adds district inspectorates PREFIX-FROM..PREFIX-TO under the root (every bench's)
district_units_sql() { # prefix from to
  cat <<SQL
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT '$1-' || g, 'Thanh tra huyện số ' || g || ' (bench)', 'TT ' || g, 'district_inspectorate', $root,
       lpad((g % 63 + 1)::text, 2, '0')
FROM generate_series($2, $3) g;
SQL
}

# units R-FROM..R-TO under the root, in clusters BR-n of 10 (the first of each the leader),
# members every year 2016–2025
add_units() { # from to
  psql_owner <<SQL
SET tdkt.actor_role = 'system';
$(district_units_sql R "$1" "$2")
INSERT INTO clusters (code, name, organizer_unit_id)
SELECT 'BR-' || g, 'Cụm thi đua số ' || g || ' (bench)', $root FROM generate_series(($1 + 9) / 10, $2 / 10) g;
INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
SELECT c.id, $root, y, u.id, CASE WHEN u.n % 10 = 1 THEN 'leader' ELSE 'member' END
FROM (SELECT id, substr(code, 3)::int AS n FROM units WHERE code LIKE 'R-%') u
JOIN clusters c ON c.code = 'BR-' || (u.n - 1) / 10 + 1
CROSS JOIN generate_series(2016, 2025) y
WHERE u.n BETWEEN $1 AND $2;
ANALYZE units; ANALYZE clusters; ANALYZE cluster_members;
SQL
}

# the reports of units R-FROM..R-TO for the years and spans, in the order they would arrive (year,
# span, unit); a tenth drafts, the rest submitted or accepted
add_reports() { # from to first-year last-year 'span condition'
  psql_owner <<SQL
SET tdkt.actor_role = 'system';
$figures_fn
INSERT INTO reports (unit_id, year, span, figures, status, submitted_at, submitted_by, reviewed_at, reviewed_by)
SELECT g.unit_id, g.year, g.span, pg_temp.bench_figures(g.seed, g.f), st.status,
       CASE WHEN st.status <> 'draft' THEN make_date(g.year, 12, 20) END, CASE WHEN st.status <> 'draft' THEN 1 END,
       CASE WHEN st.status = 'accepted' THEN make_date(g.year, 12, 28) END, CASE WHEN st.status = 'accepted' THEN 2 END
FROM (SELECT u.id AS unit_id, y AS year, s.span, s.f, s.k, u.n * 8192 + (y - 2000) * 16 + s.k AS seed
      FROM (SELECT id, substr(code, 3)::int AS n FROM units WHERE code LIKE 'R-%') u
      CROSS JOIN generate_series($3, $4) y CROSS JOIN $spans_sql
      WHERE u.n BETWEEN $1 AND $2 AND $5) g
CROSS JOIN LATERAL (SELECT CASE abs(hashint8(g.seed)) % 10 WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted'
                    WHEN 2 THEN 'submitted' WHEN 3 THEN 'submitted' ELSE 'accepted' END AS status) st
ORDER BY g.year, g.k, g.unit_id;
SQL
}

# vacuum and analyse what the seeding wrote, as autovacuum would have by then, until every page of
# the tables read is all-visible (index-only scans that do not visit the heap): a page stays
# unmarked while the seeding's commit is not flushed (synchronous_commit is off: pg.sh fast; hence
# the checkpoint, as the superuser) or while another snapshot still predates it (an autovacuum's
# ANALYZE that started during the seeding)
settle() {
  local tables="units, clusters, cluster_members, reports, audit_log, change_feed" try
  psql -X -q -h "$work/pg/run" -U postgres -d tdkt -c CHECKPOINT
  psql_owner -c "VACUUM ANALYZE $tables"
  for try in $(seq 20); do
    [[ $(scalar "SELECT bool_and(relallvisible >= relpages) FROM pg_class
                 WHERE relname IN ('cluster_members', 'reports')") == t ]] && return
    sleep 1
    psql_owner -c "VACUUM cluster_members, reports"
  done
  echo "  some pages are still not all-visible"
}

