/* /v1/clusters — emulation clusters and their yearly members (API.md "Clusters"). Readable by
 * every caller; set up by admins and by authorities whose subtree holds the organiser. The
 * membership rules hold in the database too (sql/0006_clusters.sql); here they get clear
 * answers: 422 naming the field, or the other cluster a unit already belongs to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"
#include "api/write.h"
#include "lib/page.h"
#include "lib/query.h"

#define MAX_MEMBERS 200

static const char *const cluster_kinds[] = {"cluster", "bloc", NULL};
static const char *const member_roles[] = {"leader", "deputy", "member", NULL};

enum { C_ID, C_CODE, C_NAME, C_KIND, C_ORGANIZER, C_DESCRIPTION, C_ACTIVE, C_VERSION };
static const struct field fields[] = {
	[C_ID] = FIELD_ID,
	[C_CODE] = {{"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, upper_code_ok,
		     "must match ^[A-Z0-9][A-Z0-9.-]{0,31}$ (upper-case letters, digits, '.', '-')"}, NULL, COL_STR, 0, NULL},
	[C_NAME] = {{"name", JF_STRING, JF_REQUIRED, 1, 255, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_KIND] = {{"kind", JF_ENUM, 0, 0, 0, cluster_kinds, NULL, NULL}, NULL, COL_STR, 0, "'cluster'"},
	[C_ORGANIZER] = {{"organizer_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
			 FR_OWNER | FR_FILTER, NULL},
	[C_DESCRIPTION] = {{"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_ACTIVE] = {{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL}, NULL, COL_BOOL, 0, "true"},
	FIELDS_ROW_META,
};
static const struct filter filters[] = {
	/* the clusters a unit is in, in a year */
	{{"unit_id", "year"}, {JF_ID, JF_INT}, 2000, 2100,
	 "t.id IN (SELECT cluster_id FROM cluster_members WHERE unit_id = $1 AND year = $2)"},
};

