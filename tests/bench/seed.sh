# Sourced by run.sh and compare.sh with $bin (whose migrations make the schema), $work and
# $nunits set: a private PostgreSQL under $work/pg, the bench's data, a viewer's token, and one wrk
# script per scenario in $work (get, list, campaigns, awards, reg). Sets DATABASE_URL (the owner),
# service_url (the role serve logs in as), min_id and the other bounds. With seed_units_only=1
# (peer.sh) it stops after the units, their token and the get and list scripts.
{ read -r TDKT_MIGRATE_DATABASE_URL; read -r service_url; } < <(scripts/pg.sh start "$work/pg" fast)
# the seeding below works as the owner; serve logs in as the role that owns nothing
export DATABASE_URL=$TDKT_MIGRATE_DATABASE_URL TDKT_MIGRATE_DATABASE_URL TDKT_DB_ROLE=tdkt_app
export TDKT_JWT_SECRET=bench-secret-0123456789abcdef-0123456789
"$bin" migrate >/dev/null

echo "seeding $nunits units..."
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
INSERT INTO units (code, name, short_name, kind, province_code)
VALUES ('BENCH-ROOT', 'Thanh tra Chính phủ (bench)', 'TTCP', 'government_inspectorate', NULL);
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT 'B-' || g, 'Thanh tra huyện Đông Hưng số ' || g || ' tỉnh Thái Bình, phòng nghiệp vụ',
       'TT ' || g, 'district_inspectorate', (SELECT id FROM units WHERE code = 'BENCH-ROOT'),
       lpad((g % 96 + 1)::text, 2, '0')
FROM generate_series(1, $nunits - 1) AS g;
ANALYZE units;
SQL
read -r min_id max_id < <(psql -X -At -F ' ' "$DATABASE_URL" -c "SELECT min(id), max(id) FROM units")
token=$("$bin" token --sub 1 --role viewer --unit-id "$min_id" --ttl 3600)

# one wrk script per scenario: a GET of the path expression (Lua), random ids drawn per request
scenario() { # name lua-path-expression
  printf 'math.randomseed(os.time())\nwrk.headers["Authorization"] = "Bearer %s"\nrequest = function()\n  return wrk.format("GET", %s)\nend\n' \
    "$token" "$2" > "$work/$1.lua"
}
scenario get "\"/v1/units/\" .. math.random($min_id, $max_id)"
scenario list "\"/v1/units?limit=50\""
[[ "${seed_units_only:-0}" == 1 ]] && return

# one campaign and a registration per unit, half of them drafts, to measure row-level security
# (seeded as 'system': the policy lets nothing else write without saying who it is)
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
SELECT set_config('tdkt.actor_role', 'system', false);
INSERT INTO campaigns (code, title, kind, launched_by_unit_id, starts_on, ends_on, status)
VALUES ('BENCH', 'Phong trào thi đua (bench)', 'regular', $min_id, '2024-01-01', '2024-12-31', 'active');
INSERT INTO registrations (campaign_id, unit_id, year, targets, status)
SELECT (SELECT id FROM campaigns WHERE code = 'BENCH'), u.id, 2024,
       '[{"indicator_code": "inspections", "target": 12}]', CASE WHEN u.id % 2 = 0 THEN 'draft' ELSE 'submitted' END
FROM units u;
ANALYZE registrations;
SQL
# issue 4's scale: 10,000 campaigns in 100 clusters over ten years, 1,000,000 registrations
# (the audit trigger is off while seeding: a million audit rows would only slow the seed)
echo "seeding 10,000 campaigns and 1,000,000 registrations..."
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
SELECT set_config('tdkt.actor_role', 'system', false);
ALTER TABLE registrations DISABLE TRIGGER registrations_record_change;
ALTER TABLE campaigns DISABLE TRIGGER campaigns_record_change;
ALTER TABLE clusters DISABLE TRIGGER clusters_record_change;
INSERT INTO clusters (code, name, organizer_unit_id)
SELECT 'BC-' || g, 'Cụm thi đua số ' || g, $min_id FROM generate_series(1, 100) g;
INSERT INTO campaigns (code, title, kind, launched_by_unit_id, starts_on, ends_on, status)
SELECT 'BCP-' || g, 'Phong trào thi đua số ' || g, CASE WHEN g % 3 = 0 THEN 'thematic' ELSE 'regular' END, $min_id,
       make_date(2015 + g % 10, 1, 1), make_date(2015 + g % 10 + (g % 2), 12, 31), 'active'
