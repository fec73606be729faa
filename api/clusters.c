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
	 "t.id IN (SELECT cluster_id FROM cluster_members WHERE unit_id = $1 AND year = $2)", NULL},
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

/* of the items $4 (JSON), the units already in another cluster of the same organiser that year */
DB_STMT(clusters_taken, "SELECT m.unit_id, c.code, c.name FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id"
	" WHERE m.organizer_unit_id = $1 AND m.year = $2 AND m.cluster_id <> $3"
	" AND m.unit_id IN (SELECT unit_id FROM jsonb_to_recordset($4::jsonb) AS x(unit_id bigint))"
	" ORDER BY m.unit_id");
DB_STMT(clusters_units_missing, "SELECT x.unit_id FROM jsonb_to_recordset($1::jsonb) AS x(unit_id bigint)"
	" WHERE NOT EXISTS (SELECT 1 FROM units WHERE id = x.unit_id)");
/* the units of the items $1 outside the subtree of unit $2 */
DB_STMT(clusters_units_outside, "SELECT x.unit_id FROM jsonb_to_recordset($1::jsonb) AS x(unit_id bigint)"
	" WHERE x.unit_id NOT IN " SQL_SUBTREE("$2") " ORDER BY x.unit_id");
static const struct db_stmt *const stmts[] = {&sql_clusters_taken, &sql_clusters_units_missing, &sql_clusters_units_outside};

/* The units the statement names (column 0; with the cluster they are in, columns 1 and 2, for
 * `year`), each a field error; false when there were any. */
static bool none_named(struct req *r, const struct db_stmt *stmt, int n, const char *const *params, const char *code,
		       const char *year)
{
	PGresult *res = db_run(r->db, stmt, n, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		if (PQnfields(res) > 1)
			app_error_field(&r->err, "members", code, "unit %s is already in cluster %s (%s) in %s",
					PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), year);
		else
			app_error_field(&r->err, "members", code, "unit %s does not exist", PQgetvalue(res, i, 0));
	bool none = PQntuples(res) == 0;
	PQclear(res);
	return none;
}

/* An authority organises clusters of units in its own subtree only: it does not decide for
 * units it has no say over (issue 8; the seeds' clusters are all of the organiser's own units:
 * Thanh tra Chính phủ's Cụm IV of provincial inspectorates, Ban Nội chính Trung ương's Cụm 1 of
 * provincial boards). Admins may do anything. */
static bool members_within_reach(struct req *r, const char *items)
{
	if (permission(r->caller.role, ACT_ORGANIZE, REL_OUTSIDE))
		return true;
	struct db_params p = {.n = 0};
	db_param(&p, items);
	db_param_int(&p, r->caller.unit_id);
	PGresult *res = req_run(r, &sql_clusters_units_outside, &p);
	if (!res)
		return false;
	struct buf list;
	buf_init(&list);
	for (int i = 0; i < PQntuples(res) && i < 20; i++)
		BUF_CAT(&list, i ? ", " : "", PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	if (!ok)
		app_error_set(&r->err, 403, "Your role (%s) may not put units outside your unit's subtree into a cluster: %s.",
			      role_name(r->caller.role), buf_ok(&list) ? list.data : "?");
	buf_free(&list);
	PQclear(res);
	return ok;
}

static const struct resource clusters;

/* in the locked cluster's transaction: the units exist, are within the caller's reach and in no
 * other cluster of the organiser that year */
static bool check_members(struct req *r, PGresult *cur, const char *year, const char *items)
{
	const char *missing[] = {items};
	const char *taken[] = {crud_cur(&clusters, cur, C_ORGANIZER), year, crud_cur(&clusters, cur, C_ID), items};
	return none_named(r, &sql_clusters_units_missing, 1, missing, "not_found", year) && members_within_reach(r, items) &&
	       none_named(r, &sql_clusters_taken, 4, taken, "in_other_cluster", year);
}

/* the list rules in C, for clear field errors: one leader, at most one deputy */
static bool check_roles(struct req *r, json_t *items)
{
	int leaders = 0, deputies = 0;
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		const char *role = json_string_value(json_object_get(item, "role"));
		leaders += strcmp(role, "leader") == 0;
		deputies += strcmp(role, "deputy") == 0;
	}
	if (json_array_size(items) > 0 && leaders != 1)
		app_error_field(&r->err, "members", "leader_count", "a cluster has exactly one leader a year (%d given)", leaders);
	if (deputies > 1)
		app_error_field(&r->err, "members", "deputy_count", "a cluster has at most one deputy a year (%d given)", deputies);
	return r->err.nfields == 0;
}

