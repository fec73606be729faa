/* The rule vocabulary of award kinds' eligibility (API.md "Award kinds"): what a rule is, the
 * params of each type this build knows, and the stored form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/award_rules.h"
#include "api/resource.h"

static const char *const initiative_levels[] = {"grassroots", "district", "province", "national", NULL};

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

bool award_rules_encode(struct req *r, json_t *list, struct buf *out)
{
	struct jvalue v[AWARD_RULES_MAX][API_COUNT(rule_fields)];
	bool decoded[AWARD_RULES_MAX] = {false};
	size_t i;
	json_t *item;
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

bool award_rules_required_kinds(json_t *list, struct buf *codes)
{
	size_t i;
	json_t *rule;
	buf_putc(codes, '[');
	json_array_foreach(list, i, rule) {
		const struct rule_type *t = rule_type_of(json_string_value(json_object_get(rule, "type")));
		if (t && t->requires_kind) {
			buf_puts(codes, codes->len > 1 ? "," : "");
			buf_json_cstr(codes, json_string_value(json_object_get(json_object_get(rule, "params"), "requires")));
		}
	}
	buf_putc(codes, ']');
	return buf_ok(codes);
}
