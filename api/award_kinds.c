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
#include "api/award_kinds.h"
#include "api/crud.h"

static const char *const categories[] = {"title", "commendation", NULL};
static const char *const recipients[] = {"individual", "collective", "any", NULL};
static const char *const levels[] = {"grassroots", "provincial", "national", NULL};
static const char *const initiative_levels[] = {"grassroots", "district", "province", "national", NULL};

#define MAX_RULES 20

/* code, category, recipient and level are what awards and proposals rely on: they do not change */
enum { F_CODE, F_NAME, F_CATEGORY, F_RECIPIENT, F_LEVEL, F_RULES, F_DESCRIPTION };
static const struct field fields[] = {
	[F_CODE] = {{"code", JF_STRING, JF_READONLY, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, NULL, COL_STR, FR_KEY, NULL},
	[F_NAME] = {{"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_CATEGORY] = {{"category", JF_ENUM, JF_READONLY, 0, 0, categories, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_RECIPIENT] = {{"recipient", JF_ENUM, JF_READONLY, 0, 0, recipients, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_LEVEL] = {{"level", JF_ENUM, JF_READONLY, 0, 0, levels, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_RULES] = {{"rules", JF_ARRAY, 0, 0, MAX_RULES, NULL, NULL, NULL}, NULL, COL_JSON, FR_NFC, NULL},
	[F_DESCRIPTION] = {{"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	FIELDS_ROW_META,
	{JF_RO("id"), NULL, COL_NUM, 0, NULL},
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
	/* the codes of the JSON array $1 that name no award kind */
	{"award_kinds_unknown",
	 "SELECT x FROM jsonb_array_elements_text($1::jsonb) AS x WHERE NOT EXISTS (SELECT 1 FROM award_kinds WHERE code = x)"},
};

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

/* Checks every rule of the list and writes the stored form — each rule with exactly its five
 * fields — into `out` (JSON). */
static bool encode(struct req *r, int field, const struct jvalue *rules, struct buf *out)
{
	json_t *list = rules->list;
	struct jvalue v[MAX_RULES][API_COUNT(rule_fields)];
	bool decoded[MAX_RULES] = {false};
	size_t i;
	json_t *item;
	if (field != F_RULES)
		return true;
	buf_putc(out, '[');
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
	return r->err.nfields == 0;
}

/* the award kinds the new rules require (checked by encode) must exist */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	(void)cur;
	if (!v[F_RULES].present)
		return true;
	struct buf codes;
	size_t i;
	json_t *rule;
	buf_init(&codes);
	buf_putc(&codes, '[');
	json_array_foreach(v[F_RULES].list, i, rule) {
		const struct rule_type *t = rule_type_of(json_string_value(json_object_get(rule, "type")));
		if (t && t->requires_kind) {
			buf_puts(&codes, codes.len > 1 ? "," : "");
			buf_json_cstr(&codes, json_string_value(json_object_get(json_object_get(rule, "params"), "requires")));
		}
	}
	buf_putc(&codes, ']');
	bool ok = buf_ok(&codes) ? award_kinds_check_codes(r, codes.data, "rules")
				 : app_error_set(&r->err, 503, "The service is short of memory.");
	buf_free(&codes);
	return ok;
}

static const struct resource_hooks hooks = {.encode = encode, .before_write = before_write};

static const struct resource award_kinds = {
	RESOURCE("award_kinds", "/v1/award-kinds", "Award kind"), WITH(fields, fields),
	.write = ACT_MANAGE_CATALOGUE, .write_denied = "may read the award-kind catalogue but not change it",
	.searchable = true, .hooks = &hooks, .ops = OP_LIST | OP_GET | OP_PATCH,
};

const struct api_module award_kinds_module = {.name = "award_kinds", WITH(stmts, stmts), .resource = &award_kinds};
