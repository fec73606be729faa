/* /v1/award-kinds — the catalogue of titles and commendations (API.md "Award kinds"), keyed by
 * code and seeded by sql/0011_awards.sql. Everyone reads it; admins change a kind's name,
 * description and eligibility rules. The rules are data, not code: each is
 * {type, params, effective_from, effective_to, legal_basis}, and a decree that changes them is a
 * new rule version with its own period. The known types' params are checked here; a type this
 * build does not know is stored as given, for proposals' eligibility (which lands with proposals) to
 * report as unchecked, never as passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/award_kinds.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define AWARD_KIND_COLUMNS \
	"k.code, k.name, k.category, k.recipient, k.level, k.rules, k.description, k.version, k.created_at," \
	" k.updated_at, k.id"

static const struct db_col award_kind_cols[] = {
	{"code", COL_STR}, {"name", COL_STR}, {"category", COL_STR}, {"recipient", COL_STR}, {"level", COL_STR},
	{"rules", COL_JSON}, {"description", COL_STR}, {"version", COL_NUM}, {"created_at", COL_TIME},
	{"updated_at", COL_TIME}, {"id", COL_NUM},
};
enum { C_CODE, C_NAME, C_CATEGORY, C_RECIPIENT, C_LEVEL, C_RULES, C_DESCRIPTION, C_VERSION };
static const struct row_shape award_kind_shape = {"/v1/award-kinds", "Award kind", award_kind_cols,
						  (int)API_COUNT(award_kind_cols), C_CODE, C_VERSION};

static const char *const categories[] = {"title", "commendation", NULL};
static const char *const recipients[] = {"individual", "collective", "any", NULL};
static const char *const levels[] = {"grassroots", "provincial", "national", NULL};
static const char *const initiative_levels[] = {"grassroots", "district", "province", "national", NULL};

#define MAX_RULES 20

/* code, category, recipient and level are what awards and proposals rely on: they do not change */
enum { F_NAME, F_DESCRIPTION, F_RULES };
static const struct jfield patch_fields[] = {
	[F_NAME] = {"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
	[F_DESCRIPTION] = {"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL},
	[F_RULES] = {"rules", JF_ARRAY, 0, 0, MAX_RULES, NULL, NULL, NULL},
	JF_RO("code"),
	JF_RO("category"),
	JF_RO("recipient"),
	JF_RO("level"),
	JF_ROW_FIELDS,
};

enum { R_TYPE, R_PARAMS, R_FROM, R_TO, R_BASIS };
static const struct jfield rule_fields[] = {
	[R_TYPE] = {"type", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[R_PARAMS] = {"params", JF_OBJECT, JF_REQUIRED, 0, 20, NULL, NULL, NULL},
	[R_FROM] = {"effective_from", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[R_TO] = {"effective_to", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	[R_BASIS] = {"legal_basis", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL},
};

/* The params of each rule type this build knows. `requires` names another award kind. */
static const struct jfield requires_param = {"requires", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok,
					     SNAKE_CODE_DESC};
static const struct jfield consecutive_params[] = {
	requires_param, {"years", JF_INT, JF_REQUIRED, 1, 10, NULL, NULL, NULL}};
static const struct jfield initiative_params[] = {
	{"min_level", JF_ENUM, JF_REQUIRED, 0, 0, initiative_levels, NULL, NULL},
	{"window_years", JF_INT, JF_REQUIRED, 1, 10, NULL, NULL, NULL}};
static const struct jfield notice_params[] = {{"working_days", JF_INT, JF_REQUIRED, 1, 60, NULL, NULL, NULL}};
static const struct jfield pct_params[] = {{"pct", JF_NUMBER, JF_REQUIRED, 0, 100, NULL, NULL, NULL}};

static const struct rule_type {
	const char *type;
	const struct jfield *params;
	size_t nparams;
	bool requires_kind;   /* params[0] is `requires`, an award-kind code */
} rule_types[] = {
	{"consecutive_titles", consecutive_params, API_COUNT(consecutive_params), true},
	{"same_year_title", &requires_param, 1, true},
	{"initiative_recognized", initiative_params, API_COUNT(initiative_params), false},
	{"not_twice", NULL, 0, false},
	{"public_notice", notice_params, API_COUNT(notice_params), false},
	{"vote_share", pct_params, API_COUNT(pct_params), false},
	{"quota_pct", pct_params, API_COUNT(pct_params), false},
};

static const struct db_stmt stmts[] = {
	{"award_kinds_get", "SELECT " AWARD_KIND_COLUMNS " FROM award_kinds k WHERE k.code = $1"},
	{"award_kinds_lock", "SELECT " AWARD_KIND_COLUMNS " FROM award_kinds k WHERE k.code = $1 FOR UPDATE"},
	{"award_kinds_update",
	 "UPDATE award_kinds AS k SET name = normalize($2, NFC), description = normalize($3, NFC),"
	 " rules = coalesce(normalize($4, NFC)::jsonb, k.rules), version = k.version + 1, updated_at = now()"
	 " WHERE k.code = $1 RETURNING " AWARD_KIND_COLUMNS},
	/* the codes of $1 that name no award kind */
	{"award_kinds_unknown",
	 "SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS (SELECT 1 FROM award_kinds WHERE code = x)"},
};

static const char list_sql[] =
	"SELECT " AWARD_KIND_COLUMNS " FROM award_kinds k"
	" WHERE ($1::text IS NULL OR k.code > $1)"
	" AND ($2::text IS NULL OR k.category = $2)"
	" AND ($3::text IS NULL OR k.recipient = $3)"
	" AND ($4::text IS NULL OR k.level = $4)"
	" AND ($5::text IS NULL OR k.search @@ tdkt_search_query($5))"
	" ORDER BY k.code LIMIT $6";

static int award_kinds_list(struct req *r)
{
	struct query q;
	struct page page;
	const char *category, *recipient, *level, *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse(&q, "award-kinds", &page, &r->err) ||
	    !query_enum(&q, "category", categories, &category, &r->err) ||
	    !query_enum(&q, "recipient", recipients, &recipient, &r->err) ||
	    !query_enum(&q, "level", levels, &level, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	char limit[24];
	const char *params[] = {page.has_after ? page.after : NULL, category, recipient, level, text,
				id_text(page.limit + 1, limit)};
	return respond_list(r, list_sql, 6, params, "award-kinds", &award_kind_shape, page.limit);
}

static int award_kinds_get(struct req *r)
{
	char code[49];
	if (!req_path_text(r, "code", snake_code_ok, code, sizeof code))
		return -1;
	return respond_get_one(r, "award_kinds_get", code, &award_kind_shape);
}

bool award_kinds_check_codes(struct req *r, const char *codes, const char *field)
{
	const char *params[] = {codes};
	PGresult *res = db_prepared(r->db, "award_kinds_unknown", 1, params, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, field, "not_found", "%s names no award kind: %s", field, PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static const struct rule_type *rule_type_of(const char *type)
{
	for (size_t i = 0; i < API_COUNT(rule_types); i++)
		if (strcmp(rule_types[i].type, type) == 0)
			return &rule_types[i];
	return NULL;
}

/* Two versions of one rule type may not be in force on the same day. */
static bool periods_overlap(const struct jvalue *a, const struct jvalue *b)
{
	/* dates compare as text; an open end is the far future */
	const char *a_to = a[R_TO].str ? a[R_TO].str : "9999-12-31";
	const char *b_to = b[R_TO].str ? b[R_TO].str : "9999-12-31";
	return strcmp(a[R_FROM].str, b_to) <= 0 && strcmp(b[R_FROM].str, a_to) <= 0;
}

/* Checks every rule of `list` and writes the stored form — each rule with exactly its five
 * fields — into `out` (JSON) and the award kinds the rules require into `codes` ("{a,b}"). */
static bool encode_rules(struct req *r, json_t *list, struct buf *out, struct buf *codes)
{
	struct jvalue v[MAX_RULES][API_COUNT(rule_fields)];
	bool decoded[MAX_RULES] = {false};
	size_t i;
	json_t *item;
	int ncodes = 0;
	buf_putc(out, '[');
	buf_putc(codes, '{');
	json_array_foreach(list, i, item) {
		char path[48];
		if (!jin_decode_item(item, "rules", i, rule_fields, API_COUNT(rule_fields), v[i], &r->err))
			continue;
		snprintf(path, sizeof path, "rules[%zu]", i);
		if (v[i][R_TO].str && strcmp(v[i][R_TO].str, v[i][R_FROM].str) < 0) {
			app_error_field(&r->err, path, "before_start", "%s: effective_to is before effective_from", path);
			continue;
		}
		const struct rule_type *t = rule_type_of(v[i][R_TYPE].str);
		if (t) {
			struct jvalue p[2];
			snprintf(path, sizeof path, "rules[%zu].params", i);
			if (!jin_decode_at(v[i][R_PARAMS].list, path, t->params, t->nparams, p, &r->err))
				continue;
			if (t->requires_kind) {
				buf_puts(codes, ncodes++ ? "," : "");
				buf_puts(codes, p[0].str); /* a code: letters, digits and '_' only */
			}
		}
		decoded[i] = true;
		for (size_t j = 0; j < i; j++)
			if (decoded[j] && strcmp(v[j][R_TYPE].str, v[i][R_TYPE].str) == 0 && periods_overlap(v[j], v[i])) {
				snprintf(path, sizeof path, "rules[%zu]", i);
				app_error_field(&r->err, path, "overlap",
						"%s: another version of rule %s is in force in the same period (rules[%zu])",
						path, v[i][R_TYPE].str, j);
			}
		buf_puts(out, i ? ",{\"type\":" : "{\"type\":");
		buf_json_cstr(out, v[i][R_TYPE].str);
		buf_puts(out, ",\"params\":");
		char *params = json_dumps(v[i][R_PARAMS].list, JSON_COMPACT | JSON_SORT_KEYS);
		if (!params)
			return app_error_set(&r->err, 503, "The service is short of memory.");
		buf_puts(out, params);
		free(params);
		buf_puts(out, ",\"effective_from\":");
		buf_json_cstr(out, v[i][R_FROM].str);
		buf_puts(out, ",\"effective_to\":");
		if (v[i][R_TO].str)
			buf_json_cstr(out, v[i][R_TO].str);
		else
			buf_puts(out, "null");
		buf_puts(out, ",\"legal_basis\":");
		buf_json_cstr(out, v[i][R_BASIS].str);
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	buf_putc(codes, '}');
	if (!buf_ok(out) || !buf_ok(codes))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

static int award_kinds_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(patch_fields)];
	struct buf rules, codes;
	struct db_conn *db;
	char code[49];
	int rc = -1;
	buf_init(&rules);
	buf_init(&codes);
	if (!req_path_text(r, "code", snake_code_ok, code, sizeof code))
		goto out;
	if (!authz_role_may(r, ACT_MANAGE_CATALOGUE)) {
		req_fail(r, 403, "Only admins change the award-kind catalogue.");
		goto out;
	}
	if (!req_json(r, true, &body) || !jin_decode(body, patch_fields, API_COUNT(patch_fields), true, v, &r->err) ||
	    (v[F_RULES].list && !encode_rules(r, v[F_RULES].list, &rules, &codes)) || !write_begin(r, &db))
		goto out;
	const char *key[] = {code};
	cur = db_prepared(db, "award_kinds_lock", 1, key, &r->err);
	if (!cur)
		goto out;
	if (PQntuples(cur) == 0) {
		req_fail(r, 404, "Award kind %s does not exist.", code);
		goto out;
	}
	if (!req_if_match(r, row_version_of(cur, &award_kind_shape)) ||
	    (v[F_RULES].list && !award_kinds_check_codes(r, codes.data, "rules")))
		goto out;
	const char *params[] = {
		code,
		v[F_NAME].present ? v[F_NAME].str : PQgetvalue(cur, 0, C_NAME),
		patched_text(&v[F_DESCRIPTION], cur, C_DESCRIPTION),
		v[F_RULES].list ? rules.data : NULL,
	};
	rc = respond_updated(r, "award_kinds_update", 4, params, &award_kind_shape);
out:
	PQclear(cur);
	buf_free(&rules);
	buf_free(&codes);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/award-kinds", award_kinds_list, 0, NULL},
	{"GET", "/v1/award-kinds/{code}", award_kinds_get, 0, NULL},
	{"PATCH", "/v1/award-kinds/{code}", award_kinds_patch, 0, NULL},
};

const struct api_module award_kinds_module = {.name = "award_kinds", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts)};