FROM generate_series(1, 10000) g;
INSERT INTO campaign_clusters (campaign_id, cluster_id)
SELECT c.id, cl.id FROM campaigns c JOIN clusters cl ON cl.code = 'BC-' || (1 + c.id % 100) WHERE c.code LIKE 'BCP-%';
INSERT INTO registrations (campaign_id, unit_id, year, targets, status)
SELECT c.id, $min_id + 1 + (c.id * 7919 + g) % ($max_id - $min_id), extract(year FROM c.starts_on)::int,
       '[{"indicator_code": "inspections", "target": 10}]', 'submitted'
FROM campaigns c CROSS JOIN generate_series(1, 100) g WHERE c.code LIKE 'BCP-%'
ON CONFLICT DO NOTHING;
ALTER TABLE registrations ENABLE TRIGGER registrations_record_change;
ALTER TABLE campaigns ENABLE TRIGGER campaigns_record_change;
ALTER TABLE clusters ENABLE TRIGGER clusters_record_change;
ANALYZE;
SQL
# the award record: 100,000 people with 10 awards each, 1,000,000 awards, read a person at a time
echo "seeding 100,000 people and 1,000,000 awards..."
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
ALTER TABLE people DISABLE TRIGGER people_record_change;
ALTER TABLE awards DISABLE TRIGGER awards_record_change;
INSERT INTO people (unit_id, full_name, position)
SELECT $min_id + g % ($max_id - $min_id + 1), 'Nguyễn Văn Thanh ' || g, 'Thanh tra viên'
FROM generate_series(1, 100000) g;
INSERT INTO awards (award_kind_code, year, recipient_person_id, decision_number, decided_on, issuing_unit_id, source)
SELECT CASE WHEN y % 3 = 0 THEN 'chien_si_thi_dua_co_so' ELSE 'lao_dong_tien_tien' END, 2010 + y, p.id,
       y || '/QĐ-TTr', make_date(2010 + y, 12, 20), p.unit_id, 'history'
FROM people p CROSS JOIN generate_series(1, 10) y WHERE p.full_name LIKE 'Nguyễn Văn Thanh %';
ALTER TABLE people ENABLE TRIGGER people_record_change;
ALTER TABLE awards ENABLE TRIGGER awards_record_change;
ANALYZE people;
ANALYZE awards;
SQL
read -r person_min person_max < <(psql -X -At -F ' ' "$DATABASE_URL" -c "SELECT min(id), max(id) FROM people")
read -r cl_min cl_max < <(psql -X -At -F ' ' "$DATABASE_URL" -c "SELECT min(id), max(id) FROM clusters WHERE code LIKE 'BC-%'")
echo "registrations: $(psql -X -At "$DATABASE_URL" -c "SELECT set_config('tdkt.actor_role', 'system', false); SELECT count(*) FROM registrations" | tail -n 1)"

read -r reg_min reg_max < <(psql -X -At -F ' ' "$DATABASE_URL" -c "SELECT set_config('tdkt.actor_role', 'system', false); SELECT min(id), max(id) FROM registrations" | tail -n 1)
scenario reg "\"/v1/registrations/\" .. math.random($reg_min, $reg_max)"
scenario campaigns "\"/v1/campaigns?limit=50&cluster_id=\" .. math.random($cl_min, $cl_max) .. \"&year=\" .. math.random(2015, 2024)"
scenario awards "\"/v1/people/\" .. math.random($person_min, $person_max) .. \"/awards\""
