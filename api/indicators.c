/* /v1/indicators — the indicator catalogue (API.md "Indicators"), keyed by code. Everyone reads
 * it; admins add base indicators and change or delete the ones they added. The seeded
 * indicators (sql/0005_indicators.sql) are read-only. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define INDICATOR_COLUMNS \
	"i.code, i.name, i.unit, i.kind, i.numerator, i.denominator, i.description, i.seeded, i.version," \
	" i.created_at, i.updated_at, i.id"

static const struct db_col indicator_cols[] = {
	{"code", COL_STR}, {"name", COL_STR}, {"unit", COL_STR}, {"kind", COL_STR}, {"numerator", COL_STR},
	{"denominator", COL_STR}, {"description", COL_STR}, {"seeded", COL_BOOL}, {"version", COL_NUM},
	{"created_at", COL_TIME}, {"updated_at", COL_TIME}, {"id", COL_NUM},
};
enum { C_CODE, C_NAME, C_UNIT, C_KIND, C_NUMERATOR, C_DENOMINATOR, C_DESCRIPTION, C_SEEDED, C_VERSION };
static const struct row_shape indicator_shape = {"/v1/indicators", "Indicator", indicator_cols,
						 (int)API_COUNT(indicator_cols), C_CODE, C_VERSION};

static const char *const units_of_measure[] = {"count", "vnd", "m2", "percent", NULL};
static const char *const kinds[] = {"base", "ratio", NULL};

enum { F_CODE, F_NAME, F_UNIT, F_KIND, F_DESCRIPTION };
#define READ_ONLY_FIELDS \
	JF_RO("numerator"), JF_RO("denominator"), JF_RO("seeded"), JF_ROW_FIELDS
static const struct jfield create_fields[] = {
	[F_CODE] = {"code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[F_NAME] = {"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
	[F_UNIT] = {"unit", JF_ENUM, JF_REQUIRED, 0, 0, units_of_measure, NULL, NULL},
	[F_KIND] = {"kind", JF_ENUM, 0, 0, 0, kinds, NULL, NULL},
	[F_DESCRIPTION] = {"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL},
	READ_ONLY_FIELDS,
};
/* the code is the key: it does not change */
static const struct jfield patch_fields[] = {
	[F_CODE] = JF_RO("code"),
	[F_NAME] = {"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
	[F_UNIT] = {"unit", JF_ENUM, JF_REQUIRED, 0, 0, units_of_measure, NULL, NULL},
	[F_KIND] = {"kind", JF_ENUM, JF_READONLY, 0, 0, kinds, NULL, NULL},
	[F_DESCRIPTION] = {"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL},
	READ_ONLY_FIELDS,
};

static const struct db_constraint write_constraints[] = {
	{"indicators_pkey", "code", "duplicate", "an indicator with this code exists", 0},
};
static const struct db_constraint delete_constraints[] = {
	{"indicators_numerator_fkey", "code", "referenced", "a ratio indicator is computed from this one", 0},
	{"indicators_denominator_fkey", "code", "referenced", "a ratio indicator is computed from this one", 0},
	{"campaign_indicators_indicator_fkey", "code", "referenced", "campaigns are scored on this indicator", 0},
};

static const struct db_stmt stmts[] = {
	{"indicators_get", "SELECT " INDICATOR_COLUMNS " FROM indicators i WHERE i.code = $1"},
	{"indicators_lock", "SELECT " INDICATOR_COLUMNS " FROM indicators i WHERE i.code = $1 FOR UPDATE"},
	{"indicators_insert",
	 "INSERT INTO indicators AS i (code, name, unit, description) VALUES ($1, normalize($2, NFC), $3,"
	 " normalize($4, NFC)) RETURNING " INDICATOR_COLUMNS},
	{"indicators_update",
	 "UPDATE indicators AS i SET name = normalize($2, NFC), unit = $3, description = normalize($4, NFC),"
	 " version = i.version + 1, updated_at = now() WHERE i.code = $1 RETURNING " INDICATOR_COLUMNS},
	{"indicators_delete", "DELETE FROM indicators WHERE code = $1"},
};

static const char list_sql[] =
	"SELECT " INDICATOR_COLUMNS " FROM indicators i"
	" WHERE ($1::text IS NULL OR i.code > $1)"
	" AND ($2::text IS NULL OR i.kind = $2)"
	" AND ($3::text IS NULL OR i.unit = $3)"
	" AND ($4::text IS NULL OR i.search @@ tdkt_search_query($4))"
	" ORDER BY i.code LIMIT $5";

static int indicators_list(struct req *r)
{
	struct query q;
	struct page page;
	const char *kind, *unit, *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse(&q, "indicators", &page, &r->err) ||
	    !query_enum(&q, "kind", kinds, &kind, &r->err) ||
	    !query_enum(&q, "unit", units_of_measure, &unit, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	char limit[24];
	const char *params[] = {page.has_after ? page.after : NULL, kind, unit, text, id_text(page.limit + 1, limit)};
	return respond_list(r, list_sql, 5, params, "indicators", &indicator_shape, page.limit);
}

static int indicators_get(struct req *r)
{
	char code[49];
	if (!req_path_text(r, "code", snake_code_ok, code, sizeof code))
		return -1;
	return respond_get_one(r, "indicators_get", code, &indicator_shape);
}

static bool admin_may(struct req *r)
{
	if (authz_role_may(r, ACT_MANAGE_CATALOGUE))
		return true;
	return app_error_set(&r->err, 403, "Only admins change the indicator catalogue.");
}

static int indicators_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(create_fields)];
	struct db_conn *db;
	int rc = -1;
	if (!admin_may(r) || !req_json(r, false, &body) ||
	    !jin_decode(body, create_fields, API_COUNT(create_fields), false, v, &r->err))
		goto out;
	if (v[F_KIND].present && strcmp(v[F_KIND].str, "base") != 0) {
		app_error_field(&r->err, "kind", "not_allowed", "only base indicators can be added; ratios are seeded");
		goto out;
	}
	if (!write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *params[] = {v[F_CODE].str, v[F_NAME].str, v[F_UNIT].str, v[F_DESCRIPTION].str};
	rc = respond_created(r, "indicators_insert", 4, params, &indicator_shape);
out:
	json_decref(body);
	return rc;
}

/* Locks the indicator, refuses seeded ones, checks If-Match; *cur is new. */
static bool lock_indicator(struct req *r, char *code, size_t codelen, PGresult **cur)
{
	struct db_conn *db;
	*cur = NULL;
	if (!req_path_text(r, "code", snake_code_ok, code, codelen) || !admin_may(r) || !write_begin(r, &db))
		return false;
	const char *params[] = {code};
	PGresult *row = db_prepared(db, "indicators_lock", 1, params, &r->err);
	if (!row)
		return false;
	bool ok = false;
	if (PQntuples(row) == 0)
		app_error_set(&r->err, 404, "Indicator %s does not exist.", code);
	else if (PQgetvalue(row, 0, C_SEEDED)[0] == 't')
		app_error_set(&r->err, 403, "Indicator %s belongs to the seeded catalogue and is read-only.", code);
	else
		ok = req_if_match(r, row_version_of(row, &indicator_shape));
	if (!ok) {
		PQclear(row);
		return false;
	}
	*cur = row;
	return true;
}

static int indicators_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(patch_fields)];
	char code[49];
	int rc = -1;
	if (!req_json(r, true, &body) || !jin_decode(body, patch_fields, API_COUNT(patch_fields), true, v, &r->err) ||
	    !lock_indicator(r, code, sizeof code, &cur))
		goto out;
	const char *params[] = {
		code,
		v[F_NAME].present ? v[F_NAME].str : PQgetvalue(cur, 0, C_NAME),
		v[F_UNIT].present ? v[F_UNIT].str : PQgetvalue(cur, 0, C_UNIT),
		v[F_DESCRIPTION].present ? v[F_DESCRIPTION].str
					 : (PQgetisnull(cur, 0, C_DESCRIPTION) ? NULL : PQgetvalue(cur, 0, C_DESCRIPTION)),
	};
	rc = respond_updated(r, "indicators_update", 4, params, &indicator_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int indicators_delete(struct req *r)
{
	PGresult *cur = NULL;
	char code[49];
	int rc = -1;
	if (!lock_indicator(r, code, sizeof code, &cur))
		goto out;
	DB_EXPLAIN(r->db, delete_constraints);
	rc = respond_deleted(r, "indicators_delete", code);
out:
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/indicators", indicators_list, 0, NULL},
	{"POST", "/v1/indicators", indicators_create, 0, NULL},
	{"GET", "/v1/indicators/{code}", indicators_get, 0, NULL},
	{"PATCH", "/v1/indicators/{code}", indicators_patch, 0, NULL},
	{"DELETE", "/v1/indicators/{code}", indicators_delete, 0, NULL},
};

const struct api_module indicators_module = {.name = "indicators", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts)};
