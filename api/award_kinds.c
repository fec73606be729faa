/* /v1/award-kinds — the catalogue of titles and commendations (API.md "Award kinds"), keyed by
 * code and seeded by sql/0011_awards.sql. Everyone reads it; admins change a kind's name,
 * description and eligibility rules (api/award_rules.h: data, not code). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/award_kinds.h"
#include "api/award_rules.h"
#include "api/crud.h"
#include "lib/query.h"

static const char *const categories[] = {"title", "commendation", NULL};
static const char *const recipients[] = {"individual", "collective", "any", NULL};
static const char *const levels[] = {"grassroots", "provincial", "national", NULL};

/* code, category, recipient and level are what awards and proposals rely on: they do not change */
enum { F_CODE, F_NAME, F_CATEGORY, F_RECIPIENT, F_LEVEL, F_RULES, F_DESCRIPTION };
static const struct field fields[] = {
	[F_CODE] = {{"code", JF_STRING, JF_READONLY, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, NULL, COL_STR, FR_KEY, NULL},
	[F_NAME] = {{"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_CATEGORY] = {{"category", JF_ENUM, JF_READONLY, 0, 0, categories, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_RECIPIENT] = {{"recipient", JF_ENUM, JF_READONLY, 0, 0, recipients, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_LEVEL] = {{"level", JF_ENUM, JF_READONLY, 0, 0, levels, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_RULES] = {{"rules", JF_ARRAY, 0, 0, AWARD_RULES_MAX, NULL, NULL, NULL}, NULL, COL_JSON, FR_NFC, NULL},
	[F_DESCRIPTION] = {{"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	FIELDS_ROW_META,
	{JF_RO("id"), NULL, COL_NUM, 0, NULL},
};

/* the codes of the JSON array $1 that name no award kind */
DB_STMT(award_kinds_unknown, "SELECT x FROM jsonb_array_elements_text($1::jsonb) AS x WHERE NOT EXISTS (SELECT 1 FROM award_kinds WHERE code = x)");
/* the kinds the rule versions $1 name that the catalogue does not have */
DB_STMT(award_kinds_rule_kinds, "SELECT DISTINCT k #>> '{}' FROM jsonb_path_query($1::jsonb, '$[*].expr.**.params.kind') k"
	" WHERE NOT EXISTS (SELECT 1 FROM award_kinds WHERE code = k #>> '{}') ORDER BY 1");
/* a kind's rules and the day they are read on: the given one, or today in Vietnam */
DB_STMT(award_kinds_rules, "SELECT rules, coalesce($2::date, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)::text"
	" FROM award_kinds WHERE code = $1");
static const struct db_stmt *const stmts[] = {&sql_award_kinds_unknown, &sql_award_kinds_rule_kinds, &sql_award_kinds_rules};

bool award_kinds_check_codes(struct req *r, const char *codes, const char *field)
{
	const char *params[] = {codes};
	PGresult *res = db_run(r->db, &sql_award_kinds_unknown, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, field, "not_found", "%s names no award kind: %s", field, PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

/* rules: checked and stored in their own form */
static bool encode(struct req *r, int field, const struct jvalue *rules, struct buf *out)
{
	return field != F_RULES || award_rules_encode(r, rules->list, out);
}

/* the award kinds the new rules name (a params.kind anywhere in an expr) must exist */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	(void)cur;
	if (!v[F_RULES].present)
		return true;
	const char *params[] = {v[F_RULES].str};
	PGresult *res = db_run(r->db, &sql_award_kinds_rule_kinds, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, "rules", "not_found", "rules names no award kind: %s", PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static const struct resource_hooks hooks = {.encode = encode, .before_write = before_write};

bool award_kinds_rules_on(struct req *r, struct db_conn *db, const char *code, const char *on, json_t **rules,
			  json_t **version, char day[11])
{
	const char *params[] = {code, on};
	PGresult *res = db_run(db, &sql_award_kinds_rules, 2, params, NULL, &r->err);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1;
	json_error_t jerr;
	*rules = found ? json_loads(PQgetvalue(res, 0, 0), 0, &jerr) : NULL;
	if (found)
		snprintf(day, 11, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!found)
		return app_error_set(&r->err, 404, "Award kind %s does not exist.", code);
	if (!*rules)
		return app_error_set(&r->err, 500, "An internal error occurred.");
	*version = award_rules_on(*rules, day);
	return true;
}

/* GET /v1/award-kinds/{code}/rules?on=YYYY-MM-DD: the version in force that day (today by default) */
static int rules_on(struct req *r)
{
	char code[64];
	struct query q;
	const char *on;
	struct db_conn *db;
	json_t *rules = NULL, *version = NULL;
	char day[11];
	if (!req_path_text(r, "code", snake_code_ok, code, sizeof code) || !query_parse(r->query, &q, &r->err) ||
	    !query_date(&q, "on", &on, &r->err) || !query_no_unknown(&q, &r->err) || !req_db(r, &db) ||
	    !award_kinds_rules_on(r, db, code, on, &rules, &version, day))
		return -1;
	char *text = version ? json_dumps(version, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	buf_puts(r->out, "{\"award_kind_code\":");
	buf_json_cstr(r->out, code);
	BUF_CAT(r->out, ",\"on\":\"", day, "\",\"version\":", text ? text : "null", "}");
	free(text);
	json_decref(rules);
	return 0;
}

static const struct route routes[] = {
	{"GET", "/v1/award-kinds/{code}/rules", rules_on, ROUTE_QUERY, NULL},
};

static const struct resource award_kinds = {
	RESOURCE("award_kinds", "/v1/award-kinds", "Award kind"), WITH(fields, fields), .entity = "award_kind",
	.write = ACT_MANAGE_CATALOGUE, .write_denied = "may read the award-kind catalogue but not change it",
	.searchable = true, .hooks = &hooks, .ops = OP_LIST | OP_GET | OP_PATCH,
};

const struct api_module award_kinds_module = {.name = "award_kinds", WITH(stmts, stmts), WITH(routes, routes),
					       .resource = &award_kinds};