static const struct db_col member_cols[] = {{"unit_id", COL_NUM}, {"unit_name", COL_STR}, {"role", COL_STR}};
static const char *const copied[] = {"organizer_unit_id", NULL};
/* its members of a year, leader first */
static const struct child_list children[] = {{
	.segment = "members", .table = "cluster_members", .parent_column = "cluster_id", .key = "cluster_id",
	.partition = "year", .partition_min = 2000, .partition_max = 2100, .copied = copied,
	WITH(items, member_fields), .max = MAX_MEMBERS, .unique = M_UNIT, .order = "unit_id",
	.read = "SELECT m.unit_id, u.name, m.role FROM cluster_members m JOIN units u ON u.id = m.unit_id"
		" WHERE m.cluster_id = $1 AND m.year = $2"
		" ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, m.unit_id",
	WITH(cols, member_cols), .validate = check_roles, .check = check_members,
}};

static const struct resource clusters = {
	RESOURCE("clusters", "/v1/clusters", "Cluster"), WITH(fields, fields),
	.write = ACT_ORGANIZE, .write_denied = "may read clusters but not set them up",
	.searchable = true, WITH(filters, filters), WITH(constraints, constraints),
	WITH(children, children), .entity = "cluster",
};

/* POST /v1/clusters/{id}/rollover: next year's members from this year's, in the usual rotation —
 * the deputy leads, the named unit becomes deputy, the rest are members */
static int clusters_rollover(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL, *prev = NULL, *next = NULL;
	struct jvalue v[API_COUNT(rollover_fields)];
	struct buf items;
	long long id;
	char ybuf[24], nbuf[24], lockbuf[24];
	int rc = -1;
	buf_init(&items);
	if (!req_path_id(r, "id", &id) || !req_json(r, false, &body) ||
	    !jin_decode(body, rollover_fields, API_COUNT(rollover_fields), false, v, &r->err) ||
	    !crud_lock_for_write(r, &clusters, id, lockbuf, &cur))
		goto out;
	long long from = v[0].num, deputy = v[1].num;
	const char *from_key[] = {lockbuf, id_text(from, ybuf)};
	const char *next_key[] = {lockbuf, id_text(from + 1, nbuf)};
	prev = db_run(r->db, crud_child_reader(&clusters, 0), 2, from_key, NULL, &r->err);
	next = prev ? db_run(r->db, crud_child_reader(&clusters, 0), 2, next_key, NULL, &r->err) : NULL;
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
	bool had_deputy = false, deputy_is_member = false;
	buf_putc(&items, '[');
	for (int i = 0; i < n; i++) {
		const char *unit = PQgetvalue(prev, i, 0), *was = PQgetvalue(prev, i, 2);
		const char *role = strcmp(was, "deputy") == 0 ? "leader" : "member";
		had_deputy |= strcmp(was, "deputy") == 0;
		if (strtoll(unit, NULL, 10) == deputy) {
			deputy_is_member = true;
			if (strcmp(was, "deputy") == 0) {
				app_error_field(&r->err, "deputy_unit_id", "already_deputy",
						"the deputy of %lld becomes leader; name another unit", from);
				goto out;
			}
			role = "deputy";
		}
		BUF_CAT(&items, i ? ",{\"unit_id\":" : "{\"unit_id\":", unit, ",\"role\":\"", role, "\"}");
	}
	buf_putc(&items, ']');
	if (!had_deputy)
		app_error_field(&r->err, "from_year", "no_deputy", "%lld has no deputy to become leader", from);
	if (!deputy_is_member)
		app_error_field(&r->err, "deputy_unit_id", "not_member", "unit %lld is not a member in %lld", deputy, from);
	if (r->err.nfields > 0 || !buf_ok(&items) || !crud_child_replace(r, &clusters, 0, cur, nbuf, items.data) ||
	    !crud_child_commit(r, &clusters, 0, lockbuf, nbuf))
		goto out;
	r->status = 201;
	snprintf(r->location, sizeof r->location, "/v1/clusters/%lld/members?year=%lld", id, from + 1);
	rc = 0;
out:
	PQclear(cur);
	PQclear(prev);
	PQclear(next);
	buf_free(&items);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"POST", "/v1/clusters/{id}/rollover", clusters_rollover, 0, NULL},
};

const struct api_module clusters_module = {.name = "clusters", WITH(routes, routes), WITH(stmts, stmts),
	.resource = &clusters, WITH(facts, facts)};