enum { M_UNIT, M_ROLE };
static const struct jfield member_fields[] = {
	[M_UNIT] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[M_ROLE] = {"role", JF_ENUM, JF_REQUIRED, 0, 0, member_roles, NULL, NULL},
};
static const struct jfield rollover_fields[] = {
	{"from_year", JF_INT, JF_REQUIRED, 2000, 2099, NULL, NULL, NULL},
	{"deputy_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
};

static const struct db_constraint constraints[] = {
	{"clusters_code_key", "code", "duplicate", "code is already used by another cluster", 0},
	/* the rules checked in C first; these answer when a concurrent request got there in between */
	{"cluster_members_one_per_organizer", "members", "in_other_cluster",
	 "a member unit is in another cluster of that organiser in the same year", 422},
	{"cluster_members_one_leader", "members", "leader_count", "a cluster has exactly one leader a year", 422},
	{"cluster_members_one_deputy", "members", "deputy_count", "a cluster has at most one deputy a year", 422},
	{"cluster_members_need_leader", "members", "leader_count", "a cluster has exactly one leader a year", 0},
};
static const struct fk_fact facts[] = {
	{"clusters_organizer_fkey", "organizer_unit_id", "organizer_unit_id does not name an existing unit",
	 "the unit organises clusters"},
	{"cluster_members_unit_fkey", "members", "a member unit does not exist", "the unit is a member of clusters"},
};

static const struct resource clusters = {
	RESOURCE("clusters", "/v1/clusters", "Cluster"), WITH(fields, fields),
	.write = ACT_ORGANIZE, .write_denied = "may read clusters but not set them up",
	.searchable = true, WITH(filters, filters),
	WITH(constraints, constraints),
};

static const struct db_stmt stmts[] = {
	{"clusters_members",
	 "SELECT m.unit_id, u.name, m.role FROM cluster_members m JOIN units u ON u.id = m.unit_id"
	 " WHERE m.cluster_id = $1 AND m.year = $2"
	 " ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, m.unit_id"},
	{"clusters_members_json",
	 "SELECT coalesce(jsonb_agg(jsonb_build_object('unit_id', unit_id, 'role', role) ORDER BY unit_id), '[]')"
	 " FROM cluster_members WHERE cluster_id = $1 AND year = $2"},
	/* which of these units already belong to another cluster of the same organiser that year */
	{"clusters_taken",
	 "SELECT m.unit_id, c.code, c.name FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id"
	 " WHERE m.organizer_unit_id = $1 AND m.year = $2 AND m.cluster_id <> $3 AND m.unit_id = ANY ($4::bigint[])"
	 " ORDER BY m.unit_id"},
	{"clusters_units_missing",
	 "SELECT x FROM unnest($1::bigint[]) AS x WHERE NOT EXISTS (SELECT 1 FROM units WHERE id = x)"},
	/* members of $1 outside the subtree of unit $2 */
	{"clusters_units_outside",
	 "SELECT x FROM unnest($1::bigint[]) AS x WHERE x NOT IN " SQL_SUBTREE("$2") " ORDER BY x"},
	{"clusters_members_clear", "DELETE FROM cluster_members WHERE cluster_id = $1 AND year = $2"},
	{"clusters_members_insert",
	 "INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)"
	 " SELECT $1, $2, $3, u, r FROM unnest($4::bigint[], $5::text[]) AS t(u, r)"},
	{"clusters_members_audit",
	 "SELECT tdkt_record_custom('cluster', $1, 'update', jsonb_build_object('members_' || $2,"
	 " jsonb_build_object('old', $3::jsonb, 'new', $4::jsonb)))"},
};

/* {"cluster_id":…,"year":…,"items":[{"unit_id","unit_name","role"}…]}, leader first */
static bool write_members(struct req *r, long long id, long long year)
{
	static const struct db_col member_cols[] = {{"unit_id", COL_NUM}, {"unit_name", COL_STR}, {"role", COL_STR}};
	char idbuf[24], ybuf[24];
	const char *params[] = {id_text(id, idbuf), id_text(year, ybuf)};
	PGresult *res = db_prepared(r->db, "clusters_members", 2, params, &r->err);
	if (!res)
		return false;
	buf_puts(r->out, "{\"cluster_id\":");
	buf_json_int(r->out, id);
	buf_puts(r->out, ",\"year\":");
	buf_json_int(r->out, year);
	buf_puts(r->out, ",\"items\":[");
	for (int i = 0; i < PQntuples(res); i++) {
		if (i)
			buf_putc(r->out, ',');
		db_row_json(r->out, res, i, member_cols, 3);
	}
	buf_puts(r->out, "]}");
	PQclear(res);
	return true;
}

static int clusters_members_get(struct req *r)
{
	struct query q;
	long long id, year = 0;
	bool has_year;
	PGresult *res = NULL;
	struct db_conn *db;
	char idbuf[24];
	if (!req_path_id(r, "id", &id) || !query_parse(r->query, &q, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!has_year)
		return req_fail(r, 400, "Query parameter year is required.");
	if (!req_db(r, &db))
		return -1;
	const char *params[] = {id_text(id, idbuf)};
	res = db_prepared(db, "clusters_get", 1, params, &r->err);
	if (!res)
		return -1;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	if (!exists)
		return req_fail(r, 404, "Cluster %lld does not exist.", id);
	return write_members(r, id, year) ? 0 : -1;
}

/* "{1,2,3}" and "{leader,member,member}" for the unnest() of the insert */
static void arrays(int n, const long long *units, const char *const *roles, struct buf *u, struct buf *ro)
{
	buf_putc(u, '{');
	buf_putc(ro, '{');
	for (int i = 0; i < n; i++) {
		if (i) {
			buf_putc(u, ',');
			buf_putc(ro, ',');
		}
		buf_json_int(u, units[i]);
		buf_puts(ro, roles[i]);
	}
	buf_putc(u, '}');
	buf_putc(ro, '}');
}

/* An authority organises clusters of units in its own subtree only: it does not decide for
 * units it has no say over (issue 8; the seeds' clusters are all of the organiser's own units:
 * Thanh tra Chính phủ's Cụm IV of provincial inspectorates, Ban Nội chính Trung ương's Cụm 1 of
 * provincial boards). Admins may do anything. `units` is a PostgreSQL array literal. */
static bool members_within_reach(struct req *r, const char *units)
{
	if (permission(r->caller.role, ACT_ORGANIZE, REL_OUTSIDE))
		return true;
	char caller_unit[24];
	const char *params[] = {units, id_text(r->caller.unit_id, caller_unit)};
	PGresult *res = db_prepared(r->db, "clusters_units_outside", 2, params, &r->err);
	if (!res)
		return false;
	struct buf list;
	buf_init(&list);
	for (int i = 0; i < PQntuples(res) && i < 20; i++) {
		if (i)
			buf_puts(&list, ", ");
		buf_puts(&list, PQgetvalue(res, i, 0));
	}
	bool ok = PQntuples(res) == 0;
	if (!ok)
		app_error_set(&r->err, 403, "Your role (%s) may not put units outside your unit's subtree into a cluster: %s.",
			      role_name(r->caller.role), buf_ok(&list) ? list.data : "?");
	buf_free(&list);
	PQclear(res);
	return ok;
}

/* Inside the locked cluster's transaction: replaces the members of `year` with the n given,
 * after checking the units exist and belong to no other cluster of the organiser that year;
 * records the old and new lists in the audit trail. */
static bool replace_members(struct req *r, long long id, const char *organizer, long long year, int n,
			    const long long *units, const char *const *roles)
{
	struct buf u, ro;
	char idbuf[24], ybuf[24];
	PGresult *res = NULL, *old = NULL;
	bool ok = false;
	buf_init(&u);
	buf_init(&ro);
	arrays(n, units, roles, &u, &ro);
	if (!buf_ok(&u) || !buf_ok(&ro)) {
		app_error_set(&r->err, 503, "The service is short of memory.");
		goto out;
	}
	const char *missing_params[] = {u.data};
	res = db_prepared(r->db, "clusters_units_missing", 1, missing_params, &r->err);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, "members", "not_found", "unit %s does not exist", PQgetvalue(res, i, 0));
	if (PQntuples(res) > 0)
		goto out;
	PQclear(res);
	res = NULL;
	if (!members_within_reach(r, u.data))
		goto out;
	const char *taken_params[] = {organizer, id_text(year, ybuf), id_text(id, idbuf), u.data};
	res = db_prepared(r->db, "clusters_taken", 4, taken_params, &r->err);
	if (!res)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, "members", "in_other_cluster", "unit %s is already in cluster %s (%s) in %lld",
				PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), year);
	if (PQntuples(res) > 0)
		goto out;
	PQclear(res);
	const char *key[] = {idbuf, ybuf};
	old = db_prepared(r->db, "clusters_members_json", 2, key, &r->err);
	if (!old)
		goto out;
	res = db_prepared(r->db, "clusters_members_clear", 2, key, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	const char *insert[] = {idbuf, organizer, ybuf, u.data, ro.data};
	res = db_prepared(r->db, "clusters_members_insert", 5, insert, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	res = db_prepared(r->db, "clusters_members_json", 2, key, &r->err);
	if (!res)
		goto out;
	const char *audit[] = {idbuf, ybuf, PQgetvalue(old, 0, 0), PQgetvalue(res, 0, 0)};
	PGresult *recorded = db_prepared(r->db, "clusters_members_audit", 4, audit, &r->err);
	if (!recorded)
		goto out;
	PQclear(recorded);
	ok = true;
out:
	PQclear(res);
	PQclear(old);
	buf_free(&u);
	buf_free(&ro);
	return ok;
}

/* the list rules in C, for clear field errors: one leader, at most one deputy, no unit twice */
static bool check_list(struct req *r, int n, const long long *units, const char *const *roles)
{
	int leaders = 0, deputies = 0;
	for (int i = 0; i < n; i++) {
		leaders += strcmp(roles[i], "leader") == 0;
		deputies += strcmp(roles[i], "deputy") == 0;
		for (int j = 0; j < i; j++)
			if (units[j] == units[i]) {
				char field[24];
				snprintf(field, sizeof field, "[%d].unit_id", i);
				app_error_field(&r->err, field, "duplicate", "unit %lld is listed twice", units[i]);
			}
	}
	if (n > 0 && leaders != 1)
		app_error_field(&r->err, "members", "leader_count", "a cluster has exactly one leader a year (%d given)", leaders);
	if (deputies > 1)
		app_error_field(&r->err, "members", "deputy_count", "a cluster has at most one deputy a year (%d given)", deputies);
	return r->err.nfields == 0;
}

static int clusters_members_put(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	long long id, year;
	long long units[MAX_MEMBERS];
	const char *roles[MAX_MEMBERS];
	char lockbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_path_id(r, "year", &year))
		goto out;
	if (year < 2000 || year > 2100) {
		req_fail(r, 404, "No resource at this path (years run from 2000 to 2100).");
		goto out;
	}
	if (!req_json_array(r, MAX_MEMBERS, &body))
		goto out;
	size_t i;
	json_t *item;
	int n = (int)json_array_size(body);
	json_array_foreach(body, i, item) {
		struct jvalue v[2];
		if (jin_decode_item(item, "", i, member_fields, 2, v, &r->err)) {
			units[i] = v[M_UNIT].num;
			roles[i] = v[M_ROLE].str;
		}
	}
	if (r->err.nfields > 0 || !check_list(r, n, units, roles) || !crud_lock_for_write(r, &clusters, id, lockbuf, &cur) ||
	    !replace_members(r, id, PQgetvalue(cur, 0, C_ORGANIZER), year, n, units, roles) ||
	    !db_commit(r->db, &r->err) || !write_members(r, id, year))
		goto out;
	rc = 0;
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int clusters_rollover(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL, *prev = NULL, *next = NULL;
	struct jvalue v[API_COUNT(rollover_fields)];
	long long id, units[MAX_MEMBERS];
	const char *roles[MAX_MEMBERS];
	char idbuf[24], ybuf[24], nbuf[24], lockbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, false, &body) ||
	    !jin_decode(body, rollover_fields, API_COUNT(rollover_fields), false, v, &r->err) ||
	    !crud_lock_for_write(r, &clusters, id, lockbuf, &cur))
		goto out;
	long long from = v[0].num, deputy = v[1].num;
	const char *from_key[] = {id_text(id, idbuf), id_text(from, ybuf)};
	const char *next_key[] = {idbuf, id_text(from + 1, nbuf)};
	prev = db_prepared(r->db, "clusters_members", 2, from_key, &r->err);
	next = prev ? db_prepared(r->db, "clusters_members", 2, next_key, &r->err) : NULL;
	if (!next)
		goto out;
	int n = PQntuples(prev);
	if (n == 0) {
		app_error_field(&r->err, "from_year", "no_members", "the cluster has no members in %lld", from);
		goto out;
	}
	if (PQntuples(next) > 0) {
		req_fail(r, 409, "The cluster already has members in %lld.", from + 1);
		goto out;
	}
	/* the usual rotation: the deputy leads, the named unit becomes deputy, the rest are members */
	bool had_deputy = false, deputy_is_member = false;
	for (int i = 0; i < n; i++) {
		units[i] = strtoll(PQgetvalue(prev, i, 0), NULL, 10);
		const char *was = PQgetvalue(prev, i, 2);
		roles[i] = strcmp(was, "deputy") == 0 ? "leader" : "member";
		had_deputy |= strcmp(was, "deputy") == 0;
		if (units[i] == deputy) {
			deputy_is_member = true;
			if (strcmp(was, "deputy") == 0) {
				app_error_field(&r->err, "deputy_unit_id", "already_deputy",
						"the deputy of %lld becomes leader; name another unit", from);
				goto out;
			}
			roles[i] = "deputy";
		}
	}
	if (!had_deputy)
		app_error_field(&r->err, "from_year", "no_deputy", "%lld has no deputy to become leader", from);
	if (!deputy_is_member)
		app_error_field(&r->err, "deputy_unit_id", "not_member", "unit %lld is not a member in %lld", deputy, from);
	if (r->err.nfields > 0 || !replace_members(r, id, PQgetvalue(cur, 0, C_ORGANIZER), from + 1, n, units, roles) ||
	    !db_commit(r->db, &r->err) || !write_members(r, id, from + 1))
		goto out;
	r->status = 201;
	snprintf(r->location, sizeof r->location, "/v1/clusters/%lld/members?year=%lld", id, from + 1);
	rc = 0;
out:
	PQclear(cur);
	PQclear(prev);
	PQclear(next);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/clusters/{id}/members", clusters_members_get, 0, NULL},
	{"PUT", "/v1/clusters/{id}/members/{year}", clusters_members_put, 0, NULL},
	{"POST", "/v1/clusters/{id}/rollover", clusters_rollover, 0, NULL},
};


const struct api_module clusters_module = {.name = "clusters", WITH(routes, routes), WITH(stmts, stmts),
	.resource = &clusters, WITH(facts, facts)};
