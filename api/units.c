/* /v1/units — the organisation tree (API.md "Units"). Readable by every authenticated caller;
 * written by admins, and by authorities inside their own subtree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define UNIT_COLUMNS \
	"u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.province_code, u.active, " \
	"u.version, u.created_at, u.updated_at"

/* the order of UNIT_COLUMNS */
static const struct db_col unit_cols[] = {
	{"id", COL_NUM}, {"code", COL_STR}, {"name", COL_STR}, {"short_name", COL_STR},
	{"kind", COL_STR}, {"parent_id", COL_NUM}, {"province_code", COL_STR}, {"active", COL_BOOL},
	{"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_CODE, C_NAME, C_SHORT_NAME, C_KIND, C_PARENT_ID, C_PROVINCE, C_ACTIVE, C_VERSION };
static const struct row_shape unit_shape = {"/v1/units", "Unit", unit_cols, (int)API_COUNT(unit_cols), C_ID, C_VERSION};

static const char *const unit_kinds[] = {
	"government_inspectorate", "provincial_inspectorate", "sector_inspectorate",
	"district_inspectorate", "party_committee", "internal_affairs_board", "mass_organization",
	"agency", "division", "other", NULL,
};

static bool province_ok(const char *s, size_t n)
{
	return n == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

/* The writable fields, in the order of the INSERT/UPDATE parameters after the id. */
enum { F_CODE, F_NAME, F_SHORT_NAME, F_KIND, F_PARENT_ID, F_PROVINCE, F_ACTIVE, F_WRITABLE };
static const struct jfield unit_fields[] = {
	[F_CODE] = {"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, upper_code_ok,
		    "must match ^[A-Z0-9][A-Z0-9.-]{0,31}$ (upper-case letters, digits, '.', '-')"},
	[F_NAME] = {"name", JF_STRING, JF_REQUIRED, 1, 255, NULL, NULL, NULL},
	[F_SHORT_NAME] = {"short_name", JF_STRING, JF_NULLABLE, 1, 100, NULL, NULL, NULL},
	[F_KIND] = {"kind", JF_ENUM, JF_REQUIRED, 0, 0, unit_kinds, NULL, NULL},
	[F_PARENT_ID] = {"parent_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	[F_PROVINCE] = {"province_code", JF_STRING, JF_NULLABLE, 2, 2, NULL, province_ok,
			"must be a 2-digit GSO province code such as \"08\""},
	[F_ACTIVE] = {"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	JF_ROW_FIELDS,
};

static const struct db_constraint write_constraints[] = {
	{"units_code_key", "code", "duplicate", "code is already used by another unit", 0},
	{"units_parent_fkey", "parent_id", "not_found", "parent_id does not name an existing unit", 0},
	{"units_parent_no_cycle", "parent_id", "cycle", "parent_id would put the unit under itself", 0},
	{"units_code_format", "code", "format", "code has an invalid format", 0},
	{"units_province_code_format", "province_code", "format", "province_code must be 2 digits", 0},
};
static const struct db_constraint delete_constraints[] = {
	{"units_parent_fkey", "id", "referenced", "the unit still has child units; move or delete them first", 0},
	{"users_unit_fkey", "id", "referenced", "the unit still has user accounts; move or delete them first", 0},
	{"people_unit_fkey", "id", "referenced", "the unit still has people; move or delete them first", 0},
	{"clusters_organizer_fkey", "id", "referenced", "the unit organises clusters", 0},
	{"cluster_members_unit_fkey", "id", "referenced", "the unit is a member of clusters", 0},
	{"campaigns_launched_by_fkey", "id", "referenced", "the unit launched campaigns", 0},
	{"registrations_unit_fkey", "id", "referenced", "the unit has registrations", 0},
	{"initiatives_unit_fkey", "id", "referenced", "the unit has initiatives", 0},
	{"initiatives_recognized_by_fkey", "id", "referenced", "the unit recognised initiatives", 0},
	{"awards_unit_fkey", "id", "referenced", "the unit has awards on its record", 0},
	{"awards_issuing_unit_fkey", "id", "referenced", "the unit issued awards", 0},
};

static const struct db_stmt stmts[] = {
	{"units_get", "SELECT " UNIT_COLUMNS " FROM units u WHERE u.id = $1"},
	{"units_lock", "SELECT " UNIT_COLUMNS " FROM units u WHERE u.id = $1 FOR UPDATE"},
	{"units_insert",
	 "INSERT INTO units AS u (code, name, short_name, kind, parent_id, province_code, active)"
	 " VALUES ($1, normalize($2, NFC), normalize($3, NFC), $4, $5, $6, coalesce($7::boolean, true))"
	 " RETURNING " UNIT_COLUMNS},
	{"units_update",
	 "UPDATE units AS u SET code = $2, name = normalize($3, NFC), short_name = normalize($4, NFC),"
	 " kind = $5, parent_id = $6, province_code = $7, active = $8,"
	 " version = u.version + 1, updated_at = now()"
	 " WHERE u.id = $1 RETURNING " UNIT_COLUMNS},
	{"units_delete", "DELETE FROM units WHERE id = $1"},
	/* the unfiltered list (browsing page by page) is the hot one: prepared */
	{"units_list_all", "SELECT " UNIT_COLUMNS " FROM units u WHERE u.id > $1 ORDER BY u.id LIMIT $2"},
	/* the same lock the cycle trigger takes (sql/0001_units.sql), taken first by moves so that
	 * two moves lock in one order: tree, then rows (else their FK checks deadlock) */
	{"units_tree_lock", "SELECT pg_advisory_xact_lock(hashtext('tdkt.units.tree'))"},
};

/* Unfiltered parts are dropped by the planner: the statement is planned with the values given. */
static const char list_sql[] =
	"SELECT " UNIT_COLUMNS " FROM units u"
	" WHERE ($1::bigint IS NULL OR u.id > $1)"
	" AND ($2::bigint IS NULL OR u.parent_id = $2)"
	" AND ($3::text IS NULL OR u.kind = $3)"
	" AND ($4::text IS NULL OR u.province_code = $4)"
	" AND ($5::boolean IS NULL OR u.active = $5)"
	" AND ($6::text IS NULL OR u.search @@ tdkt_search_query($6))"
	" ORDER BY u.id LIMIT $7";

static int units_list(struct req *r)
{
	struct query q;
	struct page page;
	bool has_parent, has_active;
	long long parent_id = 0;
	bool active = false;
	const char *kind, *province, *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "units", &page, &r->err) ||
	    !query_id(&q, "parent_id", &has_parent, &parent_id, &r->err) ||
	    !query_enum(&q, "kind", unit_kinds, &kind, &r->err) ||
	    !query_str(&q, "province_code", 2, &province, &r->err) ||
	    !query_bool(&q, "active", &has_active, &active, &r->err) ||
	    !query_str(&q, "q", 200, &text, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (province && !province_ok(province, strlen(province)))
		return req_fail(r, 400, "Query parameter province_code must be 2 digits.");

	char after[24], parent[24], limit[24];
	snprintf(after, sizeof after, "%lld", page.after_id);
	snprintf(parent, sizeof parent, "%lld", parent_id);
	snprintf(limit, sizeof limit, "%lld", page.limit + 1);
	const char *params[] = {
		page.has_after ? after : NULL, has_parent ? parent : NULL, kind, province,
		has_active ? (active ? "true" : "false") : NULL, text, limit,
	};
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	bool filtered = has_parent || kind || province || has_active || text;
	const char *all_params[] = {page.has_after ? after : "0", limit};
	PGresult *res = filtered ? db_query(db, list_sql, 7, params, &r->err)
				 : db_prepared(db, "units_list_all", 2, all_params, &r->err);
	if (!res)
		return -1;
	return respond_page(r, res, "units", &unit_shape, page.limit);
}

static int units_get(struct req *r)
{
	return respond_get_by_id(r, "units_get", &unit_shape);
}

/* May the caller place a unit under `parent_id` (create, or move there)? A parent that does
 * not exist is a validation error, not a permission one; admins may make roots. */
static bool check_parent(struct req *r, long long parent_id, bool has_parent)
{
	if (!has_parent) {
		if (permission(r->caller.role, ACT_WRITE_UNIT, REL_OUTSIDE))
			return true;
		return app_error_set(&r->err, 403, "Only admins create top-level units (parent_id is required).");
	}
	return authz_require_unit_field(r, ACT_WRITE_UNIT, parent_id, "parent_id");
}

static int units_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(unit_fields)];
	struct db_conn *db;
	int rc = -1;
	if (!authz_role_may(r, ACT_WRITE_UNIT)) {
		req_fail(r, 403, "Your role (%s) may read units but not change them.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) ||
	    !jin_decode(body, unit_fields, API_COUNT(unit_fields), false, v, &r->err) || !req_db(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	bool has_parent = v[F_PARENT_ID].present && !v[F_PARENT_ID].is_null;
	if (!check_parent(r, v[F_PARENT_ID].num, has_parent))
		goto out;
	char parent[24];
	snprintf(parent, sizeof parent, "%lld", v[F_PARENT_ID].num);
	const char *params[] = {
		v[F_CODE].str, v[F_NAME].str, v[F_SHORT_NAME].str, v[F_KIND].str,
		has_parent ? parent : NULL, v[F_PROVINCE].str,
		BOOL_PARAM(v[F_ACTIVE]),
	};
	if (!write_begin(r, &db))
		goto out;
	rc = respond_created(r, "units_insert", 7, params, &unit_shape);
out:
	json_decref(body);
	return rc;
}

/* Locks the unit for a change and checks that it exists, the caller may do `action` to it, and
 * If-Match. `moving`: the change may touch parent_id, so the tree lock is taken first. *res is
 * the locked row (new). */
static bool lock_for_change(struct req *r, long long id, enum action action, bool moving, PGresult **res)
{
	char idtext[24];
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *params[] = {idtext};
	*res = NULL;
	struct db_conn *db;
	if (!write_begin(r, &db))
		return false;
	if (moving) {
		PGresult *lock = db_prepared(r->db, "units_tree_lock", 0, NULL, &r->err);
		if (!lock)
			return false;
		PQclear(lock);
	}
	PGresult *row = db_prepared(r->db, "units_lock", 1, params, &r->err);
	if (!row)
		return false;
	if (PQntuples(row) == 0) {
		PQclear(row);
		return app_error_set(&r->err, 404, "Unit %lld does not exist.", id);
	}
	if (!authz_require(r, action, id) || !req_if_match(r, row_version_of(row, &unit_shape))) {
		PQclear(row);
		return false;
	}
	*res = row;
	return true;
}

/* the new value of a writable field: the patch's when present, else the current one */
static const char *merged(const struct jvalue *v, PGresult *cur, int col, char *scratch, size_t n,
			  enum jfield_type type)
{
	if (!v->present)
		return PQgetisnull(cur, 0, col) ? NULL : PQgetvalue(cur, 0, col);
	if (v->is_null)
		return NULL;
	if (type == JF_ID) {
		snprintf(scratch, n, "%lld", v->num);
		return scratch;
	}
	if (type == JF_BOOL)
		return v->boolean ? "true" : "false";
	return v->str;
}

static int units_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(unit_fields)];
	long long id;
	struct db_conn *db;
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, unit_fields, API_COUNT(unit_fields), true, v, &r->err) || !req_db(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	if (!lock_for_change(r, id, ACT_WRITE_UNIT, v[F_PARENT_ID].present, &cur))
		goto out;

	char idtext[24], parent[24];
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *params[] = {
		idtext,
		merged(&v[F_CODE], cur, C_CODE, NULL, 0, JF_STRING),
		merged(&v[F_NAME], cur, C_NAME, NULL, 0, JF_STRING),
		merged(&v[F_SHORT_NAME], cur, C_SHORT_NAME, NULL, 0, JF_STRING),
		merged(&v[F_KIND], cur, C_KIND, NULL, 0, JF_ENUM),
		merged(&v[F_PARENT_ID], cur, C_PARENT_ID, parent, sizeof parent, JF_ID),
		merged(&v[F_PROVINCE], cur, C_PROVINCE, NULL, 0, JF_STRING),
		merged(&v[F_ACTIVE], cur, C_ACTIVE, NULL, 0, JF_BOOL),
	};
	bool was_root = PQgetisnull(cur, 0, C_PARENT_ID);
	const char *new_parent = params[5];
	bool moves = v[F_PARENT_ID].present &&
		     (new_parent ? was_root || strcmp(new_parent, PQgetvalue(cur, 0, C_PARENT_ID)) != 0 : !was_root);
	if (moves && (!authz_require(r, ACT_MOVE_DELETE_UNIT, id) ||
		      !check_parent(r, v[F_PARENT_ID].num, params[5] != NULL)))
		goto out;
	rc = respond_updated(r, "units_update", 8, params, &unit_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int units_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	struct db_conn *db;
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_db(r, &db))
		goto out;
	DB_EXPLAIN(db, delete_constraints);
	db->deleting = true;
	if (!lock_for_change(r, id, ACT_MOVE_DELETE_UNIT, false, &cur))
		goto out;
	char idtext[24];
	rc = respond_deleted(r, "units_delete", id_text(id, idtext));
out:
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/units", units_list, 0, NULL},
	{"POST", "/v1/units", units_create, 0, NULL},
	{"GET", "/v1/units/{id}", units_get, 0, NULL},
	{"PATCH", "/v1/units/{id}", units_patch, 0, NULL},
	{"DELETE", "/v1/units/{id}", units_delete, 0, NULL},
};

const struct api_module units_module = {.name = "units", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts)};
