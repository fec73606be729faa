/* The versions of an award kind's eligibility rules (api/award_rules.h): checked, one form,
 * never two in force on the same day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/award_rules.h"
#include "api/rule_expr.h"
#include "lib/jsonin.h"

enum { V_FROM, V_TO, V_BASIS, V_CHECKED, V_EXPR };
static const struct jfield version_fields[] = {
	[V_FROM] = {"effective_from", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[V_TO] = {"effective_to", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	[V_BASIS] = {"legal_basis", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL},
	[V_CHECKED] = {"source_checked", JF_BOOL, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[V_EXPR] = {"expr", JF_OBJECT, JF_REQUIRED, 0, 50, NULL, NULL, NULL},
};

/* dates compare as text; an open end is the far future */
static const char *end_of(const struct jvalue *v)
{
	return v[V_TO].str ? v[V_TO].str : "9999-12-31";
}

bool award_rules_encode(struct req *r, json_t *list, struct buf *out)
{
	struct jvalue v[AWARD_RULES_MAX][API_COUNT(version_fields)];
	bool decoded[AWARD_RULES_MAX] = {false};
	struct buf kinds;
	buf_init(&kinds);
	size_t i;
	json_t *item;
	buf_putc(out, '[');
	json_array_foreach(list, i, item) {
		char path[48];
		snprintf(path, sizeof path, "rules[%zu]", i);
		if (!jin_decode_item(item, "rules", i, version_fields, API_COUNT(version_fields), v[i], &r->err))
			continue;
		if (v[i][V_TO].str && strcmp(v[i][V_TO].str, v[i][V_FROM].str) < 0) {
			app_error_field(&r->err, path, "before_start", "%s: effective_to is before effective_from", path);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (decoded[j] && strcmp(v[j][V_FROM].str, end_of(v[i])) <= 0 &&
			    strcmp(v[i][V_FROM].str, end_of(v[j])) <= 0)
				app_error_field(&r->err, path, "overlap", "%s is in force on days rules[%zu] is too", path, j);
		decoded[i] = true;
		buf_puts(out, i ? ",{\"effective_from\":" : "{\"effective_from\":");
		buf_json_cstr(out, v[i][V_FROM].str);
		buf_puts(out, ",\"effective_to\":");
		if (v[i][V_TO].str)
			buf_json_cstr(out, v[i][V_TO].str);
		else
			buf_puts(out, "null");
		buf_puts(out, ",\"legal_basis\":");
		buf_json_cstr(out, v[i][V_BASIS].str);
		BUF_CAT(out, ",\"source_checked\":", v[i][V_CHECKED].boolean ? "true" : "false", ",\"expr\":");
		snprintf(path, sizeof path, "rules[%zu].expr", i);
		rule_expr_read(v[i][V_EXPR].list, path, out, &kinds, &r->err);
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	buf_free(&kinds);
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

json_t *award_rules_on(json_t *rules, const char *on)
{
	size_t i;
	json_t *version;
	json_array_foreach(rules, i, version) {
		const char *from = json_string_value(json_object_get(version, "effective_from"));
		const char *to = json_string_value(json_object_get(version, "effective_to"));
		if (from && strcmp(from, on) <= 0 && (!to || strcmp(on, to) <= 0))
			return version;
	}
	return NULL;
}
